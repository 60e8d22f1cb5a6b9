package io.github.bertembed.cli;

import io.github.bertembed.TinyBertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code loadtest --same-jvm} end to end on the generated tiny model, and the option combinations it refuses. */
class LoadTestCommandTest {
    @TempDir
    Path dir;

    @Test
    void sameJvmRoundsServeFromTheInProcessJvmAndPrintTheMedians() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("tiny"));
        Path corpus = Files.write(dir.resolve("corpus.txt"), IntStream.range(0, 40)
                .mapToObj(i -> "the cat sat on the mat with the king and the queen number " + i).toList());
        var r = CliTestSupport.run("loadtest", "--same-jvm", "--rounds", "2", "--clients", "1,4", "--queries", "24",
                "--warmup", "48", "--model", model.toString(), "--corpus", corpus.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("served from the same JVM and embedder (http://127.0.0.1:"), r.out());
        assertTrue(r.out().contains("median of 2 rounds, 1 clients: "), r.out());
        assertTrue(r.out().contains("median of 2 rounds, 4 clients: "), r.out());
        assertTrue(r.out().contains("raw socket p50"), r.out());
        String lone = r.out().lines().filter(l -> l.startsWith("median of 2 rounds, 1 clients: ")).findFirst()
                .orElseThrow();
        assertTrue(lone.contains(" ms over the same embedder called over a raw socket (the HTTP and JSON cost; rounds"),
                lone);
        String loaded = r.out().lines().filter(l -> l.startsWith("median of 2 rounds, 4 clients: ")).findFirst()
                .orElseThrow();
        assertTrue(!loaded.contains("raw socket"), loaded);
    }

    @Test
    void sameJvmNeedsRoundsAndNoUrl() {
        var withUrl = CliTestSupport.run("loadtest", "--same-jvm", "--rounds", "2", "--url", "http://127.0.0.1:1");
        assertEquals(Main.BAD_INPUT, withUrl.exitCode());
        assertTrue(withUrl.err().contains("--same-jvm goes with --rounds and without --url"), withUrl.err());
        var withoutRounds = CliTestSupport.run("loadtest", "--same-jvm");
        assertEquals(Main.BAD_INPUT, withoutRounds.exitCode());
        assertTrue(withoutRounds.err().contains("--same-jvm goes with --rounds"), withoutRounds.err());
    }
}
