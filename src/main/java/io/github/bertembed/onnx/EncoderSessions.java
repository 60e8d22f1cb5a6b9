package io.github.bertembed.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model's encoder in onnxruntime: the graph cut after the embedding layer, rewritten only where the rewrite
 * computes what the model's operators do (cached on disk where a cache folder is writable, else cut in memory,
 * see {@link EncoderGraph#checkedCut}), one session with all threads, and for dynamically quantized models run text
 * by text in parallel, a one-thread session beside it.
 *
 * <pre>{@code
 * try (EncoderSessions s = EncoderSessions.open(model, layer, EncoderGraph.defaultCacheDirs(folder), true, true, options, false)) {
 *     float[] hidden = s.main().run(x, mask, batch, seq, hiddenSize);
 * }
 * }</pre>
 *
 * @param main   the session with the caller's threads
 * @param single a one-thread session for runs side by side, or null
 */
public record EncoderSessions(OnnxEncoder main, OnnxEncoder single) implements AutoCloseable {

    /**
     * @param fuseAttention rewrite fp32 attention into onnxruntime's fused operator (see {@link AttentionFusion})
     * @param packTokens    with fusion, run the position-wise layers on the real tokens only (see
     *                      {@link TokenPacking})
     * @param singleToo     open the one-thread session too
     */
    public static EncoderSessions open(OnnxModelFile model, EmbeddingLayerGraph layer, List<Path> cacheDirs,
                                       boolean fuseAttention, boolean packTokens, SessionOptions options,
                                       boolean singleToo) {
        try {
            Path cut = EncoderGraph.cached(model, layer, cacheDirs, fuseAttention, packTokens);
            byte[] bytes = cut == null ? EncoderGraph.checkedCut(model, layer, fuseAttention, packTokens) : null;
            OnnxEncoder main = cut != null ? OnnxEncoder.open(cut, options) : OnnxEncoder.open(bytes, options);
            OnnxEncoder single = null;
            if (singleToo) {
                SessionOptions one = options.withIntraOpThreads(1);
                single = cut != null ? OnnxEncoder.open(cut, one) : OnnxEncoder.open(bytes, one);
            }
            return new EncoderSessions(main, single);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the encoder graph: " + e.getMessage(), e);
        }
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
