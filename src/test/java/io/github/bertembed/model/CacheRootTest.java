package io.github.bertembed.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one cache root policy: the caller's folder, the property, the user's cache, the temporary folder, in order. */
class CacheRootTest {
    @TempDir
    Path dir;

    @Test
    void rootsInOrderAndOneFolderAKind() {
        String before = System.getProperty(CacheRoot.SYSTEM_PROPERTY);
        System.setProperty(CacheRoot.SYSTEM_PROPERTY, dir.resolve("prop").toString());
        try {
            List<Path> roots = CacheRoot.roots(dir.resolve("mine"));
            assertEquals(dir.resolve("mine"), roots.get(0), "the caller's folder first");
            int prop = roots.indexOf(dir.resolve("prop"));
            assertTrue(prop > 0, "-Dbertembed.cache after it: " + roots);
            if (System.getenv("XDG_CACHE_HOME") == null) {
                assertTrue(roots.indexOf(Path.of(System.getProperty("user.home"), ".cache", "bert-embed")) > prop,
                        "~/.cache/bert-embed after the property: " + roots);
            }
            assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "bert-embed-"
                    + System.getProperty("user.name")).toAbsolutePath().normalize(), roots.get(roots.size() - 1),
                    "the temporary folder last");
            assertEquals(roots.stream().map(r -> r.resolve("encoders")).toList(),
                    CacheRoot.folders(dir.resolve("mine"), CacheRoot.Kind.ENCODERS));
            assertEquals(dir.resolve("mine").resolve("models"), CacheRoot.folders(dir.resolve("mine"),
                    CacheRoot.Kind.MODELS).get(0));
            assertEquals(dir.resolve("mine").resolve("spark"), CacheRoot.folders(dir.resolve("mine"),
                    CacheRoot.Kind.SPARK).get(0));
        } finally {
            if (before == null) {
                System.clearProperty(CacheRoot.SYSTEM_PROPERTY);
            } else {
                System.setProperty(CacheRoot.SYSTEM_PROPERTY, before);
            }
        }
    }

    @Test
    void theEmbedderKeepsItsEncoderGraphUnderTheCacheRootItIsGiven() throws Exception {
        // Weights of its own, so that no other cache root holds this model's graph already.
        Path model = io.github.bertembed.TinyBertModel.write(dir.resolve("tiny"), System.nanoTime(),
                io.github.bertembed.TinyBertModel.vocabulary().size());
        try (var e = io.github.bertembed.SentenceEmbedder.builder().model(model.toString()).cache(dir.resolve("root"))
                .build()) {
            e.embed("a cat");
        }
        try (var files = java.nio.file.Files.list(dir.resolve("root").resolve("encoders"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".onnx")), "the cut graph is there");
        }
        assertTrue(!java.nio.file.Files.exists(model.resolve(".bert-embed")), "nothing written beside the model");
    }
}
