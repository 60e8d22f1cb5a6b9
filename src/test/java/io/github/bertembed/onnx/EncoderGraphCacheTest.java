package io.github.bertembed.onnx;

import io.github.bertembed.TinyBertModel;
import org.junit.jupiter.api.Assumptions;
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
        // Root ignores permissions: then this part is skipped, visibly; the test below proves the fallback anyway.
        Assumptions.assumeFalse(Files.isWritable(readOnly), "running as root: a read-only folder is writable");
        Path fallback = dir.resolve("fallback");
        assertTrue(EncoderGraph.cached(onnx, layer, List.of(readOnly, fallback)).startsWith(fallback));
    }

    @Test
    void unwritableCacheFolderFallsBackToTheNextEvenForRoot() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("m2"));
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        // Nothing can be created under a regular file, whoever runs the test.
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path fallback = dir.resolve("fallback2");
        Path cached = EncoderGraph.cached(onnx, layer, List.of(file.resolve("sub"), fallback));
        assertTrue(cached.startsWith(fallback), cached.toString());
        assertFalse(Files.exists(file.resolve("sub")));
        // No writable folder at all: the caller gets null and cuts in memory.
        assertEquals(null, EncoderGraph.cached(onnx, layer, List.of(file.resolve("sub"))));
    }
}
