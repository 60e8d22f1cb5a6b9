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
 * <p>Run as a user runs a batch tool: Spark logs warnings only unless {@code --verbose} or a log4j2 file on the
 * classpath says otherwise, and a local run ({@code spark.master} local) starts no web UI unless {@code --spark-ui}
 * or {@code spark.ui.enabled} asks for one.
 *
 * <pre>
 * spark-submit --class io.github.bertembed.cli.SparkEmbedJob bert-embed.jar --input docs.jsonl --output vectors.parquet
 * </pre>
 */
public final class SparkEmbedJob {
    private SparkEmbedJob() {
    }

    /**
     * Spark's logs through log4j2, Spark's own logging (with our runnable jar first on the classpath, its no-op SLF4J
     * provider would otherwise be picked, with a warning), at WARN unless {@code verbose} or the user configured
     * log4j2.
     */
    private static void logThroughLog4j(boolean verbose) {
        ClassLoader loader = SparkEmbedJob.class.getClassLoader();
        boolean log4j = loader.getResource("org/apache/logging/slf4j/SLF4JServiceProvider.class") != null
                && loader.getResource("org/apache/logging/log4j/core/config/Configurator.class") != null;
        if (!log4j) {
            return;
        }
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.apache.logging.slf4j.SLF4JServiceProvider");
            System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "WARN"));
        }
        boolean configured = System.getProperty("log4j2.configurationFile") != null
                || System.getProperty("log4j.configurationFile") != null;
        for (String name : new String[]{"log4j2.properties", "log4j2.xml", "log4j2.yaml", "log4j2.json"}) {
            configured |= loader.getResource(name) != null;
        }
        if (!configured && !verbose) {
            var b = org.apache.logging.log4j.core.config.builder.api.ConfigurationBuilderFactory
                    .newConfigurationBuilder();
            b.add(b.newAppender("stderr", "Console").addAttribute("target", "SYSTEM_ERR")
                    .add(b.newLayout("PatternLayout").addAttribute("pattern", "%d{HH:mm:ss} %p %c{1}: %m%n")));
            b.add(b.newRootLogger(org.apache.logging.log4j.Level.WARN).add(b.newAppenderRef("stderr")));
            // Advice for cluster setups, not for a batch run: which address a host name resolves to, native Hadoop.
            b.add(b.newLogger("org.apache.spark.util.Utils", org.apache.logging.log4j.Level.ERROR));
            b.add(b.newLogger("org.apache.hadoop.util.NativeCodeLoader", org.apache.logging.log4j.Level.ERROR));
            org.apache.logging.log4j.core.config.Configurator.reconfigure(b.build());
        }
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
        logThroughLog4j(options.verbose());
        SparkSession spark;
        try {
            SparkSession.Builder builder = SparkSession.builder().appName("bert-embed EmbedJob");
            boolean local = System.getProperty("spark.master", "").startsWith("local");
            if (local && System.getProperty("spark.ui.enabled") == null) {
                builder.config("spark.ui.enabled", options.sparkUi());
            }
            spark = builder.getOrCreate();
            if (options.sparkUi() && spark.sparkContext().uiWebUrl().isDefined()) {
                // Spark binds its UI to every interface unless SPARK_LOCAL_IP names one.
                System.err.println("EmbedJob: Spark UI at " + spark.sparkContext().uiWebUrl().get()
                        + (System.getenv("SPARK_LOCAL_IP") == null ? " (on every interface: SPARK_LOCAL_IP=127.0.0.1"
                        + " keeps it on this machine)" : ""));
            }
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
