package io.github.bertembed.cli;

import io.github.bertembed.spark.EmbedJob;
import io.github.bertembed.spark.EmbedJobOptions;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;

/**
 * The entry point that {@code spark-submit} runs for {@link EmbedJob}: its flags ({@link EmbedJobOptions}, no
 * command-line library, as a submitted job brings only Spark's classpath), one summary line, and an error
 * message with exit status 1 or 2 instead of a stack trace.
 *
 * <pre>
 * spark-submit --class io.github.bertembed.cli.SparkEmbedJob bert-embed.jar --input docs.jsonl --output vectors.parquet
 * </pre>
 */
public final class SparkEmbedJob {
    private SparkEmbedJob() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(EmbedJobOptions.USAGE);
            return;
        }
        EmbedJobOptions options;
        try {
            options = EmbedJobOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("EmbedJob: " + e.getMessage());
            System.err.println(EmbedJobOptions.USAGE);
            System.exit(2);
            return;
        }
        SparkSession spark;
        try {
            spark = SparkSession.builder().appName("bert-embed EmbedJob").getOrCreate();
        } catch (RuntimeException e) {
            System.err.println("EmbedJob: cannot start Spark (" + e.getMessage() + "); run it with spark-submit, or "
                    + "with -Dspark.master=local[2]");
            System.exit(1);
            return;
        }
        int status = 0;
        try {
            EmbedJob.Summary s = EmbedJob.run(spark, options);
            System.out.printf("EmbedJob: %d documents, %d rows, %d tokens to %s in %.1f s: %.1f documents/s, "
                            + "%.0f tokens/s%n", s.documents(), s.rows(), s.tokens(), options.output(), s.seconds(),
                    s.documentsPerSecond(), s.tokensPerSecond());
        } catch (IllegalArgumentException | AnalysisException e) {
            System.err.println("EmbedJob: " + e.getMessage());
            status = 1;
        } catch (RuntimeException e) {
            // A failed Spark job: its message carries the executor's cause (a model that does not load, ...).
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.err.println("EmbedJob: failed: " + root.getMessage());
            status = 1;
        } finally {
            spark.stop();
        }
        if (status != 0) {
            System.exit(status);
        }
    }
}
