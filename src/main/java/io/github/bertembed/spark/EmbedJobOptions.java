package io.github.bertembed.spark;

import io.github.bertembed.model.Models;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The flags of {@link EmbedJob}, parsed without a command-line library: a job submitted with
 * {@code --packages io.github.bertembed:bert-embed} gets the library's runtime dependencies only.
 *
 * @param input      Parquet, JSONL or text (a file, a folder or a glob; any Hadoop URI)
 * @param output     the Parquet folder to write
 * @param format     {@code parquet}, {@code jsonl} or {@code text}; inferred from the input's name when null
 * @param textColumn the text column (a text input's lines get this name)
 * @param idColumn   a column that must exist (for a text input: the line number, from 0, under this name); null
 * @param partitions partitions to embed in; 0 for at least two per core of the application
 * @param overwrite  replace an existing output
 * @param sparkUi    start Spark's web UI on a local run (off by default there; a cluster's settings decide elsewhere)
 * @param verbose    Spark's INFO logs (by default only warnings, unless a log4j2 configuration is on the classpath)
 */
public record EmbedJobOptions(String input, String output, String format, String textColumn, String idColumn,
                              String model, String longText, int maxLength, int partitions, int threadsPerTask,
                              boolean overwrite, boolean sparkUi, boolean verbose) {

    /** The usage text that the spark-submit entry point prints. */
    public static final String USAGE = """
            Usage: spark-submit --class io.github.bertembed.cli.SparkEmbedJob <bert-embed jar> \\
                     --input PATH --output PATH [--text-column text] [--id-column ID] [--model all-minilm-l6-v2]
                     [--long-text truncate|refuse|chunk|chunks] [--max-length N] [--partitions N]
                     [--threads-per-task N] [--format parquet|jsonl|text] [--overwrite] [--spark-ui] [--verbose]
              --input PATH          Parquet, JSONL or text (one document per line): a file, folder or glob, any
                                    Hadoop URI (hdfs://, s3a://, file://)
              --output PATH         the Parquet folder to write: every input column, plus embedding (array<float>),
                                    tokens, truncated and chunks (under chunks also chunk, start, end)
              --text-column NAME    the text column (default text)
              --id-column NAME      a column that must exist; for a text input, the line number under this name
              --model M             a model name (its model jar shipped with --packages/--jars), a folder present on
                                    every node, or a Hadoop URI copied once per executor (default all-minilm-l6-v2)
              --long-text P         truncate (default), refuse, chunk (mean of windows) or chunks (a row per window)
              --max-length N        tokens per text, special tokens included (default: the model's)
              --partitions N        partitions to embed in (default: the input's, at least two per core)
              --threads-per-task N  onnxruntime threads per task (default spark.task.cpus)
              --format F            the input's format when its name does not say (.parquet, .jsonl/.json, .txt)
              --overwrite           replace an existing output folder
              --spark-ui            start Spark's web UI on a local run (off by default there)
              --verbose             Spark's INFO logs (default: warnings only, unless a log4j2 file configures them)
            The master comes from spark-submit, or -Dspark.master=local[2] for a run in one JVM.""";

    /**
     * @throws IllegalArgumentException naming the flag at fault
     */
    public static EmbedJobOptions parse(String[] args) {
        String input = null;
        String output = null;
        String format = null;
        String text = "text";
        String id = null;
        String model = Models.DEFAULT;
        String longText = "truncate";
        int maxLength = 0;
        int partitions = 0;
        int threads = 0;
        boolean overwrite = false;
        boolean sparkUi = false;
        boolean verbose = false;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            if (flag.equals("--overwrite") || flag.equals("--spark-ui") || flag.equals("--verbose")) {
                overwrite |= flag.equals("--overwrite");
                sparkUi |= flag.equals("--spark-ui");
                verbose |= flag.equals("--verbose");
                continue;
            }
            if (!flag.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + flag + "'");
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = rest.remove(0);
            switch (flag) {
                case "--input" -> input = value;
                case "--output" -> output = value;
                case "--format" -> format = oneOf(flag, value, "parquet", "jsonl", "text");
                case "--text-column" -> text = value;
                case "--id-column" -> id = value;
                case "--model" -> model = value;
                case "--long-text" -> longText = oneOf(flag, value, "truncate", "refuse", "chunk", "chunks");
                case "--max-length" -> maxLength = positive(flag, value);
                case "--partitions" -> partitions = positive(flag, value);
                case "--threads-per-task" -> threads = positive(flag, value);
                default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
            }
        }
        if (input == null || output == null) {
            throw new IllegalArgumentException("--input and --output are required");
        }
        return new EmbedJobOptions(input, output, format == null ? formatOf(input) : format, text, id, model,
                longText, maxLength, partitions, threads, overwrite, sparkUi, verbose);
    }

    private static String oneOf(String flag, String value, String... allowed) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(v)) {
            throw new IllegalArgumentException(flag + " must be one of " + String.join(", ", allowed) + ", got '"
                    + value + "'");
        }
        return v;
    }

    private static int positive(String flag, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " must be a positive integer, got '" + value + "'");
    }

    private static String formatOf(String input) {
        String name = input.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".jsonl.gz")
                || name.endsWith(".json.gz")) {
            return "jsonl";
        }
        if (name.endsWith(".txt") || name.endsWith(".txt.gz")) {
            return "text";
        }
        return "parquet"; // .parquet files and folders of them, as Spark writes them
    }
}
