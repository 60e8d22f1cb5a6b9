package io.github.bertembed.tokenizer;

import java.util.Arrays;
import java.util.Map;

/**
 * Greedy longest-match-first WordPiece in linear time: a trie over the vocabulary with failure links and failure
 * pops (LinMaxMatch, from "Fast WordPiece Tokenization", Song et al., EMNLP 2021).
 *
 * <p>Each node stands for a string; a node whose string is a vocabulary token knows the token. When the next
 * character has no edge, the matcher emits the node's precomputed failure pops (the tokens greedy matching would
 * have chosen) and jumps along the failure link, so every input character is visited a bounded number of times
 * instead of re-scanning substrings. Continuation tokens ({@code ##ing}) hang under the node of the prefix itself.
 * The result is exactly what HuggingFace's {@code WordPiece} model gives: the same tokens, or "no tokenization",
 * where the caller emits the unknown token for the whole word.
 *
 * <p>Immutable and thread-safe once built.
 */
final class WordPieceTrie {
    private static final int ROOT = 0;
    private static final int NONE = -1;

    private final int[] rootChild = new int[0x10000];
    private final long[] edgeKeys;
    private final int[] edgeChildren;
    private final int edgeMask;
    private final int suffixRoot;
    private final int[] failure;
    private final int[] popStart;
    private final int[] popEnd;
    private final int[] pops;
    private final int[] pieceLength;

    /**
     * @param vocabulary token to id
     * @param prefix     the continuation prefix, usually {@code ##}
     * @param idLimit    one more than the largest id
     */
    WordPieceTrie(Map<String, Integer> vocabulary, String prefix, int idLimit) {
        Builder b = new Builder();
        int suffix = ROOT;
        for (int i = 0; i < prefix.length(); i++) {
            suffix = b.childOrCreate(suffix, prefix.charAt(i));
        }
        this.suffixRoot = suffix;
        b.suffixRoot = suffix;
        pieceLength = new int[idLimit];
        for (Map.Entry<String, Integer> e : vocabulary.entrySet()) {
            String token = e.getKey();
            if (token.isEmpty()) {
                continue;
            }
            int node = ROOT;
            for (int i = 0; i < token.length(); i++) {
                node = b.childOrCreate(node, token.charAt(i));
            }
            if (node == suffixRoot) {
                continue; // the bare prefix never matches a piece: it would consume no characters
            }
            b.tokenAt[node] = e.getValue();
            int length = token.startsWith(prefix) ? token.length() - prefix.length() : token.length();
            pieceLength[e.getValue()] = length;
        }

        int n = b.nodes;
        Arrays.fill(rootChild, NONE);
        int edges = n - 1;
        int capacity = Integer.highestOneBit(Math.max(4, edges * 2 - 1)) << 1;
        edgeKeys = new long[capacity];
        edgeChildren = new int[capacity];
        Arrays.fill(edgeKeys, -1L);
        edgeMask = capacity - 1;
        for (int v = 1; v < n; v++) {
            int parent = b.parent[v];
            char c = b.label[v];
            if (parent == ROOT) {
                rootChild[c] = v;
            } else {
                long key = edgeKey(parent, c);
                int slot = slot(key);
                while (edgeKeys[slot] != -1L) {
                    slot = (slot + 1) & edgeMask;
                }
                edgeKeys[slot] = key;
                edgeChildren[slot] = v;
            }
        }

        failure = new int[n];
        popStart = new int[n];
        popEnd = new int[n];
        Arrays.fill(failure, NONE);
        IntBuffer popList = new IntBuffer(n * 2);
        for (int v : nodesByEffectiveDepth(b, prefix.length())) {
            int u = b.parent[v];
            popStart[v] = popList.size();
            if (v == suffixRoot) {
                failure[v] = NONE;
            } else if (b.tokenAt[v] != NONE) {
                popList.add(b.tokenAt[v]);
                failure[v] = suffixRoot;
            } else {
                // Inherit the parent's pops, then follow failure links until one has an edge for this char.
                char c = b.label[v];
                copyPops(popList, u);
                int z = failure[u];
                int target = NONE;
                while (z != NONE) {
                    int next = child(z, c);
                    if (next != NONE) {
                        target = next;
                        break;
                    }
                    copyPops(popList, z);
                    z = failure[z];
                }
                failure[v] = target;
            }
            popEnd[v] = popList.size();
        }
        pops = popList.toArray();
    }

    private void copyPops(IntBuffer list, int node) {
        for (int i = popStart[node]; i < popEnd[node]; i++) {
            list.add(list.get(i));
        }
    }

