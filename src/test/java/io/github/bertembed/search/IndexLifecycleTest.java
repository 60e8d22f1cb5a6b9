package io.github.bertembed.search;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.batch.Precision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An index written, reopened, appended to and searched answers as a fresh one; damage is refused by name. */
@Tag("reference")
class IndexLifecycleTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FLOAT32", "INT8", "BINARY"})
    void reopenedAndAppendedAnswersAsAFreshIndex(Precision p) throws Exception {
        List<float[]> rows = SearchFixtures.collection();
        List<float[]> queries = SearchFixtures.queries().subList(0, 100);
        Path grown = tmp.resolve("grown");
        try (VectorIndex index = ExactSearchTest.build(grown, rows.subList(0, 1200), p, false)) {
            assertEquals(1200, index.size());
        }
        try (VectorIndex index = VectorIndex.open(grown)) {
            for (int i = 1200; i < rows.size(); i++) {
                index.add("doc-" + i, "text " + i, rows.get(i));
            }
            // not yet committed: not yet searched
            assertEquals(1200, index.search(queries.get(0), SearchOptions.top(1200 + 5)).size());
        }
        try (VectorIndex fresh = ExactSearchTest.build(tmp.resolve("fresh"), rows, p, false);
             VectorIndex reopened = VectorIndex.open(grown)) {
            assertEquals(rows.size(), reopened.size());
            assertEquals(fresh.manifest().int8Starts() == null, reopened.manifest().int8Starts() == null);
            assertEquals(fresh.searchAll(queries, SearchOptions.top(10)), reopened.searchAll(queries,
                    SearchOptions.top(10)));
            assertEquals(fresh.searchAll(queries, SearchOptions.top(10).withRescore(0)),
                    reopened.searchAll(queries, SearchOptions.top(10).withRescore(0)));
            assertEquals(-1, Files.mismatch(tmp.resolve("fresh/vectors.f32"), grown.resolve("vectors.f32")));
        }
    }

    @Test
    void rowsPastTheLastCommitAreDroppedOnTheNextWrite() throws Exception {
        List<float[]> rows = SearchFixtures.collection();
        Path dir = tmp.resolve("crash");
        ExactSearchTest.build(dir, rows.subList(0, 10), Precision.FLOAT32, false).close();
        // a run that wrote rows but stopped before its manifest: the extra bytes are not rows
        Files.write(dir.resolve("vectors.f32"), new byte[384 * 4 * 3], java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("records.jsonl"), "{\"id\":\"half", java.nio.file.StandardOpenOption.APPEND);
        try (VectorIndex index = VectorIndex.open(dir)) {
            assertEquals(10, index.size());
            index.add("doc-10", "text 10", rows.get(10));
        }
        try (VectorIndex index = VectorIndex.open(dir);
             VectorIndex fresh = ExactSearchTest.build(tmp.resolve("fresh"), rows.subList(0, 11), Precision.FLOAT32,
                     false)) {
            assertEquals(fresh.searchAll(SearchFixtures.queries().subList(0, 20), SearchOptions.top(5)),
                    index.searchAll(SearchFixtures.queries().subList(0, 20), SearchOptions.top(5)));
            assertEquals(11 * 384 * 4, Files.size(dir.resolve("vectors.f32")));
        }
    }

    @Test
    void damagedIndexesAreRefusedNamingTheProblem() throws Exception {
        List<float[]> rows = SearchFixtures.collection().subList(0, 50);
        Path dir = tmp.resolve("damaged");
        ExactSearchTest.build(dir, rows, Precision.INT8, false).close();

        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("vectors.f32").toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        IndexDamagedException e = assertThrows(IndexDamagedException.class, () -> VectorIndex.open(dir));
        assertTrue(e.getMessage().contains("vectors.f32") && e.getMessage().contains("truncated"), e.getMessage());

        Path codes = tmp.resolve("codes");
        ExactSearchTest.build(codes, rows, Precision.INT8, false).close();
        try (RandomAccessFile f = new RandomAccessFile(codes.resolve("codes.int8").toFile(), "rw")) {
            f.setLength(384 * 10);
        }
        e = assertThrows(IndexDamagedException.class, () -> VectorIndex.open(codes));
        assertTrue(e.getMessage().contains("codes.int8") && e.getMessage().contains("truncated"), e.getMessage());

        Path records = tmp.resolve("records");
        ExactSearchTest.build(records, rows, Precision.FLOAT32, false).close();
        Files.delete(records.resolve("records.jsonl"));
        e = assertThrows(IndexDamagedException.class, () -> VectorIndex.open(records));
        assertTrue(e.getMessage().contains("records.jsonl is missing"), e.getMessage());

        Path manifest = tmp.resolve("manifest");
        ExactSearchTest.build(manifest, rows, Precision.FLOAT32, false).close();
        Files.writeString(manifest.resolve("manifest.json"), "{\"format\": \"bert-embed-index\", \"version\": 1,");
        e = assertThrows(IndexDamagedException.class, () -> VectorIndex.open(manifest));
        assertTrue(e.getMessage().contains("manifest.json is not a readable index manifest"), e.getMessage());

        e = assertThrows(IndexDamagedException.class, () -> VectorIndex.open(tmp));
        assertTrue(e.getMessage().contains("is not a bert-embed index"), e.getMessage());

        try (VectorIndex ok = ExactSearchTest.build(tmp.resolve("ok"), rows, Precision.FLOAT32, false)) {
            IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
                    () -> ok.search(new float[512], SearchOptions.top(3)));
            assertTrue(dim.getMessage().contains("a query of 512 components cannot search an index of"
                    + " 384-dimensional vectors"), dim.getMessage());
            dim = assertThrows(IllegalArgumentException.class, () -> ok.add("x", "y", new float[512]));
            assertTrue(dim.getMessage().contains("512"), dim.getMessage());
        }
    }

    @Test
    void anotherModelIsRefusedWithBothNamed() throws Exception {
        try (SentenceEmbedder fp32 = SentenceEmbedder.builder().model("all-minilm-l6-v2")
                .modelsDir(TestData.modelsDir()).build();
             SentenceEmbedder int8 = SentenceEmbedder.builder().model("all-minilm-l6-v2-q")
                     .modelsDir(TestData.modelsDir()).build()) {
            Path dir = tmp.resolve("model");
            IndexManifest spec = IndexManifest.of(fp32.location().name(), fp32.modelSha256(), 384, true, "mean", 256,
                    "", "", Precision.FLOAT32, false);
            try (VectorIndex index = VectorIndex.create(dir, spec)) {
                index.add(1, "The cat sits on the mat.", fp32.embed("The cat sits on the mat."));
                index.commit();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new SemanticSearch(index, int8));
                assertTrue(e.getMessage().contains("all-minilm-l6-v2 (sha256 " + fp32.modelSha256() + ", 384 dimensions)")
                        && e.getMessage().contains("not of all-minilm-l6-v2-q (sha256 " + int8.modelSha256()),
                        e.getMessage());
                SemanticSearch search = new SemanticSearch(index, fp32);
                assertEquals(1, ((Number) search.search("a cat on a mat", 1).get(0).id()).intValue());
            }
        }
    }
}
