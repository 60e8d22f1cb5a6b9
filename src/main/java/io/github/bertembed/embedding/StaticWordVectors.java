package io.github.bertembed.embedding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The token table used as static word vectors: a word's vector is its token's row (the mean of its pieces' rows
 * when WordPiece splits it), compared by cosine. Bracketed entries ({@code [CLS]}, {@code [unused0]}) are never
 * returned as neighbours.
 *
 * <pre>{@code
 * StaticWordVectors words = new StaticWordVectors(embedder.tokenLookup(), embedder.inputEmbeddings().tokenTable());
 * words.analogy("king", "man", "woman", 5);   // nearest tokens to king − man + woman
 * }</pre>
 */
public final class StaticWordVectors {
    private final TokenLookup tokens;
    private final EmbeddingTable table;
    private final float[] norms;

    /** A token and its cosine similarity to the query. */
    public record Neighbour(String token, int id, double cosine) {
    }

    public StaticWordVectors(TokenLookup tokens, EmbeddingTable table) {
        this.tokens = tokens;
        this.table = table;
        this.norms = new float[table.rows()];
        float[] row = new float[table.columns()];
        for (int r = 0; r < table.rows(); r++) {
            table.copyRow(r, row, 0);
            double s = 0;
            for (float v : row) {
                s += v * v;
            }
            norms[r] = (float) Math.sqrt(s);
        }
    }

    /** The ids a word tokenizes into (without special tokens). */
    public int[] ids(String word) {
        int[] ids = tokens.ids(word);
        if (ids.length == 0) {
            throw new IllegalArgumentException("'" + word + "' has no tokens");
        }
        return ids;
    }

    /** The word's static vector: its token's row, or the mean of its pieces' rows. */
    public float[] vector(String word) {
        int[] ids = ids(word);
        float[] v = new float[table.columns()];
        for (int id : ids) {
            table.addRow(id, v, 0);
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= ids.length;
        }
        return v;
    }

    /** The k tokens nearest to a vector by cosine, excluding some ids. */
    public List<Neighbour> nearest(float[] query, int k, Set<Integer> exclude) {
        double qn = 0;
        for (float v : query) {
            qn += v * v;
        }
        qn = Math.sqrt(qn);
        PriorityQueue<Neighbour> best = new PriorityQueue<>(Comparator.comparingDouble(Neighbour::cosine));
        float[] row = new float[table.columns()];
        for (int r = 0; r < table.rows(); r++) {
            if (exclude.contains(r) || norms[r] == 0) {
                continue;
            }
            String token = tokens.token(r);
            if (token == null || (token.startsWith("[") && token.endsWith("]"))) {
                continue;
            }
            table.copyRow(r, row, 0);
            double dot = 0;
            for (int i = 0; i < row.length; i++) {
                dot += row[i] * query[i];
            }
            double cos = dot / (norms[r] * qn);
            if (best.size() < k) {
                best.add(new Neighbour(token, r, cos));
            } else if (cos > best.peek().cosine()) {
                best.poll();
                best.add(new Neighbour(token, r, cos));
            }
        }
        List<Neighbour> out = new ArrayList<>(best);
        out.sort(Comparator.comparingDouble(Neighbour::cosine).reversed());
        return out;
    }

    /** Nearest tokens to {@code a − b + c}, the three words' own tokens excluded. */
    public List<Neighbour> analogy(String a, String b, String c, int k) {
        float[] va = vector(a);
        float[] vb = vector(b);
        float[] vc = vector(c);
        float[] q = new float[va.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = va[i] - vb[i] + vc[i];
        }
        Set<Integer> exclude = new HashSet<>();
        for (String w : List.of(a, b, c)) {
            for (int id : ids(w)) {
                exclude.add(id);
            }
        }
        return nearest(q, k, exclude);
    }

    /** Cosine similarity of two words' static vectors. */
    public double similarity(String a, String b) {
        float[] va = vector(a);
        float[] vb = vector(b);
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < va.length; i++) {
            dot += va[i] * vb[i];
            na += va[i] * va[i];
            nb += vb[i] * vb[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
