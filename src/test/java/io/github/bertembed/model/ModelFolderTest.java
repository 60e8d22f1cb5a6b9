package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.FullGraphReference;
import io.github.bertembed.TestData;
import io.github.bertembed.tokenizer.Encoding;
import io.github.bertembed.pooling.Pooling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Folders as Hugging Face repos and sentence-transformers keep them: the export under onnx/, and modules.json read
 * as the whole pipeline, so that a module we do not run is refused instead of silently skipped.
 */
class ModelFolderTest {
    private static final List<String> TEXTS = List.of("A fox sleeps.", "Two dogs run in the park.", "");

    @TempDir
    Path dir;

    /** all-minilm-l6-v2's files laid out as its Hugging Face repo: onnx/model.onnx and the sentence-transformers files. */
    private Path hubRepo(String modules, String pooling) throws Exception {
        Path source = TestData.model("all-minilm-l6-v2");
        Path repo = Files.createTempDirectory(dir, "all-MiniLM-L6-v2");
        Files.createDirectories(repo.resolve("onnx"));
        Files.createDirectories(repo.resolve("1_Pooling"));
        Files.copy(source.resolve("model.onnx"), repo.resolve("onnx/model.onnx"));
        Files.copy(source.resolve("tokenizer.json"), repo.resolve("tokenizer.json"));
        Files.writeString(repo.resolve("modules.json"), modules);
        Files.writeString(repo.resolve("1_Pooling/config.json"), pooling);
        Files.writeString(repo.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256, \"do_lower_case\": false}");
        return repo;
    }

    private static final String MODULES = """
            [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
             {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]""";
    private static final String MEAN = """
            {"word_embedding_dimension": 384, "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true,
             "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}""";

    @Test
    void aHubRepoWithItsExportUnderOnnxGivesTheNamedModelsVectors() throws Exception {
        Path repo = hubRepo(MODULES, MEAN);
        try (SentenceEmbedder named = SentenceEmbedder.builder().modelsDir(TestData.modelsDir())
                .model("all-minilm-l6-v2").build();
             SentenceEmbedder folder = SentenceEmbedder.builder().model(repo.toString()).build()) {
            assertEquals(repo.resolve("onnx/model.onnx"), ModelFolder.open(folder.location()).modelFile());
            List<float[]> expected = named.embedAll(TEXTS);
            List<float[]> actual = folder.embedAll(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertArrayEquals(expected.get(i), actual.get(i), 0f, "the same graph: the same bits");
            }
            assertEquals(Pooling.MEAN, folder.pooling());
            assertTrue(folder.normalizes());
        }
    }

    @Test
    void anOnnxVariantOfTheRepoIsChosenByName() throws Exception {
        Path repo = hubRepo(MODULES, MEAN);
        Files.copy(TestData.model("all-minilm-l6-v2-q").resolve("model.onnx"), repo.resolve("onnx/model_quantized.onnx"));
        try (SentenceEmbedder named = SentenceEmbedder.builder().modelsDir(TestData.modelsDir())
                .model("all-minilm-l6-v2-q").build();
             SentenceEmbedder variant = SentenceEmbedder.builder().model(repo.toString())
                     .onnxFile("model_quantized.onnx").build()) {
            assertTrue(variant.quantized());
            for (String text : TEXTS) {
                assertArrayEquals(named.embed(text), variant.embed(text), 0f, text);
            }
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder
                .builder().model(repo.toString()).onnxFile("model_O4.onnx").build());
        assertEquals("model folder " + repo.toAbsolutePath().normalize() + " has no model_O4.onnx (nor onnx/model_O4.onnx);"
                + " its ONNX files: onnx/model.onnx, onnx/model_quantized.onnx", missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model(repo.toString())
                .onnxFile("../model.onnx").build());
    }

