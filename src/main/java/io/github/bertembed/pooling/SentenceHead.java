package io.github.bertembed.pooling;

import java.util.List;

/**
 * What follows the encoder in a sentence-transformers pipeline, in its order: Pooling (one mode, or several
 * concatenated in sentence-transformers' order), Dense layers, then Normalize.
 *
 * <pre>{@code
 * SentenceHead head = new SentenceHead(List.of(Pooling.CLS, Pooling.MEAN), List.of(), true);
 * float[] v = head.vector(states, row, seq, hidden, mask);   // 2 × hidden values, unit length
 * }</pre>
 *
 * @param pooling   the pooling modes, concatenated in this order
 * @param dense     the Dense layers, applied in this order
 * @param normalize L2 normalization last
 */
public record SentenceHead(List<Pooling> pooling, List<DenseLayer> dense, boolean normalize) {

    public SentenceHead {
        pooling = List.copyOf(pooling);
        dense = List.copyOf(dense);
        if (pooling.isEmpty()) {
            throw new IllegalArgumentException("no pooling mode");
        }
    }

    /** The sentence vector's size for token vectors of {@code hidden} values. */
    public int dimension(int hidden) {
        return dense.isEmpty() ? pooling.size() * hidden : dense.get(dense.size() - 1).out();
    }

    /** Row {@code row} of {@code states} ([batch, seq, hidden]) through pooling, the Dense layers and Normalize. */
    public float[] vector(float[] states, int row, int seq, int hidden, int[] mask) {
        float[] v = new float[pooling.size() * hidden];
        if (pooling.size() == 1) {
            pooling.get(0).pool(states, row, seq, hidden, mask, v);
        } else {
            float[] part = new float[hidden];
            for (int k = 0; k < pooling.size(); k++) {
                pooling.get(k).pool(states, row, seq, hidden, mask, part);
                System.arraycopy(part, 0, v, k * hidden, hidden);
            }
        }
        for (DenseLayer d : dense) {
            v = d.apply(v);
        }
        if (normalize) {
            VectorMath.normalize(v);
        }
        return v;
    }
}
