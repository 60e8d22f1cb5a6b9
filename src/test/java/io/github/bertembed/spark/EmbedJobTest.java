package io.github.bertembed.spark;

import org.junit.jupiter.api.Tag;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link EmbedJob} on a local[2] session: JSONL and text in, Parquet out, against the in-process embedder. */
@Tag("spark")
class EmbedJobTest {
    private static SparkSession spark;
    private static SentenceEmbedder inProcess;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start();
        inProcess = SentenceEmbedder.builder().model("all-minilm-l6-v2").build();
    }

    @AfterAll
    static void stop() {
        inProcess.close();
        spark.stop();
        ExecutorEmbedderCache.closeAll();
    }

    private static float[] vector(Row r) {
        List<Float> list = r.getList(r.fieldIndex("embedding"));
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        return v;
    }

    @Test
    void jsonlToParquetKeepsEveryColumnAndAddsTheVectorAndStatistics(@TempDir Path dir) throws Exception {
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 400));
        texts.addAll(TestData.hard());
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            lines.append(json.writeValueAsString(Map.of("doc", "d" + i, "body", texts.get(i), "n", i))).append('\n');
        }
        Path input = dir.resolve("docs.jsonl");
        Files.write(input, lines.toString().getBytes(StandardCharsets.UTF_8)); // a lone surrogate: "?"
        String output = dir.resolve("vectors").toString();
        EmbedJob.Summary summary = EmbedJob.run(spark, EmbedJobOptions.parse(new String[]{
                "--input", input.toString(), "--output", output, "--text-column", "body", "--id-column", "doc"}));
        assertEquals(texts.size(), summary.documents());
        assertEquals(texts.size(), summary.rows());

        List<Row> rows = spark.read().parquet(output).collectAsList();
        assertEquals(List.of("body", "doc", "n", "embedding", "tokens", "truncated", "chunks"),
                List.of(rows.get(0).schema().fieldNames()));
        Map<String, Row> byDoc = new HashMap<>();
        rows.forEach(r -> byDoc.put(r.getString(1), r));
        assertEquals(texts.size(), byDoc.size());
        int truncated = 0;
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            Row r = byDoc.get("d" + i);
            tokens += r.getInt(4);
            String text = EmbeddingTransformerTest.stored(texts.get(i));
            assertEquals(text, r.getString(0));
            assertEquals(i, r.getLong(2));
            assertArrayEquals(inProcess.embed(text), vector(r), "document " + i);
            assertEquals(inProcess.embedDetailed(List.of(text)).get(0).tokens(), r.getInt(4));
            truncated += r.getBoolean(5) ? 1 : 0;
            assertEquals(1, r.getInt(6));
        }
        assertTrue(truncated > 0);
        assertEquals(tokens, summary.tokens());
        // The output exists now: a second run without --overwrite refuses, with --overwrite replaces it.
        assertThrows(Exception.class, () -> EmbedJob.run(spark, EmbedJobOptions.parse(new String[]{
                "--input", input.toString(), "--output", output, "--text-column", "body"})));
        EmbedJob.run(spark, EmbedJobOptions.parse(new String[]{"--input", input.toString(), "--output", output,
                "--text-column", "body", "--overwrite", "--partitions", "3", "--long-text", "chunks"}));
        assertTrue(spark.read().parquet(output).count() > texts.size(), "a row per window");
    }

    @Test
    void textLinesGetLineNumbersAsIds(@TempDir Path dir) throws Exception {
        List<String> texts = new ArrayList<>();
        for (String t : TestData.english().subList(0, 300)) {
            texts.add(t.replaceAll("\\s+", " ").strip());
        }
        Path input = dir.resolve("lines.txt");
        Files.write(input, texts, StandardCharsets.UTF_8);
        String output = dir.resolve("out").toString();
        EmbedJob.run(spark, EmbedJobOptions.parse(new String[]{"--input", input.toString(), "--output", output,
                "--id-column", "line"}));
        List<Row> rows = spark.read().parquet(output).collectAsList();
        assertEquals(texts.size(), rows.size());
        for (Row r : rows) {
            int line = (int) r.getLong(0);
            assertEquals(texts.get(line), r.getString(1));
            assertArrayEquals(inProcess.embed(texts.get(line)), vector(r));
        }
    }

    @Test
    void badInputsAreNamed(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("docs.jsonl");
        Files.writeString(input, "{\"body\": \"x\"}\n");
        IllegalArgumentException noText = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
                EmbedJobOptions.parse(new String[]{"--input", input.toString(), "--output", dir + "/o"})));
        assertEquals("the input has no text column 'text'; its columns are body (choose one with --text-column)",
                noText.getMessage());
        IllegalArgumentException noId = assertThrows(IllegalArgumentException.class, () -> EmbedJob.run(spark,
                EmbedJobOptions.parse(new String[]{"--input", input.toString(), "--output", dir + "/o",
                        "--text-column", "body", "--id-column", "id"})));
        assertEquals("the input has no id column 'id'; its columns are body", noId.getMessage());
        assertEquals("--input and --output are required", assertThrows(IllegalArgumentException.class,
                () -> EmbedJobOptions.parse(new String[]{"--input", "x"})).getMessage());
        assertEquals("--partitions must be a positive integer, got 'two'", assertThrows(IllegalArgumentException.class,
                () -> EmbedJobOptions.parse(new String[]{"--input", "x", "--output", "y", "--partitions", "two"}))
                .getMessage());
        assertEquals("--long-text must be one of truncate, refuse, chunk, chunks, got 'cut'",
                assertThrows(IllegalArgumentException.class, () -> EmbedJobOptions.parse(
                        new String[]{"--input", "x", "--output", "y", "--long-text", "cut"})).getMessage());
        assertEquals("unknown option '--modle'", assertThrows(IllegalArgumentException.class,
                () -> EmbedJobOptions.parse(new String[]{"--modle", "x"})).getMessage());
        assertEquals("jsonl", EmbedJobOptions.parse(new String[]{"--input", "a/b.jsonl", "--output", "y"}).format());
        assertEquals("text", EmbedJobOptions.parse(new String[]{"--input", "a/b.txt", "--output", "y"}).format());
        assertEquals("parquet", EmbedJobOptions.parse(new String[]{"--input", "hdfs://n/t/", "--output", "y"}).format());
    }
}
