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
    MAX,
    /** The sum of the real token vectors divided by the square root of their number (mean_sqrt_len_tokens). */
    MEAN_SQRT_LEN,
    /** The real token vectors weighted by their position, 1 for the first (weightedmean, as SGPT). */
    WEIGHTED_MEAN,
    /** The last real token's vector (lasttoken). */
    LAST_TOKEN;

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
            case MEAN_SQRT_LEN, WEIGHTED_MEAN -> {
                double[] sum = new double[dim];
                double weights = 0;
                for (int t = 0; t < Math.min(seq, mask.length); t++) {
                    if (mask[t] == 0) {
                        continue;
                    }
                    double w = this == WEIGHTED_MEAN ? t + 1 : 1;
                    weights += w;
                    int at = base + t * dim;
                    for (int i = 0; i < dim; i++) {
                        sum[i] += w * states[at + i];
                    }
                }
                double divisor = this == WEIGHTED_MEAN ? Math.max(weights, 1e-9) : Math.sqrt(Math.max(weights, 1e-9));
                for (int i = 0; i < dim; i++) {
                    out[i] = (float) (sum[i] / divisor);
                }
            }
            case LAST_TOKEN -> {
                int last = -1;
                for (int t = 0; t < Math.min(seq, mask.length); t++) {
                    last = mask[t] != 0 ? t : last;
                }
                if (last < 0) {
                    java.util.Arrays.fill(out, 0f);
                } else {
                    System.arraycopy(states, base + last * dim, out, 0, dim);
                }
            }
            default -> throw new IllegalStateException();
        }
    }
}
