package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models by Hugging Face id from a cache laid out as huggingface_hub writes it (blobs named by hash, snapshots of
 * symbolic links to them, refs naming commits), built here from all-MiniLM-L6-v2's files: no Hub is reachable.
 */
class HubCacheTest {
    private static final String COMMIT = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf";

    @TempDir
    Path dir;

    private Path cache() throws Exception {
        Path source = TestData.model("all-minilm-l6-v2");
        Path repo = dir.resolve("models--sentence-transformers--all-MiniLM-L6-v2");
        Path snapshot = repo.resolve("snapshots").resolve(COMMIT);
        Files.createDirectories(repo.resolve("blobs"));
        Files.createDirectories(snapshot.resolve("onnx"));
        Files.createDirectories(snapshot.resolve("1_Pooling"));
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        link(repo, snapshot, "onnx/model.onnx", Files.readAllBytes(source.resolve("model.onnx")), "a1");
        link(repo, snapshot, "tokenizer.json", Files.readAllBytes(source.resolve("tokenizer.json")), "b2");
        link(repo, snapshot, "modules.json", """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """.getBytes(), "c3");
        link(repo, snapshot, "1_Pooling/config.json", "{\"pooling_mode_mean_tokens\": true}".getBytes(), "d4");
        link(repo, snapshot, "sentence_bert_config.json", "{\"max_seq_length\": 256}".getBytes(), "e5");
        return dir;
    }

    /** A blob named by its hash, and the snapshot's file a relative symbolic link to it, as huggingface_hub makes them. */
    private static void link(Path repo, Path snapshot, String file, byte[] bytes, String hash) throws Exception {
        Path blob = Files.write(repo.resolve("blobs").resolve(hash), bytes);
        Path at = snapshot.resolve(file);
        Files.createSymbolicLink(at, at.getParent().relativize(blob));
    }

    @Test
    void anIdFromTheCacheGivesTheNamedModelsVectors() throws Exception {
        Path root = cache();
        System.setProperty(HubCache.PROPERTY, root.toString());
        try (SentenceEmbedder named = SentenceEmbedder.builder().modelsDir(TestData.modelsDir())
                .model("all-minilm-l6-v2").build();
             SentenceEmbedder byId = SentenceEmbedder.builder().model("sentence-transformers/all-MiniLM-L6-v2").build();
             SentenceEmbedder byCommit = SentenceEmbedder.builder()
                     .model("sentence-transformers/all-MiniLM-L6-v2@" + COMMIT).build()) {
            List<String> texts = List.of("A fox sleeps.", "Two dogs run in the park.");
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(named.embed(texts.get(i)), byId.embed(texts.get(i)), 0f);
                assertArrayEquals(named.embed(texts.get(i)), byCommit.embed(texts.get(i)), 0f);
            }
            assertEquals("sentence-transformers/all-MiniLM-L6-v2", byId.location().name());
            assertTrue(byId.location().origin().startsWith("Hugging Face cache "), byId.location().origin());
        } finally {
            System.clearProperty(HubCache.PROPERTY);
        }
    }

    @Test
    void whatIsNotThereIsNamedWithTheWayToGetIt() throws Exception {
        Path root = cache();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> HubCache.locate("BAAI/bge-small-en-v1.5", root));
        assertEquals("Hugging Face model BAAI/bge-small-en-v1.5 is not in the cache " + root + " (no "
                + Path.of("models--BAAI--bge-small-en-v1.5", "refs", "main") + "): download it with"
                + " `huggingface-cli download BAAI/bge-small-en-v1.5`, or set HF_HUB_CACHE / HF_HOME to the cache"
                + " that has it", missing.getMessage());
        IllegalArgumentException branch = assertThrows(IllegalArgumentException.class,
                () -> HubCache.locate("sentence-transformers/all-MiniLM-L6-v2@v2", root));
        assertTrue(branch.getMessage().contains("at v2 is not in the cache") && branch.getMessage()
                .contains("--revision v2"), branch.getMessage());
        assertFalse(HubCache.isId("../etc/passwd"));
        assertFalse(HubCache.isId("org/.."));
        assertFalse(HubCache.isId("a\\b/c"));
        assertThrows(IllegalArgumentException.class, () -> HubCache.locate("org/..x/y", root));
    }

    @Test
    void theCacheFolderFollowsHuggingFaceHubsVariables() {
        assertEquals(Path.of("/p"), HubCache.root("/p", Map.of("HF_HUB_CACHE", "/a")));
        assertEquals(Path.of("/a"), HubCache.root(null, Map.of("HF_HUB_CACHE", "/a", "HF_HOME", "/h")));
        assertEquals(Path.of("/h/hub"), HubCache.root(null, Map.of("HF_HOME", "/h", "XDG_CACHE_HOME", "/x")));
        assertEquals(Path.of("/x/huggingface/hub"), HubCache.root(null, Map.of("XDG_CACHE_HOME", "/x")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache/huggingface/hub"), HubCache.root(null, Map.of()));
    }
}
