package io.github.bertembed.onnx;

import io.github.bertembed.TinyBertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoderGraphCacheTest {
    @TempDir
    Path dir;

    @Test
    void cutGraphHasOnlyTheEncoderInputs() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("m"));
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        OnnxModelFile cut = OnnxModelFile.parse(Path.of("cut"), EncoderGraph.cut(onnx, layer, EncoderRewrite.PLAIN));
        assertEquals(List.of("inputs_embeds", "attention_mask"),
                cut.graph().getInputList().stream().map(v -> v.getName()).toList());
        assertTrue(cut.graph().getInitializerList().stream().noneMatch(t -> t.getName().contains("embeddings")),
                "embedding tables are dropped");
        assertEquals(onnx.countOps("Softmax"), cut.countOps("Softmax"));
    }

    @Test
    void storedOnceThenFoundAndACorruptFileIsNotUsed() throws Exception {
        OnnxModelFile onnx = OnnxModelFile.read(TinyBertModel.write(dir.resolve("m")).resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        EncoderGraphCache cache = new EncoderGraphCache(List.of(dir.resolve("cache")));
        assertNull(cache.find(onnx, EncoderRewrite.PLAIN), "nothing cached yet");
        byte[] good = EncoderGraph.cut(onnx, layer, EncoderRewrite.PLAIN);
        Path stored = cache.store(onnx, EncoderRewrite.PLAIN, good);
        assertTrue(stored.getFileName().toString().contains(onnx.sha256().substring(0, 32)), "keyed by the model's hash");
        assertEquals(stored, cache.find(onnx, EncoderRewrite.PLAIN));
        assertArrayEquals(good, Files.readAllBytes(stored));
        assertNull(cache.find(onnx, EncoderRewrite.FUSED_PACKED), "each rewrite has its own file");

        byte[] corrupt = good.clone();
        corrupt[corrupt.length / 2] ^= 0x55;
        Files.write(stored, corrupt);
        assertNull(cache.find(onnx, EncoderRewrite.PLAIN), "a corrupt file is detected by its hash");
    }

    @Test
    void sessionsOpenTheCachedGraphWithoutCuttingAgain() throws Exception {
        OnnxModelFile onnx = OnnxModelFile.read(TinyBertModel.write(dir.resolve("m3")).resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        EncoderGraphCache cache = new EncoderGraphCache(List.of(dir.resolve("cache3")));
        // A different, valid graph under the plain cut's key: a load that used the cache runs it, one that cut
        // the model again would run the plain (padded) cut.
        cache.store(onnx, EncoderRewrite.PLAIN, EncoderGraph.cut(onnx, layer, EncoderRewrite.FUSED_PACKED));
        try (EncoderSessions s = EncoderSessions.open(onnx, layer, EncoderRewrite.PLAIN, cache,
                SessionOptions.defaults(), EncoderSessions.Parallelism.ONE_SESSION)) {
            assertTrue(s.main().packsTokens(), "the cached graph was opened");
        }
    }

    @Test
    void anUnwritableFolderFallsBackToTheNextAndNoneWritableCutsInMemory() throws Exception {
        OnnxModelFile onnx = OnnxModelFile.read(TinyBertModel.write(dir.resolve("m2")).resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        byte[] graph = EncoderGraph.cut(onnx, layer, EncoderRewrite.PLAIN);
        // Nothing can be created under a regular file, whoever runs the test (root included).
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path fallback = dir.resolve("fallback");
        Path stored = new EncoderGraphCache(List.of(file.resolve("sub"), fallback)).store(onnx, EncoderRewrite.PLAIN,
                graph);
        assertTrue(stored.startsWith(fallback), stored.toString());
        assertFalse(Files.exists(file.resolve("sub")));

        EncoderGraphCache nowhere = new EncoderGraphCache(List.of(file.resolve("sub")));
        assertNull(nowhere.store(onnx, EncoderRewrite.PLAIN, graph));
        try (EncoderSessions s = EncoderSessions.open(onnx, layer, EncoderRewrite.FUSED_PACKED, nowhere,
                SessionOptions.defaults(), EncoderSessions.Parallelism.WITH_SINGLE_THREAD_SESSION)) {
            assertNotNull(s.single(), "both sessions open from the one cut in memory");
            assertTrue(s.main().packsTokens() && s.single().packsTokens());
        }
    }
}
