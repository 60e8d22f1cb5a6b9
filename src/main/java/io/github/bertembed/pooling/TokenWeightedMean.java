package io.github.bertembed.pooling;

/**
 * The vector of a text embedded as several windows: the windows' vectors averaged by their token counts (sums in
 * double), then L2-normalized when the model normalizes. One window gives its own vector back unchanged, so a text
 * that fits is embedded exactly as without windows.
 *
 * <pre>{@code
 * TokenWeightedMean mean = new TokenWeightedMean(384);
 * mean.add(first, 128);
 * mean.add(second, 40);
 * float[] vector = mean.result(true);
 * }</pre>
 */
public final class TokenWeightedMean {
    private final double[] sum;
    private float[] only;
    private long tokens;
    private int parts;

    public TokenWeightedMean(int dimension) {
        this.sum = new double[dimension];
    }

    /** Adds one window's vector, weighted by the tokens it saw. */
    public void add(float[] vector, int windowTokens) {
        only = parts == 0 ? vector : null;
        parts++;
        tokens += windowTokens;
        for (int j = 0; j < sum.length; j++) {
            sum[j] += (double) windowTokens * vector[j];
        }
    }

    /** Tokens of every window added. */
    public long tokens() {
        return tokens;
    }

    /** The combined vector (the one window's own vector when only one was added). */
    public float[] result(boolean normalize) {
        if (parts == 1) {
            return only;
        }
        float[] vector = new float[sum.length];
        for (int j = 0; j < sum.length; j++) {
            vector[j] = (float) (sum[j] / tokens);
        }
        if (normalize) {
            VectorMath.normalize(vector);
        }
        return vector;
    }
}
