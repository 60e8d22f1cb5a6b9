package io.github.bertembed.embedding;

import io.github.bertembed.onnx.EmbeddingLayerGraph;

import java.util.List;

/**
 * BERT's input embedding layer, computed in Java: for token i of a text,
 * {@code LayerNorm(E_token[id_i] + E_segment[type_i] + E_position[i])}, into one [batch, seq, hidden] buffer for
 * the encoder. The tables and LayerNorm parameters are the model's own, read from its ONNX initializers.
 *
 * <pre>{@code
 * InputEmbeddings layer = embedder.inputEmbeddings();
 * float[] king = layer.lookup(tokenizer.tokenToId("king"));        // a row of the token table
 * float[] x = layer.compute(List.of(tokenizer.encode("hi")), 3);   // what the first transformer layer sees
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class InputEmbeddings {
    private final EmbeddingTable tokens;
    private final EmbeddingTable positions;
    private final EmbeddingTable segments;
    /** The graph has no segment input and adds segment row 0 to every token. */
    private final boolean segmentRowZeroOnly;
    private final float[] gamma;
    private final float[] beta;
    private final float epsilon;
    private final int hidden;

    public InputEmbeddings(EmbeddingLayerGraph layer) {
        this.tokens = new EmbeddingTable(layer.tokens());
        this.positions = new EmbeddingTable(layer.positions());
        this.segments = layer.segments() == null ? null : new EmbeddingTable(layer.segments());
        this.segmentRowZeroOnly = layer.tokenTypeName() == null;
        this.gamma = layer.gamma();
        this.beta = layer.beta();
        this.epsilon = layer.epsilon();
        this.hidden = tokens.columns();
        if (positions.columns() != hidden || (segments != null && segments.columns() != hidden)
                || gamma.length != hidden || (beta != null && beta.length != hidden)) {
            throw new IllegalArgumentException("embedding tables disagree on the hidden size (" + hidden + ")");
        }
    }

    /** The hidden size. */
    public int hidden() {
        return hidden;
    }

    /** Rows of the token table: every token id must be below this. */
    public int vocabularySize() {
        return tokens.rows();
    }

    /** Rows of the position table: the longest sequence the model takes. */
    public int maxPositions() {
        return positions.rows();
    }

    public EmbeddingTable tokenTable() {
        return tokens;
    }

    public EmbeddingTable positionTable() {
        return positions;
    }

    /** The segment table, or null for a model without token types. */
    public EmbeddingTable segmentTable() {
        return segments;
    }

    /** The token table's row for an id: the same as a one-hot vector times the table. */
    public float[] lookup(int tokenId) {
        return tokens.row(tokenId);
    }

    /** The layer for one text: [length, hidden]. */
    public float[] compute(int[] ids, int[] typeIds, int[] mask) {
        float[] out = new float[ids.length * hidden];
        compute(ids, typeIds, mask, out, 0);
        return out;
    }

    /** One text's rows into {@code out} from {@code offset}; only positions whose mask is 1 are written. */
    public void compute(int[] ids, int[] typeIds, int[] mask, float[] out, int offset) {
        if (ids.length > positions.rows()) {
            int real = 0;
            for (int m : mask) {
                real += m;
            }
            if (real > positions.rows()) {
                throw new IllegalArgumentException("sequence of " + real + " tokens is longer than the model's position"
                        + " table (" + positions.rows() + "); truncate or chunk it");
            }
        }
        for (int i = 0; i < ids.length; i++) {
            if (mask[i] == 0) {
                continue;
            }
            int at = offset + i * hidden;
            int id = ids[i];
            if (id < 0 || id >= tokens.rows()) {
                throw new IllegalArgumentException("token id " + id + " is outside the token table ("
                        + tokens.rows() + " rows): the tokenizer does not match the model");
            }
            tokens.copyRow(id, out, at);
            if (segments != null) {
                segments.addRow(segmentRowZeroOnly ? 0 : typeIds[i], out, at);
            }
            positions.addRow(i, out, at);
            layerNorm(out, at);
        }
    }

    /**
     * LayerNorm exactly as onnxruntime's CPU kernel computes it: float accumulators in index order,
     * {@code var = E[x²] − mean²}, float arithmetic throughout. This is bit-identical to the reference (checked
     * in InputEmbeddingsReferenceTest), which matters for dynamically quantized models: there a one-ulp difference
     * can flip an int8 rounding and move the sentence vector by up to 1% in cosine.
     */
    private void layerNorm(float[] x, int at) {
        float mean = 0;
        float meanSquare = 0;
        for (int i = 0; i < hidden; i++) {
            float v = x[at + i];
            mean += v;
            meanSquare += v * v;
        }
        mean = mean / hidden;
        float std = (float) Math.sqrt(meanSquare / hidden - mean * mean + epsilon);
        for (int i = 0; i < hidden; i++) {
            float v = (x[at + i] - mean) / std * gamma[i];
            x[at + i] = beta == null ? v : v + beta[i];
        }
    }
}
