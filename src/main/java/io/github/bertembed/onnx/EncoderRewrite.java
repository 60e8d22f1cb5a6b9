package io.github.bertembed.onnx;

/**
 * How the cut encoder graph is rewritten for onnxruntime. Each rewrite is used only where it computes what the
 * model's own operators do ({@link RewriteCheck}); otherwise the next plainer one is.
 *
 * <pre>{@code
 * byte[] encoder = EncoderGraph.checkedCut(model, layer, EncoderRewrite.FUSED_PACKED);
 * }</pre>
 */
public enum EncoderRewrite {
    /** The model's own operators, in their own order. */
    PLAIN,
    /**
     * Each fp32 self-attention block as onnxruntime's fused Attention operator (Q, K, V in one matrix), residual
     * biases folded into SkipLayerNormalization ({@link AttentionFusion}): far fewer small operators.
     */
    FUSED,
    /**
     * {@link #FUSED}, and each layer's projections, feed-forward network and layer norms run on the real tokens
     * only, not on a run's padding ({@link TokenPacking}); only the attention itself runs padded. CPU only.
     */
    FUSED_PACKED;

    boolean fuses() {
        return this != PLAIN;
    }

    boolean packs() {
        return this == FUSED_PACKED;
    }

    /** The next plainer rewrite to try when this one does not match the model's operators, or null. */
    EncoderRewrite fallback() {
        return this == FUSED_PACKED ? FUSED : this == FUSED ? PLAIN : null;
    }
}
