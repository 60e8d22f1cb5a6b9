package io.github.bertembed.cli;

import io.github.bertembed.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code embed} as a real process: stopped by SIGTERM (as Ctrl-C or a scheduler stops it) and resumed; a heap too small. */
@Tag("stress")
class EmbedProcessTest {
    @TempDir
    Path dir;

    @Test
    void sigtermSaysWhatIsCompleteAndResumeFinishesTheSameFile() throws Exception {
        List<String> lines = new ArrayList<>();
        List<String> english = TestData.english();
        for (int i = 0; i < 6000; i++) {
            lines.add(english.get(i % english.size()));
        }
        Path in = Files.write(dir.resolve("in.txt"), lines);
        Path out = dir.resolve("out.jsonl");
        Path partial = dir.resolve("out.jsonl.partial");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dslf4j.provider=org.slf4j.nop.NOPServiceProvider", "-cp", System.getProperty("java.class.path"),
                "io.github.bertembed.cli.Main", "embed", "--models-dir", TestData.modelsDir().toString(),
                "--input", in.toString(), "--output", out.toString())
                .redirectError(dir.resolve("err.txt").toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(partial) && Files.size(partial) > 50_000) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "still running when stopped: " + Files.readString(dir.resolve("err.txt")));
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, p.exitValue(), "a stopped run is not a success");
        String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("interrupted: (\\d+) complete records in " + Pattern.quote(partial.toString())
                + "; run the same command with --resume to continue").matcher(err);
        assertTrue(m.find(), err);
        long said = Long.parseLong(m.group(1));
        long complete = Files.readString(partial).chars().filter(c -> c == '\n').count();
        assertTrue(said > 0 && said <= complete && complete < lines.size(), said + " said, " + complete + " in the file");
        assertFalse(Files.exists(out), "nothing under the output's name until the run completes");

        var resumed = CliTestSupport.run("embed", "--models-dir", TestData.modelsDir().toString(), "--input",
                in.toString(), "--output", out.toString(), "--resume");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming after " + complete + " documents"), resumed.err());
        assertFalse(Files.exists(partial));
        Path whole = dir.resolve("whole.jsonl");
        assertEquals(0, CliTestSupport.run("embed", "--models-dir", TestData.modelsDir().toString(), "--input",
                in.toString(), "--output", whole.toString()).exitCode());
        assertEquals(Files.readString(whole), Files.readString(out), "stopped and resumed: the same bytes");
    }

    @Test
    void aHeapTooSmallIsOneLineNamingXmx() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "-Dslf4j.provider=org.slf4j.nop.NOPServiceProvider", "-cp", System.getProperty("java.class.path"),
                "io.github.bertembed.cli.Main", "embed", "--models-dir", TestData.modelsDir().toString(), "a fox")
                .redirectError(dir.resolve("err.txt").toFile()).redirectOutput(dir.resolve("out.txt").toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
        assertEquals(Main.OUT_OF_MEMORY, p.exitValue(), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("error: out of memory (the Java heap is ") && err.contains("a larger -Xmx"), err);
        assertEquals("", Files.readString(dir.resolve("out.txt")));
    }
}
