package io.github.bertembed;

/**
 * Told what each stage of an embedder's work took, as it happens: tokenization per call, and per encoder run the
 * input embedding layer, the encoder and pooling. Called on the embedding threads; implementations must be
 * thread-safe and quick. What {@code bench} uses for its per-stage breakdown.
 *
 * <pre>{@code
 * LongAdder encoderNanos = new LongAdder();
 * SentenceEmbedder e = SentenceEmbedder.builder().stageListener(new StageListener() {
 *     public void encoderRun(EncoderRun run) { encoderNanos.add(run.encoderNanos()); }
 * }).build();
 * }</pre>
 */
public interface StageListener {
    /** Listens to nothing. */
    StageListener NONE = new StageListener() {
    };

    /**
     * One encoder run.
     *
     * @param texts         texts in the run
     * @param paddedLength  the run's sequence length (its longest text)
     * @param inputEmbeddingsNanos time in the input embedding layer
     * @param encoderNanos  time in the encoder (onnxruntime)
     * @param poolingNanos  time pooling and normalizing
     */
    record EncoderRun(int texts, int paddedLength, long inputEmbeddingsNanos, long encoderNanos, long poolingNanos) {
    }

    /** {@code texts} texts were tokenized in {@code nanos}. */
    default void tokenized(int texts, long nanos) {
    }

    /** An encoder run finished. */
    default void encoderRun(EncoderRun run) {
    }
}
