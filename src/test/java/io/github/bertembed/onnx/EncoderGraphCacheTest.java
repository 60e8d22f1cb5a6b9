package io.github.bertembed.onnx;

import io.github.bertembed.TinyBertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoderGraphCacheTest {
    @TempDir
    Path dir;

    @Test
    void cutGraphHasOnlyTheEncoderInputs() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("m"));
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        OnnxModelFile cut = OnnxModelFile.parse(Path.of("cut"), EncoderGraph.cut(onnx, layer));
        assertEquals(List.of("inputs_embeds", "attention_mask"),
                cut.graph().getInputList().stream().map(v -> v.getName()).toList());
        assertTrue(cut.graph().getInitializerList().stream().noneMatch(t -> t.getName().contains("embeddings")),
                "embedding tables are dropped");
        assertEquals(onnx.countOps("Softmax"), cut.countOps("Softmax"));
    }

    @Test
    void cachedOnceThenReusedAndRebuiltWhenCorrupt() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("m"));
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        Path cache = dir.resolve("cache");
        Path first = EncoderGraph.cached(onnx, layer, List.of(cache));
        assertNotNull(first);
        assertTrue(first.getFileName().toString().contains(onnx.sha256().substring(0, 32)), "keyed by the model's hash");
        byte[] good = Files.readAllBytes(first);
        long modified = Files.getLastModifiedTime(first).toMillis();
        Thread.sleep(20);
        assertEquals(first, EncoderGraph.cached(onnx, layer, List.of(cache)));
        assertEquals(modified, Files.getLastModifiedTime(first).toMillis(), "an intact cache is not rewritten");

        byte[] corrupt = good.clone();
        corrupt[corrupt.length / 2] ^= 0x55;
        Files.write(first, corrupt);
        Path rebuilt = EncoderGraph.cached(onnx, layer, List.of(cache));
        assertArrayEquals(good, Files.readAllBytes(rebuilt), "a corrupt cache is detected by hash and rebuilt");
    }

    @Test
    void readOnlyCacheFolderFallsBackToTheNext() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("m"));
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        boolean rootCanWrite = Files.isWritable(readOnly); // root ignores permissions
        Path fallback = dir.resolve("fallback");
        Path cached = EncoderGraph.cached(onnx, layer, List.of(readOnly, fallback));
        if (!rootCanWrite) {
            assertTrue(cached.startsWith(fallback));
        }
        assertNotNull(cached);
        // No writable folder at all: the caller gets null and cuts in memory.
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        assertEquals(null, EncoderGraph.cached(onnx, layer, List.of(file.resolve("sub"))));
        assertFalse(Files.exists(file.resolve("sub")));
    }
}
