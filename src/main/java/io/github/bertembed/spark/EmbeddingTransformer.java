package io.github.bertembed.spark;

import io.github.bertembed.model.Models;
import io.github.bertembed.LongTextPolicy;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.Locale;

/**
 * A Spark ML {@link Transformer} that adds a sentence embedding column: the vectors are those of
 * {@link io.github.bertembed.SentenceEmbedder#embed} in one process, bit for bit, computed on the executors.
 *
 * <p>Each executor JVM builds one embedder per configuration the first time a task needs it and shares it with
 * every later task ({@link ExecutorEmbedderCache}); nothing heavy is serialized from the driver. Each task gives
 * onnxruntime {@code threadsPerTask} threads (default {@code spark.task.cpus}), so the tasks an executor runs at
 * once never use more threads than its cores. Within a partition, texts are embedded in windows of length-sorted
 * runs under the token budget, as {@code embed --input} does.
 *
 * <p>A <b>null text gives a null vector</b> (and null statistics columns); an empty string is embedded like any
 * text. Texts longer than the model's maximum length follow {@code longText}: {@code truncate} (the default: the
 * first window, flagged in the {@code truncatedCol} column, {@code truncated} unless set empty), {@code refuse}
 * (the task fails naming the text's tokens), {@code chunk} (overlapping windows, token-weighted mean, normalized) or
 * {@code chunks} (one output row per window, with {@code chunk}, {@code start} and {@code end} columns: the window's
 * number and its character span in the text).
 *
 * <pre>{@code
 * EmbeddingTransformer embedder = new EmbeddingTransformer()
 *         .setInputCol("text")
 *         .setModel("all-minilm-l6-v2");          // from the model jar shipped with --packages / --jars
 * Dataset<Row> vectors = embedder.transform(documents);   // adds "embedding": array<float>
 * new Pipeline().setStages(new PipelineStage[]{embedder}).fit(documents).write().save("hdfs:///models/embed");
 * }</pre>
 */
