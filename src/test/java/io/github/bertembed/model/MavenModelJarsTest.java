package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A known model that is on no classpath and in no models folder: one real download from Maven Central into an empty
 * cache (bge-small-zh-v1.5-q, a model the build does not unpack), then found in the cache with downloads off.
 */
@Tag("reference")
class MavenModelJarsTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty("maven.repo.local");
        System.clearProperty(MavenModelJars.OFFLINE_PROPERTY);
    }

    @Test
    void aKnownModelIsDownloadedOnceCheckedAndCached() throws Exception {
        System.setProperty("maven.repo.local", Files.createDirectories(dir.resolve("empty-m2")).toString());
        Path cache = dir.resolve("cache");
        Path noModels = Files.createDirectories(dir.resolve("no-models"));
        ClassLoader nothing = new URLClassLoader(new URL[0], null);

        System.setProperty(MavenModelJars.OFFLINE_PROPERTY, "true");
        IllegalArgumentException offline = assertThrows(IllegalArgumentException.class,
                () -> Models.locate("bge-small-zh-v1.5-q", noModels, nothing, cache));
        assertTrue(offline.getMessage().contains("downloads are off (BERT_EMBED_OFFLINE): add dev.langchain4j:"
                + "langchain4j-embeddings-bge-small-zh-v15-q:1.11.0-beta19 to the classpath"), offline.getMessage());
        System.clearProperty(MavenModelJars.OFFLINE_PROPERTY);

        ModelLocation downloaded = Models.locate("bge-small-zh-v1.5-q", noModels, nothing, cache);
        Path jar = cache.resolve("jars/langchain4j-embeddings-bge-small-zh-v15-q-1.11.0-beta19.jar");
        assertTrue(Files.isRegularFile(jar), "the jar is kept in the cache");
        try (var parts = Files.list(jar.getParent())) {
            assertEquals(1, parts.count(), "no temporary file left beside it");
        }
        assertEquals("bge-small-zh-v1.5-q", downloaded.name());

        System.setProperty(MavenModelJars.OFFLINE_PROPERTY, "true"); // the cached jar needs no network
        ModelLocation cached = Models.locate("bge-small-zh-v1.5-q", noModels, nothing, cache);
        // The same bits as the artifact on a classpath, as a Maven user of the model jar gets them.
        try (URLClassLoader asDependency = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null);
             SentenceEmbedder fromCache = SentenceEmbedder.builder().model("bge-small-zh-v1.5-q").modelsDir(noModels)
                     .classLoader(nothing).cache(cache).build();
             SentenceEmbedder fromClasspath = SentenceEmbedder.builder().model("bge-small-zh-v1.5-q")
                     .modelsDir(noModels).classLoader(asDependency).cache(dir.resolve("other-cache")).build()) {
            assertEquals(512, fromCache.dimension());
            assertEquals(cached.folder(), fromCache.folder());
            for (String text : TestData.chinese().subList(0, 5)) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(fromClasspath.embed(text), fromCache.embed(text), 0f);
            }
        }
    }

    @Test
    void aJarThatIsNotThePinnedOneIsRemoved() throws Exception {
        System.setProperty("maven.repo.local", Files.createDirectories(dir.resolve("empty-m2")).toString());
        KnownModel real = KnownModel.find("bge-small-zh-v1.5-q").orElseThrow();
        KnownModel repinned = new KnownModel(real.name(), real.artifactId(), real.version(), real.language(),
                real.dimension(), real.pooling(), real.normalize(), real.maxLength(), real.int8(), real.use(),
                "0".repeat(64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MavenModelJars.find(repinned, dir.resolve("cache")));
        assertTrue(e.getMessage().contains("not the " + "0".repeat(64) + " bert-embed pins for "
                + real.coordinates()), e.getMessage());
        try (var left = Files.list(dir.resolve("cache/jars"))) {
            assertEquals(0, left.count(), "nothing kept");
        }
    }
}
