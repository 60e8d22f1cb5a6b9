package io.github.bertembed.search;

import io.github.bertembed.batch.Precision;
import io.github.bertembed.search.SearchOptions.BinaryScore;
import io.github.bertembed.search.SearchOptions.RescoreTarget;
import io.github.bertembed.search.SearchOptions.SearchMethod;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * int8 and binary search as sentence-transformers' quantize_embeddings and semantic_search_* define them: worked
 * examples computed by hand, then recall against exact search on real embeddings.
 */
@Tag("reference")
class QuantizedSearchTest {
    @TempDir
    Path tmp;

    private static VectorIndex index(Path dir, Precision p, float[]... rows) throws Exception {
        VectorIndex index = VectorIndex.create(dir, IndexManifest.of("m", null, rows[0].length, false, "mean", 8, "",
                "", p, false));
        for (int i = 0; i < rows.length; i++) {
            index.add(i, null, rows[i]);
        }
        index.commit();
        return index;
    }

    private static long[] rows(List<Hit> hits) {
        return hits.stream().mapToLong(Hit::row).toArray();
    }

    private static double[] scores(List<Hit> hits) {
        return hits.stream().mapToDouble(Hit::score).toArray();
    }

    /**
     * Steps of 2^-8 keep the arithmetic exact. Ranges (the collection's): starts [0, -0.5, 0.25], steps 2^-8 each.
     * int8 = trunc((v - start) / step - 128): c0 → [-128, 127, -128], c1 → [127, -128, 127], c2 → [0, 0, 0],
     * c3 → [-64, 64, -64]; the query [0.5, 0.25, 1] → [0, 64, 64].
     */
    @Test
    void int8WorkedExample() throws Exception {
        float[] c0 = {0f, 0.49609375f, 0.25f};
        float[] c1 = {0.99609375f, -0.5f, 1.24609375f};
        float[] c2 = {0.5f, 0f, 0.75f};
        float[] c3 = {0.25f, 0.25f, 0.5f};
        float[] q = {0.5f, 0.25f, 1f};
        try (VectorIndex index = index(tmp.resolve("int8"), Precision.INT8, c0, c1, c2, c3)) {
            assertArrayEquals(new float[] {0f, -0.5f, 0.25f}, index.manifest().int8Starts());
            assertArrayEquals(new float[] {1 / 256f, 1 / 256f, 1 / 256f}, index.manifest().int8Steps());
            assertArrayEquals(new byte[] {-128, 127, -128, 127, -128, 127, 0, 0, 0, -64, 64, -64},
                    Files.readAllBytes(tmp.resolve("int8/codes.int8")));
            // the int8 dot products with [0, 64, 64]: c0 −64, c1 −64, c2 0, c3 0; ties: the lower row first
            List<Hit> plain = index.search(q, SearchOptions.top(4).withRescore(0));
            assertArrayEquals(new long[] {2, 3, 0, 1}, rows(plain));
            assertArrayEquals(new double[] {0, 0, -64, -64}, scores(plain));
            // sentence-transformers' rescoring: the float query · the int8 codes:
            // c0 0.5·−128 + 0.25·127 + 1·−128 = −160.25; c1 63.5 − 32 + 127 = 158.5; c2 0; c3 −32 + 16 − 64 = −80
            List<Hit> st = index.search(q, SearchOptions.top(2).withRescore(2)
                    .withRescoreAgainst(RescoreTarget.QUANTIZED));
            assertArrayEquals(new long[] {1, 2}, rows(st));
            assertArrayEquals(new double[] {158.5, 0}, scores(st));
            // against the float vectors: c1 0.498046875 − 0.125 + 1.24609375 = 1.619140625; c2 0.25 + 0.75 = 1
            List<Hit> exact = index.search(q, SearchOptions.top(2).withRescore(2));
            assertArrayEquals(new long[] {1, 2}, rows(exact));
            assertArrayEquals(new double[] {1.619140625, 1.0}, scores(exact), 1e-12);
        }
    }

