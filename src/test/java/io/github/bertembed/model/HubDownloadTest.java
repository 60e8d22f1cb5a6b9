package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hugging Face ids downloaded into the Hugging Face cache, against {@link HubStandIn}: a loopback server answering
 * as the Hub's resolve endpoint does, serving all-MiniLM-L6-v2's repo built from the named model's files (the real
 * Hub cannot be reached from here).
 */
class HubDownloadTest {
    private static final String REPO = "sentence-transformers/all-MiniLM-L6-v2";
    private static final String COMMIT = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf";
    private static final List<String> TEXTS = List.of("A fox sleeps.", "Two dogs run in the park.", "");

    @TempDir
    Path cache;
    private Map<String, byte[]> files;
    private byte[] onnx;

    @BeforeEach
    void repo() throws Exception {
        Path source = TestData.model("all-minilm-l6-v2");
        onnx = Files.readAllBytes(source.resolve("model.onnx"));
        files = new LinkedHashMap<>();
        files.put("onnx/model.onnx", onnx);
        files.put("tokenizer.json", Files.readAllBytes(source.resolve("tokenizer.json")));
        files.put("modules.json", """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """.getBytes());
        files.put("1_Pooling/config.json", "{\"pooling_mode_mean_tokens\": true}".getBytes());
        files.put("sentence_bert_config.json", "{\"max_seq_length\": 256}".getBytes());
    }

    @AfterEach
    void clearProperties() {
        System.clearProperty(HubCache.PROPERTY);
        System.clearProperty("bertembed.hf.endpoint");
        System.clearProperty(MavenModelJars.OFFLINE_PROPERTY);
    }

    private HubStandIn hub(String token) throws Exception {
        return new HubStandIn(REPO, COMMIT, files, Set.of("onnx/model.onnx"), token);
    }

    private HubDownload.Settings settings(HubStandIn hub, String token, boolean offline) {
        return new HubDownload.Settings(cache, hub.endpoint(), token, offline);
    }

    @Test
    void anIdIsDownloadedInHuggingFaceHubsLayoutOnceAndGivesTheNamedModelsBits() throws Exception {
        try (HubStandIn hub = hub(null);
             SentenceEmbedder named = SentenceEmbedder.builder().modelsDir(TestData.modelsDir())
                     .model("all-minilm-l6-v2").build()) {
            System.setProperty(HubCache.PROPERTY, cache.toString());
            System.setProperty("bertembed.hf.endpoint", hub.endpoint());
            try (SentenceEmbedder byId = SentenceEmbedder.builder().model(REPO).build()) {
                for (String text : TEXTS) {
                    assertArrayEquals(named.embed(text), byId.embed(text), 0f, text);
                }
                assertTrue(byId.normalizes());
            }
            Path repo = cache.resolve("models--sentence-transformers--all-MiniLM-L6-v2");
            assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")));
            Path link = repo.resolve("snapshots/" + COMMIT + "/onnx/model.onnx");
            assertTrue(Files.isSymbolicLink(link));
            assertEquals(Path.of("../../../blobs/" + HubStandIn.sha256(onnx)), Files.readSymbolicLink(link));
            assertTrue(Files.isRegularFile(repo.resolve("blobs/" + HubStandIn.gitBlob(files.get("tokenizer.json")))));
            assertTrue(Files.exists(repo.resolve(".no_exist/" + COMMIT + "/config_sentence_transformers.json")));
            try (var blobs = Files.list(repo.resolve("blobs"))) {
                assertTrue(blobs.noneMatch(f -> f.toString().endsWith(".incomplete")));
            }
            int requests = hub.requests.size();
            try (SentenceEmbedder again = SentenceEmbedder.builder().model(REPO).build();
                 SentenceEmbedder pinned = SentenceEmbedder.builder().model(REPO + "@" + COMMIT).build()) {
                assertArrayEquals(named.embed(TEXTS.get(0)), pinned.embed(TEXTS.get(0)), 0f);
                assertArrayEquals(named.embed(TEXTS.get(0)), again.embed(TEXTS.get(0)), 0f);
            }
            assertEquals(requests, hub.requests.size(), "a complete snapshot is used without a request");
            assertTrue(hub.requests.stream().noneMatch(r -> r.startsWith("GET /" + REPO + "/resolve/main")
                    && !r.contains("onnx/")), "after the first answer, requests name the commit: " + hub.requests);
        }
    }

