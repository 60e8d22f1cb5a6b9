package io.github.bertembed.onnx;

import io.github.bertembed.FullGraphReference;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.onnx.ExportVariants.Variant;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every export convention users' ONNX files follow, each made from all-minilm-l6-v2's own graph and weights
 * ({@link ExportVariants}): the folder gives the named model's vectors (fp16 weights: the vectors of those weights),
 * and the variant's own full graph, run whole by onnxruntime and pooled here, agrees with ours.
 */
@Tag("reference")
class ExportConventionsTest {
    private static final List<String> TEXTS = List.of("A fox sleeps.", "Two dogs run in the park, far from home.",
            "", "naïve café – ünïcödé 😀", "x ".repeat(300));

    @TempDir
    static Path dir;
    static final java.util.Map<String, List<float[]>> EXPECTED = new java.util.HashMap<>();

    /** The named model's vectors, mean-pooled at 256 tokens as every variant folder is. */
    static List<float[]> expected(String model) {
        return EXPECTED.computeIfAbsent(model, m -> {
            try (SentenceEmbedder named = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(m)
                    .pooling(io.github.bertembed.pooling.Pooling.MEAN).maxLength(256).build()) {
                return named.embedAll(TEXTS);
            }
        });
    }

    /**
     * Each variant of all-minilm-l6-v2; the other two models the build unpacks for the conventions that apply to
     * them (the int8 model's quantized tables and dynamic quantization are not rewritten: no fp16, no folded
     * segment table, no optimizer passes that fuse its quantization away).
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> variants() {
        java.util.stream.Stream.Builder<org.junit.jupiter.params.provider.Arguments> out = java.util.stream.Stream.builder();
        for (Variant v : Variant.values()) {
            out.add(org.junit.jupiter.params.provider.Arguments.of("all-minilm-l6-v2", v));
        }
        for (Variant v : List.of(Variant.NO_TOKEN_TYPES_INPUT, Variant.NO_SEGMENT_TABLE, Variant.INT32_INPUTS,
                Variant.SENTENCE_TRANSFORMERS_OUTPUTS, Variant.EXTERNAL_DATA, Variant.FP16_WEIGHTS,
                Variant.TRANSFORMERS_OPTIMIZER)) {
            out.add(org.junit.jupiter.params.provider.Arguments.of("bge-small-zh-v1.5", v));
        }
        for (Variant v : List.of(Variant.NO_TOKEN_TYPES_INPUT, Variant.INT32_INPUTS, Variant.POOLER_OUTPUT_FIRST,
                Variant.EXTERNAL_DATA)) {
            out.add(org.junit.jupiter.params.provider.Arguments.of("all-minilm-l6-v2-q", v));
        }
        return out.build();
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.MethodSource("variants")
    void eachExportGivesTheVectorsOfItsOwnFullGraphAndOfTheNamedModel(String name, Variant variant) throws Exception {
        boolean python = variant == Variant.TRANSFORMERS_OPTIMIZER || variant == Variant.TRANSFORMERS_OPTIMIZER_FP16;
        if (python && System.getenv("BERT_EMBED_TEST_REQUIRE_PYTHON") == null) {
            Assumptions.assumeTrue(ExportVariants.pythonOptimizerAvailable(), "python3 with onnxruntime is not"
                    + " installed (pip install onnxruntime; .ci/run installs it and sets BERT_EMBED_TEST_REQUIRE_PYTHON)");
        }
        Path source = TestData.model(name);
        Path folder = dir.resolve(name + "-" + variant.name());
        Path file = ExportVariants.write(source.resolve("model.onnx"), variant, folder);
        Files.copy(source.resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        String tokenOutput = variant == Variant.SENTENCE_TRANSFORMERS_OUTPUTS ? "token_embeddings" : "last_hidden_state";
        List<float[]> expected = expected(name);
        try (SentenceEmbedder model = SentenceEmbedder.builder().model(folder.toString()).maxLength(256)
                .pooling(io.github.bertembed.pooling.Pooling.MEAN).build();
             FullGraphReference reference = new FullGraphReference(file, null)) {
            float tolerance = switch (variant) {
                case FP16_WEIGHTS -> 2e-3f;          // the weights rounded to float16
                case TRANSFORMERS_OPTIMIZER_FP16 -> 1e-2f; // and every activation too
                default -> 1e-5f;
            };
            for (int i = 0; i < TEXTS.size(); i++) {
                float[] actual = model.embed(TEXTS.get(i));
                Encoding e = model.tokenizer().encode(TEXTS.get(i));
                float[] own = reference.sentence(e, "mean", tokenOutput);
                assertEquals(0, maxAbs(own, actual), 1e-5, variant + ": the variant's own graph, text " + i);
                assertEquals(0, maxAbs(expected.get(i), actual), tolerance, variant + ": the named model, text " + i);
            }
            // Only the embedding layer fused with the attention mask keeps the graph whole.
            boolean whole = model.encoderPath().startsWith("the whole model graph");
            assertEquals(python, whole, model.encoderPath());
            OnnxModelFile graph = OnnxModelFile.read(file);
            if (python && name.equals("all-minilm-l6-v2")) {
                for (String op : List.of("EmbedLayerNormalization", "Attention", "SkipLayerNormalization", "BiasGelu")) {
                    assertTrue(graph.countOps(op) > 0, "the optimizer fused " + op);
                }
            }
            if (variant == Variant.ORT_SESSION_OPTIMIZED) {
                assertTrue(graph.countOps("LayerNormalization") > 0 && graph.countOps("BiasGelu") > 0, "fused");
            }
        }
    }

    @Test
    void aGraphWithOnlyPooledOutputsIsRefusedNamingThem() throws Exception {
        Path folder = dir.resolve("pooled-only");
        Path file = variant(Variant.SENTENCE_TRANSFORMERS_OUTPUTS, folder);
        var m = ExportVariants.read(file);
        var g = m.getGraph().toBuilder();
        g.removeOutput(1); // token_embeddings
        Files.write(file, m.toBuilder().setGraph(g).build().toByteArray());
        Files.copy(TestData.model("all-minilm-l6-v2").resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(folder.toString()).build());
        assertTrue(e.getMessage().contains("no graph output holds the token vectors (outputs: [sentence_embedding])"),
                e.getMessage());
    }

    @Test
    void externalDataOutsideTheModelsFolderIsRefusedBeforeItIsRead() throws Exception {
        Path file = variant(Variant.EXTERNAL_DATA, dir.resolve("escaping-data"));
        var m = ExportVariants.read(file);
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            var t = g.getInitializer(i);
            if (!t.getExternalDataList().isEmpty()) {
                g.setInitializer(i, t.toBuilder().setExternalData(0, t.getExternalData(0).toBuilder()
                        .setValue("../model.onnx_data")));
            }
        }
        Files.write(file, m.toBuilder().setGraph(g).build().toByteArray());
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> OnnxModelFile.read(file));
        assertTrue(e.getMessage().contains("names external data outside the model's folder: ../model.onnx_data"),
                e.getMessage());
        variant(Variant.EXTERNAL_DATA, dir.resolve("data-again"));
        Files.delete(dir.resolve("data-again/model.onnx_data"));
        e = assertThrows(java.io.IOException.class, () -> OnnxModelFile.read(dir.resolve("data-again/model.onnx")));
        assertTrue(e.getMessage().contains("external data of model.onnx not found"), e.getMessage());
    }

    @Test
    void aTokenizerWithMoreIdsThanTheTokenTableIsRefusedNamingBothSizes() throws Exception {
        Path other = dir.resolve("wrong-tokenizer-2");
        Files.createDirectories(other);
        Files.copy(TestData.model("bge-small-zh-v1.5").resolve("model.onnx"), other.resolve("model.onnx"));
        Files.copy(TestData.model("all-minilm-l6-v2").resolve("tokenizer.json"), other.resolve("tokenizer.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(other.toString()).build());
        assertTrue(e.getMessage().contains("its 30522 ids exceed the model's token table of 21128 rows"), e.getMessage());
    }

    private static Path variant(Variant variant, Path folder) throws Exception {
        return ExportVariants.write(TestData.model("all-minilm-l6-v2").resolve("model.onnx"), variant, folder);
    }

    static double maxAbs(float[] a, float[] b) {
        assertEquals(a.length, b.length, "dimension");
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
