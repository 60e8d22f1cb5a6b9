package io.github.bertembed.embedding;

import io.github.bertembed.onnx.TableTensor;

/**
 * One embedding table (rows × hidden), float32 or 8-bit. An 8-bit row is dequantized on read exactly as
 * onnxruntime's DequantizeLinear does it: {@code (float) (q - zeroPoint) * scale}.
 */
public final class EmbeddingTable {
    private final String name;
    private final int rows;
    private final int columns;
    private final float[] floats;
    private final byte[] quantized;
    private final boolean signed;
    private final float scale;
    private final int zeroPoint;

    public EmbeddingTable(TableTensor t) {
        this.name = t.name();
        this.rows = t.rows();
        this.columns = t.columns();
        this.floats = t.floats();
        this.quantized = t.quantized();
        this.signed = t.signed();
        this.scale = t.scale();
        this.zeroPoint = t.zeroPoint();
        long expected = (long) rows * columns;
        long actual = floats != null ? floats.length : quantized.length;
        if (actual != expected) {
            throw new IllegalArgumentException("embedding table " + name + " holds " + actual + " values, expected "
                    + rows + " × " + columns);
        }
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    public boolean isQuantized() {
        return quantized != null;
    }

    /** A copy of one row. */
    public float[] row(int row) {
        float[] out = new float[columns];
        copyRow(row, out, 0);
        return out;
    }

    /** Writes row {@code row} into {@code dst[offset..offset+columns)}. */
    public void copyRow(int row, float[] dst, int offset) {
        checkRow(row);
        int base = row * columns;
        if (floats != null) {
            System.arraycopy(floats, base, dst, offset, columns);
        } else {
            for (int i = 0; i < columns; i++) {
                dst[offset + i] = dequantize(quantized[base + i]);
            }
        }
    }

    /** Adds row {@code row} to {@code dst[offset..offset+columns)}, element by element in float. */
    public void addRow(int row, float[] dst, int offset) {
        checkRow(row);
        int base = row * columns;
        if (floats != null) {
            for (int i = 0; i < columns; i++) {
                dst[offset + i] += floats[base + i];
            }
        } else {
            for (int i = 0; i < columns; i++) {
                dst[offset + i] += dequantize(quantized[base + i]);
            }
        }
    }

    private float dequantize(byte q) {
        int v = signed ? q : (q & 0xFF);
        return (float) (v - zeroPoint) * scale;
    }

    private void checkRow(int row) {
        if (row < 0 || row >= rows) {
            throw new IllegalArgumentException("index " + row + " is outside embedding table " + name + " (" + rows
                    + " rows)");
        }
    }
}
