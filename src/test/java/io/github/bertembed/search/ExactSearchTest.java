package io.github.bertembed.search;

import io.github.bertembed.batch.Precision;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Exact search against a brute-force double-precision reference, on real all-minilm-l6-v2 embeddings. */
@Tag("reference")
class ExactSearchTest {
    @TempDir
    Path tmp;

    static VectorIndex build(Path dir, List<float[]> rows, Precision p, boolean hnsw) throws Exception {
        VectorIndex index = VectorIndex.create(dir, IndexManifest.of("all-minilm-l6-v2", null, 384, true, "mean", 256,
                "", "", p, hnsw));
        for (int i = 0; i < rows.size(); i++) {
            index.add("doc-" + i, "text " + i, rows.get(i));
        }
        index.commit();
        return index;
    }

    @Test
    void topKEqualsBruteForceInDoublePrecisionWithTiesByRow() throws Exception {
        // the collection, with a few rows repeated at the end: equal scores, which must come lower row first
        List<float[]> rows = new ArrayList<>(SearchFixtures.collection());
        for (int i = 0; i < 20; i++) {
            rows.add(rows.get(i * 7).clone());
        }
        List<float[]> queries = new ArrayList<>(SearchFixtures.queries().subList(0, 150));
        for (int i = 0; i < 20; i++) {
            queries.add(rows.get(i * 7)); // its own duplicate ties with it at the top
        }
        try (VectorIndex index = build(tmp.resolve("idx"), rows, Precision.FLOAT32, false)) {
            List<List<Hit>> all = index.searchAll(queries, SearchOptions.top(10));
            for (int q = 0; q < queries.size(); q++) {
                double[] scores = new double[10];
                long[] expected = SearchFixtures.bruteForce(rows, queries.get(q), 10, scores);
                List<Hit> hits = all.get(q);
                assertEquals(10, hits.size());
                long[] got = hits.stream().mapToLong(Hit::row).toArray();
                assertArrayEquals(expected, got, "query " + q);
                for (int i = 0; i < 10; i++) {
                    assertEquals(scores[i], hits.get(i).score(), 1e-6);
                    assertEquals(i + 1, hits.get(i).rank());
                    assertEquals("doc-" + expected[i], hits.get(i).id());
                    assertEquals("text " + expected[i], hits.get(i).text());
                }
                // one query alone gives what the batch gave
                if (q % 40 == 0) {
                    assertEquals(hits, index.search(queries.get(q), SearchOptions.top(10)));
                }
            }
        }
    }

    @Test
    void kLargerThanTheCollectionReturnsEveryRow() throws Exception {
        List<float[]> rows = SearchFixtures.collection().subList(0, 7);
        try (VectorIndex index = build(tmp.resolve("small"), rows, Precision.FLOAT32, false)) {
            List<Hit> hits = index.search(SearchFixtures.queries().get(0), SearchOptions.top(50));
            assertArrayEquals(SearchFixtures.bruteForce(rows, SearchFixtures.queries().get(0), 7, null),
                    hits.stream().mapToLong(Hit::row).toArray());
        }
    }
}
