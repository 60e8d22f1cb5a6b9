package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.TinyBertModel;

import ai.onnx.proto.OnnxMl;
import io.github.bertembed.pooling.Pooling;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models by name from jars on the classpath (langchain4j's model artifacts), the verified copy cache, and the
 * faults a user meets: damaged jars and entries, unwritable caches, two JVMs copying at once, graphs that are not
 * BERT.
 */
class ModelsTest {
    static final String MINILM = "all-minilm-l6-v2";

    @TempDir
    static Path dir;
    /** The real model artifact on the test classpath. */
    static Path minilmJar;
    /** The same files under a name no models folder has, so that resolution must go to the jar. */
    static Path renamedJar;

    @BeforeAll
    static void jars() throws Exception {
        minilmJar = ModelJars.jarHolding(MINILM + ".onnx");
        byte[] onnx = Files.readAllBytes(TestData.model(MINILM).resolve("model.onnx"));
        renamedJar = ModelJars.of(dir.resolve("renamed.jar"), "minilm-renamed", onnx, TestData.tokenizerJson(MINILM));
    }

    @Test
    void aKnownModelInItsArtifactIsCopiedOnceAndExactly() throws Exception {
        Path cache = dir.resolve("cache-known");
        try (var loader = ModelJars.loader(minilmJar)) {
            ModelLocation where = Models.fromClasspath(MINILM, loader, cache);
            assertTrue(where.copied());
            assertEquals(MINILM, where.known().name());
            assertTrue(where.origin().contains(minilmJar.getFileName().toString()) && where.origin().endsWith("!/" + MINILM + ".onnx"),
                    where.origin());
            assertTrue(where.folder().startsWith(cache.resolve("models")), where.folder().toString());
            // The copy is the artifact's bytes: the same as the folder the build unpacked from the same jar.
            assertEquals(-1, Files.mismatch(where.folder().resolve("model.onnx"), TestData.model(MINILM).resolve("model.onnx")));
            assertEquals(-1, Files.mismatch(where.folder().resolve("tokenizer.json"), TestData.tokenizerJson(MINILM)));
            FileTime written = Files.getLastModifiedTime(where.folder().resolve("model.onnx"));

            ModelLocation again = Models.fromClasspath(MINILM, loader, cache);
            assertEquals(where.folder(), again.folder());
            assertEquals(written, Files.getLastModifiedTime(again.folder().resolve("model.onnx")), "not copied twice");
        }
    }

    @Test
    void aNameFoundOnlyInAJarEmbedsLikeTheFolder() throws Exception {
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 200));
        texts.addAll(TestData.hard());
        try (var loader = ModelJars.loader(renamedJar);
             SentenceEmbedder fromJar = SentenceEmbedder.builder().model("minilm-renamed").classLoader(loader)
                     .cache(dir.resolve("cache-renamed")).maxLength(256).build();
             SentenceEmbedder fromFolder = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(MINILM).build()) {
            assertTrue(fromJar.location().copied(), fromJar.location().origin());
            assertEquals(256, fromFolder.maxLength(), "the known model's max_seq_length");
            List<float[]> a = fromJar.embedAll(texts);
            List<float[]> b = fromFolder.embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(b.get(i), a.get(i), texts.get(i));
            }
        }
    }

    @Test
    void aDamagedCopyIsDetectedAndReplaced() throws Exception {
        Path cache = dir.resolve("cache-damaged");
        try (var loader = ModelJars.loader(renamedJar)) {
            Path folder = Models.fromClasspath("minilm-renamed", loader, cache).folder();
            Path model = folder.resolve("model.onnx");
            byte[] bytes = Files.readAllBytes(model);
            bytes[bytes.length / 2] ^= 0x55;
            Files.write(model, bytes);
            Path again = Models.fromClasspath("minilm-renamed", loader, cache).folder();
            assertEquals(folder, again);
            assertEquals(-1, Files.mismatch(again.resolve("model.onnx"), TestData.model(MINILM).resolve("model.onnx")));
        }
    }

    @Test
    void anUnwritableCacheFallsBackToTheNextFolder() throws Exception {
        // Under a regular file nothing can be created, not even by root (where read-only permissions do not bind).
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path unwritable = file.resolve("cache");
        Path fallback = dir.resolve("cache-fallback");
        try (var loader = ModelJars.loader(renamedJar)) {
            var onnx = loader.getResource("minilm-renamed.onnx");
            var tok = loader.getResource("minilm-renamed-tokenizer.json");
            Path folder = new ModelCache(List.of(unwritable, fallback)).copy("minilm-renamed", onnx, tok, "test jar");
            assertTrue(folder.startsWith(fallback), folder.toString());
            var marker = new java.util.Properties();
            try (var in = Files.newInputStream(folder.resolve(ModelCache.MARKER))) {
                marker.load(in);
            }
            assertTrue(ModelCache.isIntact(folder, marker.getProperty("sha256")));

            var all = assertThrows(UncheckedIOException.class,
                    () -> new ModelCache(List.of(unwritable, file.resolve("other"))).copy("minilm-renamed", onnx, tok, "test jar"));
            String m = all.getMessage();
            assertTrue(m.contains(unwritable.toString()) && m.contains(file.resolve("other").toString())
                    && m.contains("BERT_EMBED_CACHE") && m.contains("test jar"), m);
        }
    }

    @Test
    void aTruncatedModelResourceNamesTheJarAndEntry() throws Exception {
        byte[] onnx = Files.readAllBytes(TestData.model(MINILM).resolve("model.onnx"));
        Path jar = ModelJars.of(dir.resolve("cut.jar"), "cut-model", Arrays.copyOf(onnx, 1 << 20), TestData.tokenizerJson(MINILM));
        try (var loader = ModelJars.loader(jar)) {
            var e = assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model("cut-model")
                    .classLoader(loader).cache(dir.resolve("cache-cut")).build());
            String m = e.getMessage();
            assertTrue(m.contains("cut.jar!/cut-model.onnx") && m.contains("not a readable ONNX model"), m);
        }
    }

    @Test
    void aCorruptJarEntryIsCaughtByItsCrc() throws Exception {
        Path tiny = TinyBertModel.write(dir.resolve("tiny-for-crc"));
        byte[] onnx = Files.readAllBytes(tiny.resolve("model.onnx"));
        Path jar = ModelJars.of(dir.resolve("crc.jar"), "crc-model", onnx, TestData.tokenizerJson(MINILM));
        // Flip one byte of the stored entry's data, as a bad disk or download would.
        byte[] bytes = Files.readAllBytes(jar);
        byte[] probe = Arrays.copyOfRange(onnx, onnx.length / 2, onnx.length / 2 + 64);
        int at = indexOf(bytes, probe);
        assertTrue(at > 0);
        bytes[at + 10] ^= 0x01;
        Files.write(jar, bytes);
        try (var loader = ModelJars.loader(jar)) {
            var e = assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model("crc-model")
                    .classLoader(loader).cache(dir.resolve("cache-crc")).build());
            String m = e.getMessage();
            assertTrue(m.contains("crc.jar!/crc-model.onnx") && m.contains("CRC") && m.contains("corrupt"), m);
        }
    }

    @Test
    void aJarWhoseGraphIsNotBertSaysSo() throws Exception {
        OnnxMl.ModelProto identity = OnnxMl.ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(OnnxMl.GraphProto.newBuilder().setName("identity")
                        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y"))
                        .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x"))
                        .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y")))
                .build();
        Path jar = ModelJars.of(dir.resolve("notbert.jar"), "not-bert", identity.toByteArray(), TestData.tokenizerJson(MINILM));
        try (var loader = ModelJars.loader(jar)) {
            var e = assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model("not-bert")
                    .classLoader(loader).cache(dir.resolve("cache-notbert")).build());
            String m = e.getMessage();
            assertTrue(m.contains("notbert.jar!/not-bert.onnx") && m.contains("not a BERT-family graph"), m);
        }
    }

    @Test
    void twoJvmsCopyingTheSameModelAtOnceBothEndWithAVerifiedCopy() throws Exception {
        Path cache = dir.resolve("cache-race");
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            children.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ModelCacheRace.class.getName(),
                    renamedJar.toString(), "minilm-renamed", cache.toString())
                    .redirectErrorStream(true).start());
        }
        List<String> folders = new ArrayList<>();
        for (Process p : children) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertEquals(0, p.exitValue(), out);
            folders.add(out.lines().reduce((a, b) -> b).orElseThrow());
        }
        assertEquals(folders.get(0), folders.get(1));
        Path folder = Path.of(folders.get(0));
        assertEquals(-1, Files.mismatch(folder.resolve("model.onnx"), TestData.model(MINILM).resolve("model.onnx")));
        try (var s = Files.list(cache.resolve("models"))) {
            assertEquals(List.of(folder.getFileName().toString()), s.map(p -> p.getFileName().toString()).toList(),
                    "one folder, no temporary copies left behind");
        }
    }

    @Test
    void anUnknownNameListsTheKnownModelsTheirArtifactsAndThePlacesSearched() {
        var e = assertThrows(IllegalArgumentException.class, () -> Models.locate("no-such-model"));
        String m = e.getMessage();
        for (KnownModel k : KnownModel.ALL) {
            assertTrue(m.contains(k.name()) && m.contains(k.coordinates()), m);
        }
        assertTrue(m.contains("Looked in the folders") && m.contains("no-such-model.onnx"), m);
        assertEquals(12, KnownModel.ALL.size());
    }

    @Test
    void knownModelsAnswerToTheArtifactSpellingToo() {
        assertEquals("bge-small-en-v1.5", KnownModel.find("bge-small-en-v15").orElseThrow().name());
        assertEquals("bge-small-zh-v1.5-q", KnownModel.find("BGE-small-zh-v1.5-Q").orElseThrow().name());
        assertTrue(KnownModel.find("bge").isEmpty());
    }

    @Test
    void settingsComeFromTheCallerTheFolderTheKnownModelOrTheDefaultInThatOrder() throws Exception {
        KnownModel bge = KnownModel.find("bge-small-zh-v1.5").orElseThrow();
        var none = new SentenceTransformersConfig(null, null, null, null);
        ModelSettings known = ModelSettings.decide(null, null, null, none, bge, 512);
        assertEquals(Pooling.CLS, known.pooling());
        assertEquals("known model bge-small-zh-v1.5", known.poolingSource());
        ModelSettings plain = ModelSettings.decide(null, null, null, none, null, 512);
        assertEquals(Pooling.MEAN, plain.pooling());
        assertEquals(512, plain.maxLength());
        assertEquals("the model's position table", plain.maxLengthSource());
        ModelSettings caller = ModelSettings.decide(Pooling.MAX, false, 64, new SentenceTransformersConfig(Pooling.CLS, true, 128, null), bge, 512);
        assertEquals(List.of(Pooling.MAX, false, 64), List.of(caller.pooling(), caller.normalize(), caller.maxLength()));
        assertEquals(ModelSettings.CALLER, caller.poolingSource());

        // A folder whose name merely contains "bge" is no bge model: its settings are the defaults.
        Path folder = TinyBertModel.write(dir.resolve("my-bge-like-model"));
        try (SentenceEmbedder e = SentenceEmbedder.builder().model(folder.toString()).cache(dir.resolve("c1")).build()) {
            assertEquals(Pooling.MEAN, e.pooling());
            assertTrue(e.settings().poolingSource().startsWith("default"), e.settings().poolingSource());
        }
        try (SentenceEmbedder e = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model("bge-small-zh-v1.5").build()) {
            assertEquals(Pooling.CLS, e.pooling());
            assertEquals("known model bge-small-zh-v1.5", e.settings().poolingSource());
        }
    }

    @Test
    void sentenceTransformersFilesDecideForTheirFolder() throws Exception {
        Path folder = TinyBertModel.write(dir.resolve("st-folder"));
        Files.createDirectories(folder.resolve("1_Pooling"));
        Files.writeString(folder.resolve("1_Pooling/config.json"),
                "{\"word_embedding_dimension\": 16, \"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");
        Files.writeString(folder.resolve("modules.json"), "[{\"idx\":0,\"name\":\"0\",\"path\":\"\",\"type\":"
                + "\"sentence_transformers.models.Transformer\"},{\"idx\":1,\"name\":\"1\",\"path\":\"1_Pooling\","
                + "\"type\":\"sentence_transformers.models.Pooling\"}]");
        Files.writeString(folder.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 16, \"do_lower_case\": false}");
        List<String> texts = List.of("the cat sat on the mat.", "the king and the queen sat on the mat, sitting the dogs.");
        try (SentenceEmbedder st = SentenceEmbedder.builder().model(folder.toString()).cache(dir.resolve("c2")).build();
             SentenceEmbedder explicit = SentenceEmbedder.builder().model(folder.toString()).cache(dir.resolve("c2"))
                     .pooling(Pooling.CLS).normalize(false).maxLength(16).build()) {
            ModelSettings s = st.settings();
            assertEquals(List.of(Pooling.CLS, false, 16), List.of(s.pooling(), s.normalize(), s.maxLength()));
            assertEquals(List.of("1_Pooling/config.json", "modules.json", "sentence_bert_config.json"),
                    List.of(s.poolingSource(), s.normalizeSource(), s.maxLengthSource()));
            for (String t : texts) {
                assertArrayEquals(explicit.embed(t), st.embed(t));
            }
        }
        Files.writeString(folder.resolve("1_Pooling/config.json"), "{\"pooling_mode_weightedmean_tokens\": true}");
        try (SentenceEmbedder weighted = SentenceEmbedder.builder().model(folder.toString()).cache(dir.resolve("c2"))
                .build()) {
            assertEquals(List.of(Pooling.WEIGHTED_MEAN), weighted.head().pooling());
        }
        Files.writeString(folder.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\": 16}");
        var e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(folder.toString()).cache(dir.resolve("c2")).build());
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("no pooling mode"), e.getMessage());
    }

    @Test
    void aModelJarCanBeNamedByItsPath() throws Exception {
        ModelLocation where = Models.locate(renamedJar.toString(), null, null, dir.resolve("cache-path"));
        assertEquals("minilm-renamed", where.name());
        assertTrue(where.copied() && where.origin().startsWith("jar "), where.origin());
        assertNotNull(where.folder());
        var e = assertThrows(IllegalArgumentException.class,
                () -> Models.locate(Files.write(dir.resolve("broken.jar"), new byte[100]).toString()));
        assertTrue(e.getMessage().contains("broken.jar") && e.getMessage().contains("not a readable jar"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
