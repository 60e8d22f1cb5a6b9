package io.github.bertembed.search;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.bertembed.batch.Precision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * What an index folder holds ({@code manifest.json}): the model that embedded it (name and SHA-256 of its graph and
 * weights), the vectors' dimension, normalization and pooling, the prompts put before documents and queries, the
 * precision searched in memory, the rows committed, the int8 ranges, and whether a Lucene HNSW graph is kept.
 * Rewritten atomically on every commit: rows past {@code count} in the files were never committed.
 *
 * @param format         always {@value #FORMAT}
 * @param version        the folder layout's version, {@value #VERSION}
 * @param model          the model's name (as {@code --model} takes it)
 * @param modelSha256    the SHA-256 of the model's ONNX graph and weights
 * @param dimension      components per vector
 * @param normalized     whether vectors are L2-normalized (scores are then cosines)
 * @param pooling        the model's pooling, as {@code info} prints it
 * @param maxLength      tokens per text the model took
 * @param documentPrompt text put before each document ("" for none)
 * @param queryPrompt    text put before each query ("" for none)
 * @param precision      float32, int8 or binary: what is held in memory and searched first
 * @param count          rows committed
 * @param documents      input documents consumed (rows may be more, with one row per window): where a resumed
 *                       {@code index} run starts reading
 * @param int8Starts     int8's per-dimension minimums, once fixed (null before)
 * @param int8Steps      int8's per-dimension steps, once fixed (null before)
 * @param int8Ranges     where the int8 ranges come from: "calibration" (fixed when the index was created) or
 *                       "collection" (every row's minimum and maximum, followed as rows are added)
 * @param hnsw           whether a Lucene HNSW graph is kept in {@code hnsw/}
 * @param codes          rows with int8 or binary codes (behind {@code count} after a checkpoint)
 * @param hnswCount      rows in the HNSW graph
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IndexManifest(String format, int version, String model, String modelSha256, int dimension,
                            boolean normalized, String pooling, int maxLength, String documentPrompt,
                            String queryPrompt, String precision, long count, long documents, float[] int8Starts,
                            float[] int8Steps, String int8Ranges, long codes, boolean hnsw, long hnswCount) {
    public static final String FORMAT = "bert-embed-index";
    public static final int VERSION = 1;
    static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * A new, empty index's manifest.
     *
     * <pre>{@code
     * IndexManifest m = IndexManifest.of("all-minilm-l6-v2", sha, 384, true, "mean", 256, "", "", Precision.INT8, false);
     * }</pre>
     */
    public static IndexManifest of(String model, String modelSha256, int dimension, boolean normalized, String pooling,
                                   int maxLength, String documentPrompt, String queryPrompt, Precision precision,
                                   boolean hnsw) {
        if (precision != Precision.FLOAT32 && precision != Precision.INT8 && precision != Precision.BINARY) {
            throw new IllegalArgumentException("an index's precision is float32, int8 or binary, not "
                    + precision.name().toLowerCase(Locale.ROOT));
        }
        return new IndexManifest(FORMAT, VERSION, model, modelSha256, dimension, normalized, pooling, maxLength,
                documentPrompt, queryPrompt, precision.name().toLowerCase(Locale.ROOT), 0, 0, null, null, null, 0, hnsw, 0);
    }

    public Precision precisionValue() {
        return Precision.named(precision);
    }

    IndexManifest withCounts(long count, long documents, long codes, long hnswCount) {
        return new IndexManifest(format, version, model, modelSha256, dimension, normalized, pooling, maxLength,
                documentPrompt, queryPrompt, precision, count, documents, int8Starts, int8Steps, int8Ranges, codes, hnsw,
                hnswCount);
    }

    /** With int8 ranges from calibration vectors: fixed for the index's life. */
    public IndexManifest withRanges(float[] starts, float[] steps) {
        return withRanges(starts, steps, "calibration");
    }

    IndexManifest withRanges(float[] starts, float[] steps, String source) {
        return new IndexManifest(format, version, model, modelSha256, dimension, normalized, pooling, maxLength,
                documentPrompt, queryPrompt, precision, count, documents, starts, steps, source, codes, hnsw,
                hnswCount);
    }

    static IndexManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        IndexManifest m;
        try {
            m = JSON.readValue(file.toFile(), IndexManifest.class);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new IndexDamagedException(dir + " is not a bert-embed index: it has no " + FILE
                    + " (build one with: bert-embed index --input docs.jsonl --output " + dir + ")");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IndexDamagedException(file + " is not a readable index manifest: "
                    + e.getOriginalMessage());
        }
        if (!FORMAT.equals(m.format) || m.version != VERSION) {
            throw new IndexDamagedException(file + " is not a " + FORMAT + " version " + VERSION + " manifest");
        }
        if (m.dimension < 1 || m.count < 0 || m.model == null || m.precision == null) {
            throw new IndexDamagedException(file + " lacks its model, dimension, precision or count");
        }
        try {
            IndexManifest.of(m.model, m.modelSha256, m.dimension, m.normalized, m.pooling, m.maxLength, "", "",
                    m.precisionValue(), false);
        } catch (IllegalArgumentException e) {
            throw new IndexDamagedException(file + ": " + e.getMessage());
        }
        if (m.int8Starts != null && (m.int8Starts.length != m.dimension || m.int8Steps == null
                || m.int8Steps.length != m.dimension)) {
            throw new IndexDamagedException(file + ": its int8 ranges do not have " + m.dimension + " dimensions");
        }
        return m;
    }

    /** Writes the manifest beside a temporary name and moves it over the old one: a reader sees one or the other. */
    void write(Path dir) throws IOException {
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexManifest m && JSON.valueToTree(this).equals(JSON.valueToTree(m));
    }

    @Override
    public int hashCode() {
        return JSON.valueToTree(this).hashCode();
    }

    @Override
    public String toString() {
        return JSON.valueToTree(this).toString();
    }
}
