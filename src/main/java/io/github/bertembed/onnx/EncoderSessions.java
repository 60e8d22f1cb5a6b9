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
 * <p>Where the encoder cannot be cut out (the embedding layer already fused by onnxruntime, the layers reading
 * the token ids, a graph onnxruntime will not load once cut), the model's whole graph runs instead: the same
 * vectors, from our tokenizer and pooling, without the cut's gains. {@link #path()} says which and why.
 *
 * @param main   the session with the caller's threads
 * @param single a one-thread session for runs side by side, or null
 * @param path   which graph runs, and why, in words
 */
public record EncoderSessions(OnnxEncoder main, OnnxEncoder single, String path) implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EncoderSessions.class);

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
        String tokenOutput = EncoderGraph.tokenOutput(model);
        String whyWhole;
        try {
            Path file = cache.find(model, rewrite);
            byte[] bytes = null;
            if (file == null) {
                bytes = EncoderGraph.checkedCut(model, layer, rewrite);
                file = cache.store(model, rewrite, bytes);
            }
            OnnxEncoder main = open(file, bytes, options);
            OnnxEncoder single = null;
            try {
                single = parallelism == Parallelism.WITH_SINGLE_THREAD_SESSION
                        ? open(file, bytes, options.withIntraOpThreads(1)) : null;
            } finally {
                if (single == null && parallelism == Parallelism.WITH_SINGLE_THREAD_SESSION) {
                    main.close();
                }
            }
            return new EncoderSessions(main, single, "the encoder cut after the embedding layer ("
                    + (main.packsTokens() ? "fused attention, layers on the real tokens only" : switch (rewrite) {
                        case PLAIN -> "the model's own operators";
                        case FUSED, FUSED_PACKED -> "fused attention where it matches";
                    }) + "), output " + tokenOutput);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the encoder graph: " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            whyWhole = e.getMessage() == null ? e.toString() : e.getMessage().replace(model.path() + ": ", "");
        }
        LOG.info("{}: running the whole graph: {}", model.path(), whyWhole);
        OnnxEncoder main = OnnxEncoder.openWholeGraph(model, tokenOutput, options);
        OnnxEncoder single = parallelism == Parallelism.WITH_SINGLE_THREAD_SESSION
                ? OnnxEncoder.openWholeGraph(model, tokenOutput, options.withIntraOpThreads(1)) : null;
        return new EncoderSessions(main, single, "the whole model graph, output " + tokenOutput
                + " (not cut: " + whyWhole + ")");
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
