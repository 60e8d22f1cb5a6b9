package io.github.bertembed.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.FullGraphReference;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.bench.BenchCorpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our int8 all-minilm-l6-v2, quantized once from its folder: the cut we run against the whole int8 graph in
 * onnxruntime, batch invariance, the report's figures recomputed here from both models' vectors, accuracy on texts
 * the report did not see, and the refusals.
 */
@Tag("reference")
class ModelQuantizerTest {
    @TempDir
    static Path dir;
    static Path int8;
    static QuantizationReport report;
    static List<String> calibration;
    static List<String> heldOut;

    @BeforeAll
    static void quantize() throws Exception {
        List<String> fortunes = BenchCorpus.read(Path.of("tests/corpora/fortunes-en.jsonl.gz"), 1400);
        calibration = fortunes.subList(0, 200);
        heldOut = fortunes.subList(400, 1400);
        int8 = dir.resolve("minilm-int8");
        report = ModelQuantizer.quantize(TestData.model("all-minilm-l6-v2").toString(), int8, Set.of(), calibration);
    }

    @Test
    void ourCutOfTheInt8ModelIsItsWholeGraphAndRunsPackedAndBatchInvariant() throws Exception {
        try (SentenceEmbedder model = SentenceEmbedder.builder().model(int8.toString()).build();
             FullGraphReference whole = new FullGraphReference(int8.resolve("model.onnx"), null)) {
            assertTrue(model.packsTokens(), model.encoderPath());
            assertTrue(!model.quantized(), "not run text by text");
            List<String> texts = new ArrayList<>(heldOut.subList(0, 32));
            texts.set(7, "a");
            texts.set(8, "x ".repeat(200));
            List<float[]> batch = model.embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                float[] alone = model.embed(texts.get(i));
                assertArrayEquals(alone, batch.get(i), 0f, "alone vs a batch of 32: " + i);
                assertArrayEquals(alone, model.embedAll(List.of(texts.get((i + 1) % 32), texts.get(i))).get(1), 0f,
                        "alone vs a batch of 2: " + i);
                float[] reference = whole.sentence(model.tokenizer().encode(texts.get(i)), "mean");
                double max = 0;
                for (int k = 0; k < reference.length; k++) {
                    max = Math.max(max, Math.abs(reference[k] - alone[k]));
                }
                assertTrue(max <= 1e-5, "text " + i + " differs from the whole int8 graph by " + max);
            }
        }
    }

    @Test
    void theReportsFiguresAreTheVectorsOwn() throws Exception {
        try (SentenceEmbedder fp32 = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString()).build();
             SentenceEmbedder model = SentenceEmbedder.builder().model(int8.toString()).build()) {
            List<float[]> a = fp32.embedAll(calibration);
            List<float[]> b = model.embedAll(calibration);
            double[] cos = new double[a.size()];
            for (int i = 0; i < cos.length; i++) {
                cos[i] = cosine(a.get(i), b.get(i));
            }
            double mean = Arrays.stream(cos).average().orElseThrow();
            Arrays.sort(cos);
            assertEquals(cos[0], report.cosineMin(), 1e-9);
            assertEquals(cos[1], report.cosineP1(), 1e-9, "the 1st percentile of 200 is the 2nd smallest");
            assertEquals(cos[99], report.cosineMedian(), 1e-9, "nearest-rank median of 200");
            assertEquals(mean, report.cosineMean(), 1e-9);
            long shared = 0;
            for (int q = 0; q < a.size(); q++) {
                List<Integer> x = top10(a, q);
                List<Integer> y = top10(b, q);
                shared += x.stream().filter(y::contains).count();
            }
            assertEquals((double) shared / a.size(), report.top10(), 1e-9);
            assertEquals(Files.size(int8.resolve("model.onnx")), report.int8Bytes());
            var saved = new ObjectMapper().readTree(int8.resolve(ModelQuantizer.REPORT_FILE).toFile());
            assertEquals(report.cosineMedian(), saved.at("/report/cosine_to_fp32/median").asDouble(), 0);
            assertEquals(24, saved.at("/method/matmuls_int8").asInt(), "4 per layer once attention is fused");
            assertTrue(saved.at("/method/embedding_tables").asText().startsWith("fp32"));
        }
    }

    @Test
    void onTextsTheReportDidNotSeeTheInt8VectorsStayNearFp32AndNearerThanTheShippedInt8() throws Exception {
        try (SentenceEmbedder fp32 = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString()).build();
             SentenceEmbedder ours = SentenceEmbedder.builder().model(int8.toString()).build();
             SentenceEmbedder shipped = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2-q").toString())
                     .build()) {
            List<float[]> a = fp32.embedAll(heldOut);
            double[] mine = sortedCosines(a, ours.embedAll(heldOut));
            double[] theirs = sortedCosines(a, shipped.embedAll(heldOut));
            int p1 = heldOut.size() / 100 - 1;
            int median = heldOut.size() / 2 - 1;
            assertTrue(mine[median] >= 0.997, "median " + mine[median]);
            assertTrue(mine[p1] >= 0.99, "p1 " + mine[p1]);
            assertTrue(mine[0] > theirs[0] && mine[p1] > theirs[p1] && mine[median] > theirs[median],
                    "min/p1/median " + mine[0] + "/" + mine[p1] + "/" + mine[median] + " vs the shipped -q model's "
                            + theirs[0] + "/" + theirs[p1] + "/" + theirs[median]);
        }
    }

    @Test
    void quantizedModelsAndUsedFoldersAreRefused() {
        IllegalArgumentException shipped = assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.quantize(
                TestData.model("all-minilm-l6-v2-q").toString(), dir.resolve("again"), Set.of(), calibration));
        assertTrue(shipped.getMessage().contains("is already quantized: quantize the fp32 model"), shipped.getMessage());
        IllegalArgumentException ours = assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.quantize(
                int8.toString(), dir.resolve("again2"), Set.of(), calibration));
        assertTrue(ours.getMessage().contains("is already quantized"), ours.getMessage());
        IllegalArgumentException used = assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.quantize(
                TestData.model("all-minilm-l6-v2").toString(), int8, Set.of(), calibration));
        assertTrue(used.getMessage().contains("is not empty"), used.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.layers("1,x"));
        Path failed = dir.resolve("all-fp32");
        IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class, () -> ModelQuantizer.quantize(
                TestData.model("all-minilm-l6-v2").toString(), failed, Set.of(0, 1, 2, 3, 4, 5), calibration));
        assertTrue(nothing.getMessage().contains("every layer was kept in fp32"), nothing.getMessage());
        assertTrue(!Files.exists(failed) && !Files.exists(dir.resolve("all-fp32.partial")), "no half-written folder");
    }

    @Test
    void aNamedModelAndLayersKeptInFp32() throws Exception {
        Path out = dir.resolve("named-keep");
        QuantizationReport r = ModelQuantizer.quantize("all-minilm-l6-v2", out, Set.of(0, 5), calibration.subList(0, 40));
        var saved = new ObjectMapper().readTree(out.resolve(ModelQuantizer.REPORT_FILE).toFile());
        assertEquals(16, saved.at("/method/matmuls_int8").asInt());
        assertEquals(8, saved.at("/method/matmuls_fp32").asInt());
        assertEquals("all-minilm-l6-v2", saved.at("/source").asText());
        assertTrue(r.cosineMin() > 0.98);
    }

    private static double[] sortedCosines(List<float[]> a, List<float[]> b) {
        double[] cos = new double[a.size()];
        for (int i = 0; i < cos.length; i++) {
            cos[i] = cosine(a.get(i), b.get(i));
        }
        Arrays.sort(cos);
        return cos;
    }

    private static List<Integer> top10(List<float[]> v, int q) {
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (i != q) {
                others.add(i);
            }
        }
        others.sort((i, j) -> {
            int c = Double.compare(cosine(v.get(q), v.get(j)), cosine(v.get(q), v.get(i)));
            return c != 0 ? c : Integer.compare(i, j);
        });
        return others.subList(0, 10);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
