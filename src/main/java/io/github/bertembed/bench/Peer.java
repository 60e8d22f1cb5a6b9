package io.github.bertembed.bench;

import java.util.List;

/**
 * An engine that turns texts into vectors, measured side by side with the others: bert-embed itself
 * ({@link BertEmbedPeer}), langchain4j ({@link LangChain4jPeer}) or a plain onnxruntime + HuggingFace pipeline
 * ({@link PlainOnnxPipeline}).
 */
public interface Peer extends AutoCloseable {
    /** The engine's name in reports. */
    String name();

    /** How it was run, in a few words. */
    String setting();

    /** Texts per run. */
    int batchSize();

    float[] embed(String text);

    List<float[]> embedAll(List<String> texts);

    /** Tokens the model saw in the last {@link #embedAll}, or -1 where the engine does not say. */
    default long lastTokens() {
        return -1;
    }

    /** Tokens of one text, or -1 where the engine does not say. */
    default int tokens(String text) {
        return -1;
    }

    @Override
    default void close() throws Exception {
    }
}