public final class EmbeddingTransformer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    /** The columns a {@code chunks} row adds after the statistics. */
    public static final String CHUNK_COL = "chunk";
    public static final String START_COL = "start";
    public static final String END_COL = "end";

    private final String uid;

    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> model;
    private final IntParam maxLength;
    private final Param<String> longText;
    private final IntParam stride;
    private final IntParam batchSize;
    private final IntParam maxRunTokens;
    private final Param<String> pooling;
    private final BooleanParam normalize;
    private final IntParam threadsPerTask;
    private final Param<String> tokensCol;
    private final Param<String> truncatedCol;
    private final Param<String> chunksCol;

    public EmbeddingTransformer() {
        this(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("embeddingTransformer"));
    }

    /** The constructor Spark's reader calls with a saved stage's uid. */
    public EmbeddingTransformer(String uid) {
        this.uid = uid;
        // Made here, not as field initializers: a Param records its parent's uid when it is made.
        inputCol = new Param<>(uid, "inputCol", "the text column (string)");
        outputCol = new Param<>(uid, "outputCol", "the vector column (array<float>)");
        model = new Param<>(uid, "model", "a model name (from a model jar on the classpath), a local folder, or a Hadoop URI (hdfs://, s3a://, file://)");
        maxLength = new IntParam(uid, "maxLength", "tokens per text, special tokens included; 0 for the model's own", ParamValidators.gtEq(0));
        longText = new Param<>(uid, "longText", "texts over the maximum length: truncate (default), refuse, chunk or chunks", ParamValidators.inArray(new String[]{"truncate", "refuse", "chunk", "chunks"}));
        stride = new IntParam(uid, "stride", "tokens shared by consecutive windows under chunk/chunks; -1 for an eighth of the window", ParamValidators.gtEq(-1));
        batchSize = new IntParam(uid, "batchSize", "texts per encoder run", ParamValidators.gtEq(1));
        maxRunTokens = new IntParam(uid, "maxRunTokens", "padded tokens per encoder run", ParamValidators.gtEq(1));
        pooling = new Param<>(uid, "pooling", "mean, cls or max; empty for the model's own", ParamValidators.inArray(new String[]{"", "mean", "cls", "max"}));
        normalize = new BooleanParam(uid, "normalize", "L2-normalize the vectors (unset: the model's own)");
        threadsPerTask = new IntParam(uid, "threadsPerTask", "onnxruntime threads per task; 0 for spark.task.cpus", ParamValidators.gtEq(0));
        tokensCol = new Param<>(uid, "tokensCol", "a column for the tokens the model saw (int); empty for none");
        truncatedCol = new Param<>(uid, "truncatedCol", "a column for whether tokens were dropped (boolean; default truncated); empty for none");
        chunksCol = new Param<>(uid, "chunksCol", "a column for the number of windows of the text (int); empty for none");
        setDefault(inputCol, "text");
        setDefault(outputCol, "embedding");
        setDefault(model, Models.DEFAULT);
        setDefault(maxLength, 0);
        setDefault(longText, LongTextPolicy.DEFAULT.flagValue());
        setDefault(stride, -1);
        setDefault(batchSize, 32);
        setDefault(maxRunTokens, 1024);
        setDefault(pooling, "");
        setDefault(threadsPerTask, 0);
        setDefault(tokensCol, "");
        setDefault(truncatedCol, "truncated");
        setDefault(chunksCol, "");
    }

    /** Loads a stage saved with {@code write().save(path)} (and, by reflection, inside a saved Pipeline). */
    public static MLReader<EmbeddingTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static EmbeddingTransformer load(String path) {
        return read().load(path);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() { return inputCol; }
    public Param<String> outputCol() { return outputCol; }
    public Param<String> model() { return model; }
    public IntParam maxLength() { return maxLength; }
    public Param<String> longText() { return longText; }
    public IntParam stride() { return stride; }
    public IntParam batchSize() { return batchSize; }
    public IntParam maxRunTokens() { return maxRunTokens; }
    public Param<String> pooling() { return pooling; }
    public BooleanParam normalize() { return normalize; }
    public IntParam threadsPerTask() { return threadsPerTask; }
    public Param<String> tokensCol() { return tokensCol; }
    public Param<String> truncatedCol() { return truncatedCol; }
    public Param<String> chunksCol() { return chunksCol; }

    public EmbeddingTransformer setInputCol(String v) { set(inputCol, v); return this; }
    public EmbeddingTransformer setOutputCol(String v) { set(outputCol, v); return this; }
    public EmbeddingTransformer setModel(String v) { set(model, v); return this; }
    public EmbeddingTransformer setMaxLength(int v) { set(maxLength, v); return this; }
    public EmbeddingTransformer setLongText(String v) { set(longText, v.toLowerCase(Locale.ROOT)); return this; }
    public EmbeddingTransformer setStride(int v) { set(stride, v); return this; }
    public EmbeddingTransformer setBatchSize(int v) { set(batchSize, v); return this; }
    public EmbeddingTransformer setMaxRunTokens(int v) { set(maxRunTokens, v); return this; }
    public EmbeddingTransformer setPooling(String v) { set(pooling, v.toLowerCase(Locale.ROOT)); return this; }
    public EmbeddingTransformer setNormalize(boolean v) { set(normalize, v); return this; }
    public EmbeddingTransformer setThreadsPerTask(int v) { set(threadsPerTask, v); return this; }
    public EmbeddingTransformer setTokensCol(String v) { set(tokensCol, v); return this; }
    public EmbeddingTransformer setTruncatedCol(String v) { set(truncatedCol, v); return this; }
    public EmbeddingTransformer setChunksCol(String v) { set(chunksCol, v); return this; }

    public String getInputCol() { return $(inputCol); }
    public String getOutputCol() { return $(outputCol); }
    public String getModel() { return $(model); }
    public String getLongText() { return $(longText); }

    private int intValue(IntParam p) {
        return (Integer) $(p); // an IntParam is a Param<Object> to Java (Scala's Int)
    }

    private LongTextPolicy policy() {
        return LongTextPolicy.named($(longText));
    }

    /**
     * The input schema with the vector column (and statistics and chunk columns, as configured) appended.
     *
     * @throws IllegalArgumentException when the input column is missing or not a string, or an output column
     *                                  already exists
     */
    @Override
    public StructType transformSchema(StructType schema) {
        String in = $(inputCol);
        if (!Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("EmbeddingTransformer: input column '" + in + "' does not exist; the columns are "
                    + String.join(", ", schema.fieldNames()));
        }
        StructField field = schema.apply(in);
        if (!(field.dataType() instanceof StringType)) {
            throw new IllegalArgumentException("EmbeddingTransformer: input column '" + in + "' must be a string column, it is "
                    + field.dataType().simpleString());
        }
        StructType out = add(schema, $(outputCol), DataTypes.createArrayType(DataTypes.FloatType, false));
        if (!$(tokensCol).isEmpty()) {
            out = add(out, $(tokensCol), DataTypes.IntegerType);
        }
        if (!$(truncatedCol).isEmpty()) {
            out = add(out, $(truncatedCol), DataTypes.BooleanType);
        }
        if (!$(chunksCol).isEmpty()) {
            out = add(out, $(chunksCol), DataTypes.IntegerType);
        }
        if (policy() == LongTextPolicy.CHUNKS) {
            out = add(out, CHUNK_COL, DataTypes.IntegerType);
            out = add(out, START_COL, DataTypes.IntegerType);
            out = add(out, END_COL, DataTypes.IntegerType);
        }
        return out;
    }

    private static StructType add(StructType schema, String name, org.apache.spark.sql.types.DataType type) {
        if (Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("EmbeddingTransformer: output column '" + name + "' already exists");
        }
        return schema.add(name, type, true);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema());
        int threads = intValue(threadsPerTask) > 0 ? intValue(threadsPerTask)
                : Integer.parseInt(dataset.sparkSession().conf().get("spark.task.cpus", "1"));
        EmbedderSpec spec = new EmbedderSpec($(model), intValue(maxLength), intValue(batchSize), intValue(maxRunTokens),
                $(pooling).isEmpty() ? null : $(pooling), isDefined(normalize) ? (Boolean) $(normalize) : null,
                threads);
        PartitionEmbedding embed = new PartitionEmbedding(spec, dataset.schema().fieldIndex($(inputCol)), policy(),
                intValue(stride), !$(tokensCol).isEmpty(), !$(truncatedCol).isEmpty(), !$(chunksCol).isEmpty());
        return dataset.toDF().mapPartitions(embed, Encoders.row(outSchema));
    }

    @Override
    public EmbeddingTransformer copy(ParamMap extra) {
        return (EmbeddingTransformer) defaultCopy(extra);
    }
}