    /**
     * Sign bits, packed as numpy.packbits (first dimension in the high bit): b0 → 10101001 10000000 (169, 128),
     * b1 → 01010110 01000000 (86, 64), b2 → all set (255, 192); the query → 11101001 10000000. Hamming distances:
     * b0 1, b1 7 + 2 = 9, b2 3 + 1 = 4.
     */
    @Test
    void binaryWorkedExample() throws Exception {
        float[] b0 = {0.1f, -0.2f, 0.3f, 0f, 0.5f, -0.1f, -0.1f, 0.2f, 0.4f, -0.3f};
        float[] b1 = {-0.1f, 0.2f, -0.3f, 0.1f, -0.5f, 0.1f, 0.1f, -0.2f, -0.4f, 0.3f};
        float[] b2 = {0.1f, 0.2f, 0.3f, 0.1f, 0.5f, 0.1f, 0.1f, 0.2f, 0.4f, 0.3f};
        float[] q = {0.2f, 0.1f, 0.1f, -0.1f, 0.3f, -0.2f, -0.3f, 0.1f, 0.2f, -0.1f};
        try (VectorIndex index = index(tmp.resolve("bin"), Precision.BINARY, b0, b1, b2)) {
            assertArrayEquals(new byte[] {(byte) 169, (byte) 128, 86, 64, (byte) 255, (byte) 192},
                    Files.readAllBytes(tmp.resolve("bin/codes.ubinary")));
            SearchOptions hamming = SearchOptions.top(3).withBinaryScore(BinaryScore.HAMMING);
            List<Hit> plain = index.search(q, hamming.withRescore(0));
            assertArrayEquals(new long[] {0, 2, 1}, rows(plain));
            assertArrayEquals(new double[] {-1, -4, -9}, scores(plain));
            // the float query against the signs (±1): 2 × (q · bits) − Σq: b0 2·0.9 − 0.3 = 1.5, b2 0.3, b1 −1.5
            List<Hit> signs = index.search(q, SearchOptions.top(3).withRescore(0));
            assertArrayEquals(new long[] {0, 2, 1}, rows(signs));
            assertArrayEquals(new double[] {1.5, 0.3, -1.5}, scores(signs), 1e-6);
            // rescored as sentence-transformers does, the float query · the unpacked bits:
            // b0 0.2 + 0.1 + 0.3 + 0.1 + 0.2 = 0.9; b2 the sum of q = 0.3; b1 0.1 − 0.1 − 0.2 − 0.3 − 0.1 = −0.6
            List<Hit> st = index.search(q, hamming.withRescore(1).withRescoreAgainst(RescoreTarget.QUANTIZED));
            assertArrayEquals(new long[] {0, 2, 1}, rows(st));
            assertArrayEquals(new double[] {0.9, 0.3, -0.6}, scores(st), 1e-6);
        }
    }

    @Test
    void recallAgainstExactOnRealEmbeddings() throws Exception {
        List<float[]> rows = SearchFixtures.collection();
        List<float[]> queries = SearchFixtures.queries();
        List<long[]> exact = new ArrayList<>();
        try (VectorIndex f = ExactSearchTest.build(tmp.resolve("f"), rows, Precision.FLOAT32, false)) {
            for (List<Hit> hits : f.searchAll(queries, SearchOptions.top(10))) {
                exact.add(rows(hits));
            }
        }
        try (VectorIndex i8 = ExactSearchTest.build(tmp.resolve("i8"), rows, Precision.INT8, false);
             VectorIndex bin = ExactSearchTest.build(tmp.resolve("bin"), rows, Precision.BINARY, false)) {
            assertEquals(rows.size() * 384L, i8.vectorMemoryBytes()); // a quarter of float32
            assertEquals(rows.size() * 384L / 8, bin.vectorMemoryBytes()); // a 32nd
            double int8Plain = SearchFixtures.recall(exact, i8.searchAll(queries, SearchOptions.top(10).withRescore(0)));
            double int8Rescored = SearchFixtures.recall(exact, i8.searchAll(queries, SearchOptions.top(10)));
            double binPlain = SearchFixtures.recall(exact, bin.searchAll(queries, SearchOptions.top(10).withRescore(0)));
            double binRescored = SearchFixtures.recall(exact, bin.searchAll(queries, SearchOptions.top(10)));
            SearchOptions hamming = SearchOptions.top(10).withBinaryScore(BinaryScore.HAMMING);
            double hammingPlain = SearchFixtures.recall(exact, bin.searchAll(queries, hamming.withRescore(0)));
            double hammingRescored = SearchFixtures.recall(exact, bin.searchAll(queries, hamming));
            System.out.printf("recall@10 over %d rows, %d queries: int8 %.4f, int8 + rescore x4 %.4f; binary"
                    + " (float query) %.4f, + rescore x4 %.4f; binary (Hamming) %.4f, + rescore x4 %.4f%n", rows.size(),
                    queries.size(), int8Plain, int8Rescored, binPlain, binRescored, hammingPlain, hammingRescored);
            assertTrue(int8Rescored >= 0.97, "int8 + rescore recall " + int8Rescored);
            assertTrue(binRescored >= 0.90, "binary + rescore recall " + binRescored);
            assertTrue(int8Plain < int8Rescored && binPlain < binRescored, "rescoring helps");
            // quantized search through the method named explicitly gives the same
            assertEquals(i8.searchAll(queries.subList(0, 5), SearchOptions.top(10)),
                    i8.searchAll(queries.subList(0, 5), SearchOptions.top(10).withMethod(SearchMethod.QUANTIZED)));
        }
    }
}