    /**
     * Every module after the encoder against a plain double-precision implementation written here, over the full
     * ONNX graph's token vectors: each pooling mode, several concatenated, a Dense layer (random weights in a
     * safetensors file), then Normalize.
     */
    @Test
    void poolingModesAndDenseEqualAPlainImplementationOverTheFullGraph() throws Exception {
        Random r = new Random(5);
        int in = 384 * 2;
        int out = 96;
        float[] w = new float[out * in];
        float[] b = new float[out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextGaussian() * 0.01);
        }
        String cases = "cls+mean dense;mean_sqrt_len;weightedmean;lasttoken;max";
        for (String c : cases.split(";")) {
            boolean dense = c.endsWith(" dense");
            String[] modes = c.replace(" dense", "").split("\\+");
            StringBuilder pooling = new StringBuilder("{\"word_embedding_dimension\": 384");
            for (String m : List.of("cls_token", "max_tokens", "mean_tokens", "mean_sqrt_len_tokens",
                    "weightedmean_tokens", "lasttoken")) {
                boolean on = false;
                for (String mode : modes) {
                    on |= m.equals(mode + "_tokens") || m.equals(mode + "_token") || m.equals(mode);
                }
                pooling.append(", \"pooling_mode_").append(m).append("\": ").append(on);
            }
            pooling.append('}');
            String modules = dense ? MODULES.replace("{\"idx\": 2, \"name\": \"2\", \"path\": \"2_Normalize\"",
                    "{\"idx\": 2, \"name\": \"2\", \"path\": \"2_Dense\", \"type\": \"sentence_transformers.models.Dense\"},"
                    + " {\"idx\": 3, \"name\": \"3\", \"path\": \"3_Normalize\"") : MODULES;
            Path repo = hubRepo(modules, pooling.toString());
            if (dense) {
                Files.createDirectories(repo.resolve("2_Dense"));
                Files.writeString(repo.resolve("2_Dense/config.json"), "{\"in_features\": " + in
                        + ", \"out_features\": " + out + ", \"bias\": true, \"activation_function\":"
                        + " \"torch.nn.modules.activation.Tanh\"}");
                writeSafetensors(repo.resolve("2_Dense/model.safetensors"), w, new long[]{out, in}, b);
            }
            try (SentenceEmbedder model = SentenceEmbedder.builder().model(repo.toString()).build();
                 FullGraphReference graph = new FullGraphReference(repo.resolve("onnx/model.onnx"), null)) {
                assertEquals(dense ? out : 384, model.dimension(), c);
                for (String text : TEXTS) {
                    Encoding e = model.tokenizer().encode(text);
                    float[] states = graph.run(e, "last_hidden_state");
                    double[] v = new double[0];
                    for (String mode : modes) {
                        v = concat(v, pool(mode, states, e.length(), 384));
                    }
                    if (dense) {
                        double[] y = new double[out];
                        for (int o = 0; o < out; o++) {
                            double sum = b[o];
                            for (int i = 0; i < in; i++) {
                                sum += (double) w[o * in + i] * v[i];
                            }
                            y[o] = Math.tanh(sum);
                        }
                        v = y;
                    }
                    double norm = 0;
                    for (double x : v) {
                        norm += x * x;
                    }
                    float[] expected = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        expected[i] = (float) (v[i] / Math.sqrt(norm));
                    }
                    assertArrayEquals(expected, model.embed(text), 1e-5f, c + ": " + text);
                }
            }
        }
    }

    private static double[] pool(String mode, float[] states, int n, int dim) {
        double[] out = new double[dim];
        double weights = 0;
        for (int t = 0; t < n; t++) {
            double wt = mode.equals("weightedmean") ? t + 1 : 1;
            weights += wt;
            for (int i = 0; i < dim; i++) {
                double x = states[t * dim + i];
                switch (mode) {
                    case "max" -> out[i] = t == 0 ? x : Math.max(out[i], x);
                    case "cls" -> out[i] = t == 0 ? x : out[i];
                    case "lasttoken" -> out[i] = x;
                    default -> out[i] += wt * x;
                }
            }
        }
        for (int i = 0; i < dim; i++) {
            switch (mode) {
                case "mean", "weightedmean" -> out[i] /= weights;
                case "mean_sqrt_len" -> out[i] /= Math.sqrt(n);
                default -> { }
            }
        }
        return out;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A safetensors file as the format describes it: header size, JSON header, little-endian F32 data. */
    private static void writeSafetensors(Path file, float[] weight, long[] shape, float[] bias) throws Exception {
        String header = "{\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[" + shape[0] + "," + shape[1]
                + "],\"data_offsets\":[0," + weight.length * 4 + "]},\"linear.bias\":{\"dtype\":\"F32\",\"shape\":["
                + bias.length + "],\"data_offsets\":[" + weight.length * 4 + "," + (weight.length + bias.length) * 4
                + "]},\"__metadata__\":{\"format\":\"pt\"}}";
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(8 + h.length + (weight.length + bias.length) * 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (float x : weight) {
            buf.putFloat(x);
        }
        for (float x : bias) {
            buf.putFloat(x);
        }
        Files.write(file, buf.array());
    }

    @Test
    void modulesWeDoNotRunAreRefusedNamingThem() throws Exception {
        Path repo = hubRepo(MODULES.replace("sentence_transformers.models.Normalize", "sentence_transformers.models.LayerNorm")
                .replace("2_Normalize", "2_LayerNorm"), MEAN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(repo.toString()).build());
        assertEquals(repo.resolve("modules.json") + " lists a sentence_transformers.models.LayerNorm module (2_LayerNorm),"
                + " which bert-embed does not run; its vectors would differ from sentence-transformers'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model(repo.toString())
                .pooling(Pooling.MEAN).build(), "choosing the pooling does not make the module go away");

        Path pickled = hubRepo(MODULES.replace("sentence_transformers.models.Normalize", "sentence_transformers.models.Dense")
                .replace("2_Normalize", "2_Dense"), MEAN);
        Files.createDirectories(pickled.resolve("2_Dense"));
        Files.writeString(pickled.resolve("2_Dense/config.json"), "{\"in_features\": 384, \"out_features\": 8}");
        Files.write(pickled.resolve("2_Dense/pytorch_model.bin"), new byte[]{1, 2, 3});
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(pickled.toString()).build());
        assertTrue(p.getMessage().contains("has no model.safetensors (only pytorch_model.bin"), p.getMessage());

        Path none = hubRepo(MODULES, MEAN.replace("\"pooling_mode_mean_tokens\": true", "\"pooling_mode_mean_tokens\": false"));
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(none.toString()).build());
        assertEquals(none.resolve("1_Pooling/config.json") + " turns on no pooling mode; choose one (Builder.pooling /"
                + " --pooling)", n.getMessage());
        try (SentenceEmbedder chosen = SentenceEmbedder.builder().model(none.toString()).pooling(Pooling.CLS).build()) {
            assertEquals(Pooling.CLS, chosen.pooling());
        }
    }
}
