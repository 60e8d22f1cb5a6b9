package io.github.bertembed.spark;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.pooling.Pooling;

import java.io.Serializable;
import java.util.Locale;

/**
 * What an executor needs to build its {@link SentenceEmbedder}: a small value shipped with each task (never the
 * embedder itself), and the key of the per-JVM cache, so tasks with the same settings share one embedder.
 *
 * @param model          a known model name (from a model jar on the executor's classpath), a local folder or model
 *                       jar present on every executor, or a Hadoop FileSystem URI ({@code hdfs://}, {@code s3a://},
 *                       {@code file://}) copied to local disk once per executor JVM
 * @param maxLength      tokens per text, special tokens included; 0 for the model's own
 * @param batchSize      texts per encoder run
 * @param maxRunTokens padded tokens per encoder run
 * @param pooling        {@code mean}, {@code cls} or {@code max}; null for the model's own
 * @param normalize      L2 normalization; null for the model's own
 * @param threads        onnxruntime threads of the embedder (the cores one task may use)
 */
public record EmbedderSpec(String model, int maxLength, int batchSize, int maxRunTokens, String pooling,
                           Boolean normalize, int threads) implements Serializable {

    /** The embedder these settings describe, with the model resolved on this machine. */
    SentenceEmbedder build() {
        SentenceEmbedder.Builder b = SentenceEmbedder.builder()
                .model(LocalModelCopies.localModel(model))
                .batchSize(batchSize)
                .maxRunTokens(maxRunTokens)
                .threads(threads);
        if (maxLength > 0) {
            b.maxLength(maxLength);
        }
        if (pooling != null) {
            b.pooling(Pooling.valueOf(pooling.toUpperCase(Locale.ROOT)));
        }
        if (normalize != null) {
            b.normalize(normalize);
        }
        return b.build();
    }
}
