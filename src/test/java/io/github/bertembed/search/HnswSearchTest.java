package io.github.bertembed.search;

import io.github.bertembed.batch.Precision;
import io.github.bertembed.search.SearchOptions.SearchMethod;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Lucene HNSW graph: recall against exact, reopened and appended, and readable by Lucene itself. */
@Tag("reference")
class HnswSearchTest {
    @TempDir
    Path tmp;

    @Test
    void recallAgainstExactAndALuceneIndexOthersCanRead() throws Exception {
        List<float[]> rows = SearchFixtures.collection();
        List<float[]> queries = SearchFixtures.queries().subList(0, 300);
        Path dir = tmp.resolve("hnsw");
        try (VectorIndex index = ExactSearchTest.build(dir, rows.subList(0, 2000), Precision.FLOAT32, true)) {
            assertEquals(2000, index.manifest().hnswCount());
        }
        try (VectorIndex index = VectorIndex.open(dir)) {
            for (int i = 2000; i < rows.size(); i++) {
                index.add("doc-" + i, "text " + i, rows.get(i));
            }
        }
        try (VectorIndex index = VectorIndex.open(dir)) {
            assertEquals(rows.size(), index.manifest().hnswCount());
            List<long[]> exact = new ArrayList<>();
            for (List<Hit> hits : index.searchAll(queries, SearchOptions.top(10).withMethod(SearchMethod.EXACT))) {
                exact.add(hits.stream().mapToLong(Hit::row).toArray());
            }
            List<List<Hit>> approximate = index.searchAll(queries, SearchOptions.top(10)); // auto: the graph
            double recall = SearchFixtures.recall(exact, approximate);
            double narrow = SearchFixtures.recall(exact, index.searchAll(queries, SearchOptions.top(10).withEf(10)));
            System.out.printf("HNSW recall@10 over %d rows: ef 100 %.4f, ef 10 %.4f%n", rows.size(), recall, narrow);
            assertTrue(recall >= 0.95, "recall " + recall);
            // hits the graph finds carry their exact scores
            Hit top = approximate.get(0).get(0);
            assertEquals(index.search(queries.get(0), SearchOptions.top(1).withMethod(SearchMethod.EXACT)).get(0)
                    .score(), top.score(), 1e-6);
        }
        // the folder is a plain Lucene index: Lucene's own query finds the same nearest row
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir.resolve("hnsw")))) {
            assertEquals(rows.size(), reader.numDocs());
            TopDocs top = new IndexSearcher(reader).search(new KnnFloatVectorQuery("vector", rows.get(42), 1), 1);
            var leaf = reader.leaves().get(org.apache.lucene.index.ReaderUtil.subIndex(top.scoreDocs[0].doc,
                    reader.leaves()));
            var values = leaf.reader().getNumericDocValues("row");
            assertTrue(values.advanceExact(top.scoreDocs[0].doc - leaf.docBase));
            assertEquals(42, values.longValue());
        }
    }

    @Test
    void anInt8IndexesGraphIsLucenesScalarQuantizedFormat() throws Exception {
        List<float[]> rows = SearchFixtures.collection();
        List<float[]> queries = SearchFixtures.queries().subList(0, 300);
        try (VectorIndex index = ExactSearchTest.build(tmp.resolve("int8-hnsw"), rows, Precision.INT8, true)) {
            List<long[]> exact = new ArrayList<>();
            for (List<Hit> hits : index.searchAll(queries, SearchOptions.top(10).withMethod(SearchMethod.EXACT))) {
                exact.add(hits.stream().mapToLong(Hit::row).toArray());
            }
            double recall = SearchFixtures.recall(exact, index.searchAll(queries, SearchOptions.top(10)));
            System.out.printf("HNSW (scalar-quantized) recall@10 over %d rows: %.4f%n", rows.size(), recall);
            assertTrue(recall >= 0.95, "recall " + recall);
        }
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(tmp.resolve("int8-hnsw/hnsw")))) {
            for (var leaf : reader.leaves()) {
                assertEquals("Lucene99HnswScalarQuantizedVectorsFormat", leaf.reader().getFieldInfos()
                        .fieldInfo("vector").getAttribute("PerFieldKnnVectorsFormat.format"));
            }
        }
    }
}
