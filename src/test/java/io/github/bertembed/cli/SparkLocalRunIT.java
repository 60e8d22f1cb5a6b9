package io.github.bertembed.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/spark.md's one-JVM command, run as a user runs it after {@code mvn package}: the runnable jar and the files
 * the build writes (target/spark-classpath.txt, target/spark-jvm-options.txt), a real local[2] Spark.
 */
class SparkLocalRunIT {
    record Run(int status, String out, String err) {
    }

    @TempDir
    Path dir;

    private Run run(String... args) throws Exception {
        Path target = Path.of("target");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(Files.readString(target.resolve("spark-jvm-options.txt")).trim().split("\\s+")));
        command.addAll(List.of("-cp", target.resolve("bert-embed.jar").toAbsolutePath() + ":"
                + Files.readString(target.resolve("spark-classpath.txt")).trim(), "-Dspark.master=local[2]",
                "io.github.bertembed.cli.SparkEmbedJob"));
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the job ended");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void aLocalRunIsQuietStartsNoWebUiAndNamesOverwrite() throws Exception {
        Files.writeString(dir.resolve("docs.jsonl"), "{\"text\": \"a fox\"}\n{\"text\": \"two dogs\"}\n");
        Run first = run("--input", "docs.jsonl", "--output", "vectors.parquet");
        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().matches("EmbedJob: 2 documents, 2 rows, \\d+ tokens to vectors.parquet in .*\\n"),
                first.out());
        assertEquals("", first.err(), "no log lines on a run that went well");

        Run again = run("--input", "docs.jsonl", "--output", "vectors.parquet");
        assertEquals(1, again.status());
        assertEquals("EmbedJob: the output vectors.parquet exists: add --overwrite to replace it, or choose another"
                + " --output", again.err().strip());

        // --verbose shows Spark's INFO logs, and they say no web UI was started; --spark-ui starts one.
        Run verbose = run("--input", "docs.jsonl", "--output", "vectors.parquet", "--overwrite", "--verbose");
        assertEquals(0, verbose.status(), verbose.err());
        assertTrue(verbose.err().contains(" INFO "), "INFO logs with --verbose");
        assertFalse(verbose.err().contains("SparkUI"), "no web UI on a local run");
        Run ui = run("--input", "docs.jsonl", "--output", "vectors.parquet", "--overwrite", "--spark-ui");
        assertEquals(0, ui.status(), ui.err());
        assertTrue(ui.err().contains("EmbedJob: Spark UI at http://"), ui.err());
    }
}
