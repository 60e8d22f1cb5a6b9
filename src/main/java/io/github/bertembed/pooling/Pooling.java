package io.github.bertembed.pooling;

/**
 * How a text's token vectors become one sentence vector (sentence-transformers' pooling modes).
 *
 * <pre>{@code
 * float[] sentence = new float[hidden];
 * Pooling.MEAN.pool(lastHiddenState, row, seq, hidden, attentionMask, sentence);
 * }</pre>
 */
public enum Pooling {
    /** Mean of the token vectors where the attention mask is 1 (all-MiniLM-L6-v2). */
    MEAN,
    /** The first token's vector, [CLS] (bge). */
    CLS,
    /** Element-wise maximum over the tokens where the attention mask is 1. */
    MAX;

    /**
     * Pools row {@code row} of {@code states}, the encoder's [batch, seq, dim] token vectors, into {@code out}.
     *
     * @param mask the row's attention mask (length ≥ the real tokens; positions beyond its length count as 0)
     */
    public void pool(float[] states, int row, int seq, int dim, int[] mask, float[] out) {
        int base = row * seq * dim;
        switch (this) {
            case CLS -> System.arraycopy(states, base, out, 0, dim);
            case MEAN -> {
                double[] sum = new double[dim];
                int count = 0;
                for (int t = 0; t < Math.min(seq, mask.length); t++) {
                    if (mask[t] == 0) {
                        continue;
                    }
                    count++;
                    int at = base + t * dim;
                    for (int i = 0; i < dim; i++) {
                        sum[i] += states[at + i];
                    }
                }
                for (int i = 0; i < dim; i++) {
                    out[i] = count == 0 ? 0f : (float) (sum[i] / count);
                }
            }
            case MAX -> {
                java.util.Arrays.fill(out, Float.NEGATIVE_INFINITY);
                boolean any = false;
                for (int t = 0; t < Math.min(seq, mask.length); t++) {
                    if (mask[t] == 0) {
                        continue;
                    }
                    any = true;
                    int at = base + t * dim;
                    for (int i = 0; i < dim; i++) {
                        out[i] = Math.max(out[i], states[at + i]);
                    }
                }
                if (!any) {
                    java.util.Arrays.fill(out, 0f);
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
