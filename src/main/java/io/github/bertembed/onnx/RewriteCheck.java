package io.github.bertembed.onnx;

import java.util.Random;

/**
 * Whether a rewritten encoder graph (attention fused, tokens packed) computes what the model's own operators
 * compute. The rewrites match a graph's structure (see {@link AttentionPattern}), and a structure can match while
 * the arithmetic differs: an export that folded the 1/√d scale into the query weights, or that adds a position
 * bias to the scores beside the mask, still looks like BERT's attention, and the fused operator would quietly
 * compute something else. So before a rewritten graph is used (and cached), both graphs run on one probe batch
 * (seeded random input vectors, texts of 11, 6 and 1 tokens padded to 11) and must agree on every real token within
 * {@link #TOLERANCE}: fusion and packing only reorder float arithmetic (measured 1.6e-7 to 1.8e-7 on the models'
 * pooled vectors), while a wrong scale or a dropped bias shows up orders of magnitude above it.
 *
 * <pre>{@code
 * String problem = RewriteCheck.disagreement(EncoderGraph.cut(model, layer, EncoderRewrite.FUSED_PACKED),
 *         EncoderGraph.cut(model, layer, EncoderRewrite.PLAIN), layer.hidden()); // null: the rewrite is safe
 * }</pre>
 */
final class RewriteCheck {
    /** Most absolute difference on a real token's hidden state (values of order 1, after a layer norm). */
    static final double TOLERANCE = 1e-3;
    private static final int[] LENGTHS = {11, 6, 1};

    private RewriteCheck() {
    }

    /** Null when {@code rewritten} agrees with {@code reference} on the probe, else what differs. */
    static String disagreement(byte[] rewritten, byte[] reference, int hidden) {
        int batch = LENGTHS.length;
        int seq = LENGTHS[0];
        float[] x = new float[batch * seq * hidden];
        Random random = new Random(20261202L);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        long[] mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < LENGTHS[b]; s++) {
                mask[b * seq + s] = 1;
            }
        }
        SessionOptions one = SessionOptions.defaults().withIntraOpThreads(1);
        float[] got;
        float[] want;
        try (OnnxEncoder a = OnnxEncoder.open(rewritten, one); OnnxEncoder b = OnnxEncoder.open(reference, one)) {
            got = a.run(x, mask, batch, seq, hidden);
            want = b.run(x, mask, batch, seq, hidden);
        } catch (RuntimeException e) {
            return "it does not run: " + e.getMessage();
        }
        if (got.length != want.length) {
            return "its output has " + got.length + " values, the model's " + want.length;
        }
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < LENGTHS[b]; s++) {
                for (int h = 0, at = (b * seq + s) * hidden; h < hidden; h++, at++) {
                    double d = Math.abs((double) got[at] - want[at]);
                    if (!(d <= worst)) { // NaN counts as the worst
                        worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    }
                }
            }
        }
        return worst <= TOLERANCE ? null : String.format(java.util.Locale.ROOT,
                "its token vectors differ from the model's own operators by up to %.3g (tolerance %.0e)", worst,
                TOLERANCE);
    }
}
