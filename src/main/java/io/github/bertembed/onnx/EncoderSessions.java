package io.github.bertembed.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A model's encoder in onnxruntime: the graph cut after the embedding layer, rewritten only where the rewrite
 * computes what the model's operators do ({@link EncoderGraph#checkedCut}), taken from the cache or cut once per
 * load; one session with all threads, and for dynamically quantized models run text by text in parallel, a
 * one-thread session beside it.
 *
 * <pre>{@code
 * try (EncoderSessions s = EncoderSessions.open(model, layer, EncoderRewrite.FUSED_PACKED, cache, options,
 *         Parallelism.ONE_SESSION)) {
 *     float[] hidden = s.main().run(x, mask, batch, seq, hiddenSize);
 * }
 * }</pre>
 *
 * @param main   the session with the caller's threads
 * @param single a one-thread session for runs side by side, or null
 */
public record EncoderSessions(OnnxEncoder main, OnnxEncoder single) implements AutoCloseable {

    /** Which sessions to open. */
    public enum Parallelism {
        /** the main session only */
        ONE_SESSION,
        /** the main session and a one-thread session for single-text runs side by side */
        WITH_SINGLE_THREAD_SESSION
    }

    /**
     * Opens the sessions over the cached cut graph, or over one cut made now (stored in the cache where it is
     * writable, else kept in memory for both sessions).
     */
    public static EncoderSessions open(OnnxModelFile model, EmbeddingLayerGraph layer, EncoderRewrite rewrite,
                                       EncoderGraphCache cache, SessionOptions options, Parallelism parallelism) {
        try {
            Path file = cache.find(model, rewrite);
            byte[] bytes = null;
            if (file == null) {
                bytes = EncoderGraph.checkedCut(model, layer, rewrite);
                file = cache.store(model, rewrite, bytes);
            }
            OnnxEncoder main = open(file, bytes, options);
            OnnxEncoder single = parallelism == Parallelism.WITH_SINGLE_THREAD_SESSION
                    ? open(file, bytes, options.withIntraOpThreads(1)) : null;
            return new EncoderSessions(main, single);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the encoder graph: " + e.getMessage(), e);
        }
    }

    private static OnnxEncoder open(Path file, byte[] bytes, SessionOptions options) {
        return file != null ? OnnxEncoder.open(file, options) : OnnxEncoder.open(bytes, options);
    }

    /** onnxruntime tensors and results created and not yet freed. */
    public int openNativeObjects() {
        return main.openNativeObjects() + (single == null ? 0 : single.openNativeObjects());
    }

    public boolean isClosed() {
        return main.isClosed();
    }

    @Override
    public void close() {
        main.close();
        if (single != null) {
            single.close();
        }
    }
}