    /**
     * All nodes but the root, ordered by the length of their string without the continuation prefix. A failure
     * link always leads to a node that is shorter in this sense (never in plain trie depth: "ab" fails to "##b"),
     * so this order computes every link before it is followed.
     */
    private static int[] nodesByEffectiveDepth(Builder b, int prefixLength) {
        int n = b.nodes;
        int[] depth = new int[n];
        boolean[] inSuffix = new boolean[n];
        int[] order = new int[n];
        int head = 0;
        int tail = 0;
        order[tail++] = ROOT;
        int maxDepth = 0;
        while (head < tail) {
            int u = order[head++];
            for (int v = b.firstChild[u]; v != NONE; v = b.nextSibling[v]) {
                order[tail++] = v;
                inSuffix[v] = inSuffix[u] || v == b.suffixRoot;
                depth[v] = depth[u] + 1;
                maxDepth = Math.max(maxDepth, depth[v]);
            }
        }
        int[] count = new int[maxDepth + 2];
        for (int v = 1; v < n; v++) {
            count[effective(depth[v], inSuffix[v], prefixLength) + 1]++;
        }
        for (int d = 1; d < count.length; d++) {
            count[d] += count[d - 1];
        }
        int[] sorted = new int[n - 1];
        for (int i = 1; i < n; i++) {
            int v = order[i];
            sorted[count[effective(depth[v], inSuffix[v], prefixLength)]++] = v;
        }
        return sorted;
    }

    private static int effective(int depth, boolean inSuffix, int prefixLength) {
        return inSuffix ? depth - prefixLength : depth;
    }


    /** Characters (UTF-16 units) of the word that a piece covers: its length without the continuation prefix. */
    int pieceLength(int id) {
        return pieceLength[id];
    }

    /**
     * Tokenizes {@code word[start, end)} into {@code out}, appending ids.
     *
     * @return false when the word has no WordPiece tokenization (the caller emits the unknown token);
     *         {@code out} may then hold partial output, which the caller discards
     */
    boolean tokenize(char[] word, int start, int end, IntBuffer out) {
        int u = ROOT;
        for (int i = start; i < end; i++) {
            char c = word[i];
            int v;
            while ((v = child(u, c)) == NONE) {
                if (failure[u] == NONE) {
                    return false;
                }
                out.addAll(pops, popStart[u], popEnd[u]);
                u = failure[u];
            }
            u = v;
        }
        while (u != suffixRoot && u != ROOT) {
            if (failure[u] == NONE) {
                return false;
            }
            out.addAll(pops, popStart[u], popEnd[u]);
            u = failure[u];
        }
        return true;
    }

    private int child(int node, char c) {
        if (node == ROOT) {
            return rootChild[c];
        }
        long key = edgeKey(node, c);
        int slot = slot(key);
        long k;
        while ((k = edgeKeys[slot]) != -1L) {
            if (k == key) {
                return edgeChildren[slot];
            }
            slot = (slot + 1) & edgeMask;
        }
        return NONE;
    }

    private static long edgeKey(int node, char c) {
        return ((long) node << 16) | c;
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 40) & edgeMask;
    }

    /** The trie under construction, with child lists kept for the breadth-first pass. */
    private static final class Builder {
        int nodes = 1;
        int suffixRoot;
        int[] parent = new int[1024];
        char[] label = new char[1024];
        int[] firstChild = filled(1024);
        int[] nextSibling = filled(1024);
        int[] tokenAt = filled(1024);
        private final java.util.HashMap<Long, Integer> edges = new java.util.HashMap<>();

        int childOrCreate(int node, char c) {
            Long key = edgeKey(node, c);
            Integer existing = edges.get(key);
            if (existing != null) {
                return existing;
            }
            if (nodes == parent.length) {
                int size = nodes * 2;
                parent = Arrays.copyOf(parent, size);
                label = Arrays.copyOf(label, size);
                firstChild = grow(firstChild, size);
                nextSibling = grow(nextSibling, size);
                tokenAt = grow(tokenAt, size);
            }
            int v = nodes++;
            parent[v] = node;
            label[v] = c;
            nextSibling[v] = firstChild[node];
            firstChild[node] = v;
            edges.put(key, v);
            return v;
        }

        private static int[] filled(int size) {
            int[] a = new int[size];
            Arrays.fill(a, NONE);
            return a;
        }

        private static int[] grow(int[] a, int size) {
            int old = a.length;
            int[] b = Arrays.copyOf(a, size);
            Arrays.fill(b, old, size, NONE);
            return b;
        }
    }
}