    /**
     * Each model the build unpacks, served as its Hugging Face repo (its export under onnx/, its tokenizer, and the
     * sentence-transformers files that say its published settings), downloaded by id into an empty cache: the named
     * model's bits.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-zh-v1.5"})
    void eachUnpackedModelServedAsAHubRepoGivesTheNamedModelsBits(String name) throws Exception {
        KnownModel known = KnownModel.find(name).orElseThrow();
        Path source = TestData.model(name);
        Map<String, byte[]> repo = new LinkedHashMap<>();
        repo.put("onnx/model.onnx", Files.readAllBytes(source.resolve("model.onnx")));
        repo.put("tokenizer.json", Files.readAllBytes(source.resolve("tokenizer.json")));
        repo.put("modules.json", """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """.getBytes());
        repo.put("1_Pooling/config.json", ("{\"pooling_mode_" + (known.pooling() == io.github.bertembed.pooling.Pooling.CLS
                ? "cls_token" : "mean_tokens") + "\": true}").getBytes());
        repo.put("sentence_bert_config.json", ("{\"max_seq_length\": " + known.maxLength() + "}").getBytes());
        String id = "org/" + name;
        try (HubStandIn hub = new HubStandIn(id, COMMIT, repo, Set.of("onnx/model.onnx"), null);
             SentenceEmbedder named = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(name).build()) {
            ModelLocation location = HubDownload.locate(id, null, settings(hub, null, false), DownloadProgress.NONE);
            try (SentenceEmbedder byId = SentenceEmbedder.builder().model(location.folder().toString()).build()) {
                List<String> texts = name.contains("zh") ? TestData.chinese().subList(0, 5) : TEXTS;
                for (String text : texts) {
                    assertArrayEquals(named.embed(text), byId.embed(text), 0f, name + ": " + text);
                }
                assertEquals(named.maxLength(), byId.maxLength());
            }
        }
    }

    @Test
    void aBrokenConnectionIsResumedWithARangeRequest() throws Exception {
        try (HubStandIn hub = hub(null)) {
            hub.cutAfter = 3_000_000;
            hub.cuts.set(1);
            ModelLocation location = HubDownload.locate(REPO, null, settings(hub, null, false), DownloadProgress.NONE);
            assertArrayEquals(onnx, Files.readAllBytes(location.folder().resolve("onnx/model.onnx")));
            // The second GET asks for the rest from what arrived (at most the 3,000,000 bytes sent before the cut).
            assertTrue(hub.requests.stream().filter(r -> r.startsWith("GET /cdn/") && r.contains(" bytes="))
                    .map(r -> Long.parseLong(r.replaceAll(".* bytes=(\\d+)-.*", "$1")))
                    .anyMatch(from -> from > 0 && from <= 3_000_000), hub.requests.toString());
        }
    }

    @Test
    void bytesThatDoNotMatchTheirEtagAreRemovedAndNothingIsLinked() throws Exception {
        try (HubStandIn hub = hub(null)) {
            hub.corrupt = true;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HubDownload.locate(REPO, null, settings(hub, null, false), DownloadProgress.NONE));
            assertTrue(e.getMessage().contains("arrived with SHA-256") && e.getMessage().contains("expected "
                    + HubStandIn.sha256(onnx)), e.getMessage());
            Path repo = cache.resolve("models--sentence-transformers--all-MiniLM-L6-v2");
            try (var blobs = Files.list(repo.resolve("blobs"))) {
                assertEquals(List.of(), blobs.toList());
            }
            assertFalse(Files.exists(repo.resolve("snapshots/" + COMMIT + "/onnx/model.onnx"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aPrivateRepoNeedsItsTokenWhichNeverAppearsInAMessageOrReachesTheCdn() throws Exception {
        String secret = "hf_secretToken123";
        try (HubStandIn hub = hub(secret)) {
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> HubDownload.locate(REPO, null, settings(hub, null, false), DownloadProgress.NONE));
            assertTrue(none.getMessage().contains("private or gated") && none.getMessage().contains("set HF_TOKEN"),
                    none.getMessage());
            String wrong = "hf_wrongToken456";
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> HubDownload.locate(REPO, null, settings(hub, wrong, false), DownloadProgress.NONE));
            assertFalse(refused.getMessage().contains(wrong), refused.getMessage());
            assertFalse(settings(hub, wrong, false).toString().contains(wrong));
            HubDownload.locate(REPO, null, settings(hub, secret, false), DownloadProgress.NONE);
            assertEquals(List.of(), hub.cdnWithAuthorization, "the token goes to the Hub's host only");
        }
    }

    @Test
    void offlineAnEmptyCacheIsRefusedWithoutARequest() throws Exception {
        try (HubStandIn hub = hub(null)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HubDownload.locate(REPO, null, settings(hub, null, true), DownloadProgress.NONE));
            assertTrue(e.getMessage().contains("is not in the cache") && e.getMessage().contains("huggingface-cli"
                    + " download " + REPO), e.getMessage());
            assertEquals(List.of(), hub.requests);
        }
    }

    @Test
    void aDamagedBlobIsFetchedAgainOnlineAndRefusedOffline() throws Exception {
        try (HubStandIn hub = hub(null)) {
            ModelLocation first = HubDownload.locate(REPO, null, settings(hub, null, false), DownloadProgress.NONE);
            Path blob = first.folder().resolve("onnx/model.onnx").toRealPath();
            byte[] damaged = Files.readAllBytes(blob);
            damaged[1000] ^= 1;
            Files.write(blob, damaged);
            IllegalArgumentException offline = assertThrows(IllegalArgumentException.class,
                    () -> HubDownload.locate(REPO, null, settings(hub, null, true), DownloadProgress.NONE));
            assertTrue(offline.getMessage().contains("onnx/model.onnx") && offline.getMessage().contains("damaged"),
                    offline.getMessage());
            int before = hub.requests.size();
            ModelLocation again = HubDownload.locate(REPO, null, settings(hub, null, false), DownloadProgress.NONE);
            assertTrue(hub.requests.size() > before);
            assertArrayEquals(onnx, Files.readAllBytes(again.folder().resolve("onnx/model.onnx")));
        }
    }

    @Test
    void namesThatWouldLeaveTheCacheAreRefusedBeforeAnyRequest() throws Exception {
        files.put("modules.json", """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "../../../evil", "type": "sentence_transformers.models.Pooling"}]
                """.getBytes());
        try (HubStandIn hub = hub(null)) {
            HubDownload.Settings s = settings(hub, null, false);
            for (String id : List.of("../etc/passwd", "org/..", "org/name@../../x", "/abs/path", "https://evil/x")) {
                assertThrows(IllegalArgumentException.class, () -> HubDownload.locate(id, null, s, DownloadProgress.NONE), id);
            }
            for (String file : List.of("../model.onnx", "/etc/passwd", "a\\b.onnx", "https://x/y.onnx")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> HubDownload.locate(REPO, file, s, DownloadProgress.NONE), file);
                assertTrue(e.getMessage().contains("would leave the model's folder"), e.getMessage());
            }
            assertEquals(List.of(), hub.requests);
            IllegalArgumentException module = assertThrows(IllegalArgumentException.class,
                    () -> HubDownload.locate(REPO, null, s, DownloadProgress.NONE));
            assertTrue(module.getMessage().contains("module path in modules.json '../../../evil'"), module.getMessage());
            assertTrue(hub.requests.stream().noneMatch(r -> r.contains("evil")), hub.requests.toString());
            IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> HubDownload.locate(REPO,
                    null, new HubDownload.Settings(cache, "http://example.com", null, false), DownloadProgress.NONE));
            assertTrue(plain.getMessage().contains("must be an https:// URL"), plain.getMessage());
        }
    }
}
