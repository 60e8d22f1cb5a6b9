package io.github.bertembed.search;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;

import java.util.List;

/**
 * Real embeddings for the search tests: English fortunes embedded once per JVM by all-minilm-l6-v2 (a documented
 * per-JVM cache, so that the search test classes share one embedding pass).
 */
final class SearchFixtures {
    /** Rows of the collection. */
    static final int COLLECTION = 3000;
    /** Held-out texts used as queries (not in the collection). */
    static final int QUERIES = 1000;

    private static List<String> texts;
    private static List<float[]> vectors;

    private SearchFixtures() {
    }

    /** The first {@code COLLECTION + QUERIES} English fortunes. */
    static synchronized List<String> texts() {
        if (texts == null) {
            texts = TestData.english().subList(0, COLLECTION + QUERIES);
        }
        return texts;
    }

    /** Their vectors, in the same order: the first COLLECTION are the collection, the rest the queries. */
    static synchronized List<float[]> vectors() {
        if (vectors == null) {
            try (SentenceEmbedder e = SentenceEmbedder.builder().model("all-minilm-l6-v2")
                    .modelsDir(TestData.modelsDir()).build()) {
                vectors = e.embedAll(texts());
            }
        }
        return vectors;
    }

    static List<float[]> collection() {
        return vectors().subList(0, COLLECTION);
    }

    static List<float[]> queries() {
        return vectors().subList(COLLECTION, COLLECTION + QUERIES);
    }

    /** Brute force in double precision: rows sorted by score (descending), ties by the lower row. */
    static long[] bruteForce(List<float[]> rows, float[] q, int k, double[] scoresOut) {
        double[] s = new double[rows.size()];
        Integer[] order = new Integer[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            double dot = 0;
            float[] v = rows.get(i);
            for (int j = 0; j < v.length; j++) {
                dot += (double) q[j] * v[j];
            }
            s[i] = dot;
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(a, b));
        long[] top = new long[k];
        for (int i = 0; i < k; i++) {
            top[i] = order[i];
            if (scoresOut != null) {
                scoresOut[i] = s[order[i]];
            }
        }
        return top;
    }

    /** The share of each query's exact top-k found by {@code approximate}, averaged. */
    static double recall(List<long[]> exact, List<List<Hit>> approximate) {
        double found = 0;
        int total = 0;
        for (int q = 0; q < exact.size(); q++) {
            java.util.Set<Long> truth = new java.util.HashSet<>();
            for (long r : exact.get(q)) {
                truth.add(r);
            }
            for (Hit h : approximate.get(q)) {
                found += truth.contains(h.row()) ? 1 : 0;
            }
            total += exact.get(q).length;
        }
        return found / total;
    }
}
