package io.github.bertembed.spark;

import org.junit.jupiter.api.Tag;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.LongTextPolicy;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transformer on a real local[2] Spark session, against the in-process embedder of the same model. */
@Tag("spark")
class EmbeddingTransformerTest {
    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("text", DataTypes.StringType, true)
            .add("lang", DataTypes.StringType, true);

    private static SparkSession spark;
    private static SentenceEmbedder inProcess;
    private static String modelFolder;

    @BeforeAll
    static void start() {
        spark = SparkTestSession.start();
        modelFolder = TestData.model("all-minilm-l6-v2").toAbsolutePath().toString();
        inProcess = SentenceEmbedder.builder().model(modelFolder).build();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        inProcess.close();
        ExecutorEmbedderCache.closeAll();
    }

    /** 10,000 English texts, the hard set, an empty string and nulls: ids {@code 0..n-1}, in that order. */
    private static List<String> texts() {
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 10_000));
        texts.addAll(TestData.hard());
        texts.add("");
        texts.add(null);
        texts.add(3, null);
        return texts;
    }

    private static Dataset<Row> frame(List<String> texts, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create((long) i, texts.get(i), "en"));
        }
        return spark.createDataFrame(rows, SCHEMA).repartition(partitions);
    }

    /**
     * The text as a Spark row holds it: Spark stores strings as UTF-8, so a lone surrogate (the hard set has four)
     * is already '?' when the row reaches any stage. The vector is that of the stored text.
     */
    static String stored(String text) {
        return text == null ? null : new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static Map<Long, Row> byId(Dataset<Row> out) {
        Map<Long, Row> rows = new HashMap<>();
        for (Row r : out.collectAsList()) {
            assertNull(rows.put(r.getLong(0), r), "duplicate id " + r.getLong(0));
        }
        return rows;
    }

    private static float[] vector(Row r, String column) {
        List<Float> list = r.getList(r.fieldIndex(column));
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        return v;
    }

    @Test
    void everyVectorIsTheInProcessOneBitForBit() {
        List<String> texts = texts();
        Dataset<Row> out = new EmbeddingTransformer().setModel(modelFolder).setTokensCol("tokens")
                .transform(frame(texts, 6)); // truncatedCol: "truncated" by default
        assertEquals(List.of("id", "text", "lang", "embedding", "tokens", "truncated"), List.of(out.columns()));
        Map<Long, Row> rows = byId(out);
        assertEquals(texts.size(), rows.size());
        // the in-process vectors in one call (a text's vector is the same bits alone or batched:
        // RealModelBehaviourTest), which is faster than one call a text
        List<String> present = new ArrayList<>();
        for (String t : texts) {
            if (t != null) {
                present.add(stored(t));
            }
        }
        java.util.Iterator<float[]> expected = inProcess.embedAll(present).iterator();
        int truncated = 0;
        for (int i = 0; i < texts.size(); i++) {
            Row r = rows.get((long) i);
            assertNotNull(r, "row " + i + " missing");
            assertEquals(stored(texts.get(i)), r.getString(1));
            assertEquals("en", r.getString(2));
            if (texts.get(i) == null) {
                assertTrue(r.isNullAt(3), "a null text gives a null vector");
                assertTrue(r.isNullAt(4));
                continue;
            }
            assertArrayEquals(expected.next(), vector(r, "embedding"), "text " + i);
            int tokens = inProcess.tokenizer().encode(stored(texts.get(i))).length();
            assertEquals(Math.min(tokens, inProcess.maxLength()), r.getInt(4));
            truncated += r.getBoolean(5) ? 1 : 0;
        }
        assertTrue(truncated > 0, "the corpus has texts over 256 tokens");
    }

    @Test
    void chunkRowsAreTheDocumentEmbedderChunks() {
        List<String> texts = new ArrayList<>();
        for (String t : TestData.english()) {
            if (inProcess.tokenizer().encode(t).length() > 200) {
                texts.add(t + " " + t); // long enough for several windows at maxLength 128
            }
            if (texts.size() == 40) {
                break;
            }
        }
        texts.addAll(TestData.hard());
        texts.add(1, null);
        Dataset<Row> out = new EmbeddingTransformer().setModel(modelFolder).setMaxLength(128).setLongText("chunks")
                .setChunksCol("chunks").setTruncatedCol("").transform(frame(texts, 3));
        assertEquals(List.of("id", "text", "lang", "embedding", "chunks", "chunk", "start", "end"),
                List.of(out.columns()));
        Map<String, Row> rows = new HashMap<>();
        for (Row r : out.collectAsList()) {
            String key = r.getLong(0) + "/" + (r.isNullAt(5) ? "-" : r.getInt(5));
            assertNull(rows.put(key, r), "duplicate " + key);
        }
        try (SentenceEmbedder short128 = SentenceEmbedder.builder().model(modelFolder).maxLength(128).build()) {
            DocumentEmbedder reference = new DocumentEmbedder(short128, LongTextPolicy.CHUNKS,
                    DocumentEmbedder.defaultStride(short128));
            int expected = 1; // the null text's row
            int multi = 0;
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i) == null) {
                    Row r = rows.get(i + "/-");
                    assertTrue(r.isNullAt(3) && r.isNullAt(4) && r.isNullAt(6));
                    continue;
                }
                DocumentResult doc = reference.embedAll(List.of(stored(texts.get(i)))).get(0);
                expected += doc.chunks().size();
                multi += doc.chunks().size() > 1 ? 1 : 0;
                for (int c = 0; c < doc.chunks().size(); c++) {
                    DocumentResult.Chunk chunk = doc.chunks().get(c);
                    Row r = rows.get(i + "/" + c);
                    assertNotNull(r, "text " + i + " chunk " + c);
                    assertArrayEquals(chunk.vector(), vector(r, "embedding"), "text " + i + " chunk " + c);
                    assertEquals(doc.chunks().size(), r.getInt(4));
                    assertEquals(chunk.start(), r.getInt(6));
                    assertEquals(chunk.end(), r.getInt(7));
                }
            }
            assertEquals(expected, rows.size());
            assertTrue(multi >= 40, "long texts give several windows: " + multi);
        }
    }

    @Test
    void chunkGivesTheCombinedVectorOfDocumentEmbedder() {
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 300));
        Dataset<Row> out = new EmbeddingTransformer().setModel(modelFolder).setMaxLength(64).setStride(8)
                .setLongText("CHUNK").setChunksCol("windows").setTruncatedCol("").transform(frame(texts, 2));
        Map<Long, Row> rows = byId(out);
        try (SentenceEmbedder short64 = SentenceEmbedder.builder().model(modelFolder).maxLength(64).build()) {
            List<DocumentResult> reference = new DocumentEmbedder(short64, LongTextPolicy.CHUNK, 8).embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(reference.get(i).vector(), vector(rows.get((long) i), "embedding"));
                assertEquals(reference.get(i).chunks().size(), rows.get((long) i).getInt(4));
            }
        }
    }

    @Test
    void pipelineSavedAndLoadedGivesTheSameOutput(@TempDir Path dir) throws Exception {
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 200));
        texts.addAll(TestData.hard());
        Dataset<Row> input = frame(texts, 2).withColumnRenamed("text", "body");
        EmbeddingTransformer stage = new EmbeddingTransformer().setInputCol("body").setOutputCol("vec").setModel(modelFolder)
                .setMaxLength(128).setBatchSize(8).setMaxRunTokens(512).setPooling("cls").setNormalize(false);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[]{stage}).fit(input);
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        EmbeddingTransformer reloaded = (EmbeddingTransformer) loaded.stages()[0];
        assertEquals(stage.uid(), reloaded.uid());
        assertEquals("body", reloaded.getInputCol());
        assertEquals(stage.extractParamMap().toString(), reloaded.extractParamMap().toString());

        Map<Long, Row> before = byId(fitted.transform(input));
        Map<Long, Row> after = byId(loaded.transform(input));
        try (SentenceEmbedder cls = SentenceEmbedder.builder().model(modelFolder).maxLength(128)
                .pooling(io.github.bertembed.pooling.Pooling.CLS).normalize(false).build()) {
            for (int i = 0; i < texts.size(); i++) {
                float[] v = vector(before.get((long) i), "vec");
                assertArrayEquals(v, vector(after.get((long) i), "vec"));
                assertArrayEquals(cls.embed(stored(texts.get(i))), v, "the params reach the executors");
            }
        }
        EmbeddingTransformer alone = EmbeddingTransformer.load(saveAlone(stage, dir));
        assertEquals(stage.extractParamMap().toString(), alone.extractParamMap().toString());
    }

    private static String saveAlone(EmbeddingTransformer stage, Path dir) throws Exception {
        String path = dir.resolve("stage").toString();
        stage.write().overwrite().save(path);
        return path;
    }

    /** Fails the first attempt of one task halfway through its partition, after rows went through the embedder. */
    static final class FailFirstAttempt implements MapFunction<Row, Row> {
        @Override
        public Row call(Row row) {
            TaskContext task = TaskContext.get();
            if (task.partitionId() == 1 && task.attemptNumber() == 0 && row.getLong(0) % 7 == 3) {
                throw new IllegalStateException("injected failure of the first attempt");
            }
            return row;
        }
    }

    @Test
    void aTaskFailingOnItsFirstAttemptIsRetriedWithoutLossOrDuplicates(@TempDir Path dir) {
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 1200));
        Dataset<Row> input = frame(texts, 2);
        // Rows 0..k of partition 1 are embedded (a full window) before its first attempt dies.
        Dataset<Row> flaky = input.map(new FailFirstAttempt(), Encoders.row(SCHEMA));
        String path = dir.resolve("out").toString();
        new EmbeddingTransformer().setModel(modelFolder).transform(flaky).write().parquet(path);
        Map<Long, Row> rows = byId(spark.read().parquet(path));
        assertEquals(texts.size(), rows.size());
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(inProcess.embed(texts.get(i)), vector(rows.get((long) i), "embedding"));
        }
    }

    @Test
    void schemaErrorsNameTheProblem() {
        Dataset<Row> input = frame(List.of("a"), 1);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddingTransformer().setInputCol("body").transformSchema(input.schema()));
        assertEquals("EmbeddingTransformer: input column 'body' does not exist; the columns are id, text, lang",
                missing.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddingTransformer().setInputCol("id").transform(input));
        assertEquals("EmbeddingTransformer: input column 'id' must be a string column, it is bigint", type.getMessage());
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddingTransformer().setOutputCol("lang").transformSchema(input.schema()));
        assertEquals("EmbeddingTransformer: output column 'lang' already exists", taken.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EmbeddingTransformer().setLongText("split"));
    }

    /** Under refuse a long text fails the job with the library's message: its token count and the maximum. */
    @Test
    void refuseFailsTheJobNamingTheTokens() {
        String longText = String.join(" ", TestData.english().subList(0, 40));
        int tokens = inProcess.tokenizer().toBuilder().maxLength(0).build().encode(longText).length();
        Dataset<Row> input = frame(List.of("a fox", longText), 1);
        Exception e = assertThrows(Exception.class, () -> new EmbeddingTransformer().setModel(modelFolder)
                .setLongText("refuse").transform(input).collectAsList());
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertTrue(root.getMessage().contains("has " + tokens + " tokens, more than the model's maximum length of "
                + inProcess.maxLength()), root.getMessage());
    }

    @Test
    void modelsByNameFromTheClasspathAndByHadoopUri() {
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 100));
        texts.addAll(TestData.hard());
        String uri = TestData.model("all-minilm-l6-v2").toAbsolutePath().toUri().toString(); // file:///...
        assertTrue(uri.startsWith("file:/"));
        Map<Long, Row> byUri = byId(new EmbeddingTransformer().setModel(uri).transform(frame(texts, 2)));
        // The name resolves to the langchain4j model jar on the test classpath (its own copy of the same model).
        Map<Long, Row> byName = byId(new EmbeddingTransformer().setModel("all-minilm-l6-v2").transform(frame(texts, 2)));
        try (SentenceEmbedder named = SentenceEmbedder.builder().model("all-minilm-l6-v2").build()) {
            for (int i = 0; i < texts.size(); i++) {
                String text = stored(texts.get(i));
                assertArrayEquals(inProcess.embed(text), vector(byUri.get((long) i), "embedding"));
                // By name the known model's settings apply (max length 256, where the bare folder allows 512).
                assertArrayEquals(named.embed(text), vector(byName.get((long) i), "embedding"));
            }
        }
        assertThrows(Exception.class, () -> new EmbeddingTransformer().setModel("file:///nonexistent/model")
                .transform(frame(List.of("x"), 1)).collectAsList());
    }

    @Test
    void oneEmbedderPerConfigurationIsSharedByTheTasks() {
        Dataset<Row> input = frame(TestData.english().subList(0, 50), 8);
        EmbeddingTransformer stage = new EmbeddingTransformer().setModel(modelFolder).setMaxLength(100);
        int before = ExecutorEmbedderCache.size();
        stage.transform(input).count();
        stage.transform(input).collectAsList();
        assertEquals(before + 1, ExecutorEmbedderCache.size(), "eight tasks, two runs: one embedder");
        assertFalse(stage.transform(input).isEmpty());
    }
}
