package io.github.bertembed.batch;

import io.github.bertembed.onnx.HalfFloat;

import java.util.List;

/**
 * Turns float32 vectors into a {@link Precision}, with sentence-transformers' {@code quantize_embeddings} rules:
 * int8 and uint8 map each dimension's calibration range {@code [min, max]} to 256 levels (values outside it are
 * clamped), binary and ubinary keep the sign bits, float16 rounds to the nearest half.
 *
 * <pre>{@code
 * VectorQuantizer q = VectorQuantizer.calibrated(Precision.INT8, calibrationVectors);
 * int[] codes = q.ints(vector);            // one int8 value per dimension
 * }</pre>
 */
public final class VectorQuantizer {
    private final Precision precision;
    private final float[] starts;
    private final float[] steps;

    private VectorQuantizer(Precision precision, float[] starts, float[] steps) {
        this.precision = precision;
        this.starts = starts;
        this.steps = steps;
    }

    /** A precision that needs no calibration (float32, float16, binary, ubinary). */
    public static VectorQuantizer of(Precision precision) {
        if (precision.needsRanges()) {
            throw new IllegalArgumentException(precision.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs calibration vectors for its per-dimension ranges");
        }
        return new VectorQuantizer(precision, null, null);
    }

    /** Per-dimension ranges from calibration vectors (their minimum and maximum), for int8 and uint8. */
    public static VectorQuantizer calibrated(Precision precision, List<float[]> calibration) {
        if (!precision.needsRanges()) {
            return of(precision);
        }
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("no calibration vectors");
        }
        int d = calibration.get(0).length;
        float[] min = calibration.get(0).clone();
        float[] max = calibration.get(0).clone();
        for (float[] v : calibration) {
            for (int j = 0; j < d; j++) {
                min[j] = Math.min(min[j], v[j]);
                max[j] = Math.max(max[j], v[j]);
            }
        }
        float[] steps = new float[d];
        for (int j = 0; j < d; j++) {
            steps[j] = (max[j] - min[j]) / 255f;
        }
        return new VectorQuantizer(precision, min, steps);
    }

    /**
     * int8 or uint8 with given per-dimension ranges: {@code starts} (the minimums) and {@code steps} ((max − min) /
     * 255), as {@link #starts()} and {@link #steps()} return them (e.g. read back from a search index).
     */
    public static VectorQuantizer withRanges(Precision precision, float[] starts, float[] steps) {
        if (!precision.needsRanges()) {
            throw new IllegalArgumentException(precision + " has no ranges");
        }
        if (starts.length != steps.length) {
            throw new IllegalArgumentException(starts.length + " starts but " + steps.length + " steps");
        }
        return new VectorQuantizer(precision, starts.clone(), steps.clone());
    }

    public Precision precision() {
        return precision;
    }

    /** The per-dimension starts (calibration minimums) of int8 and uint8; null for the others. */
    public float[] starts() {
        return starts == null ? null : starts.clone();
    }

    /** The per-dimension steps ((max − min) / 255) of int8 and uint8; null for the others. */
    public float[] steps() {
        return steps == null ? null : steps.clone();
    }

    /** The values of a float precision: the vector itself, or each component rounded to half precision. */
    public float[] floats(float[] v) {
        if (precision == Precision.FLOAT32) {
            return v;
        }
        if (precision != Precision.FLOAT16) {
            throw new IllegalStateException(precision + " has integer values");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = HalfFloat.toFloat(HalfFloat.fromFloat(v[i]));
        }
        return out;
    }

    /** The values of an integer precision, one per column. */
    public int[] ints(float[] v) {
        switch (precision) {
            case INT8, UINT8 -> {
                int shift = precision == Precision.INT8 ? 128 : 0;
                int[] out = new int[v.length];
                for (int j = 0; j < v.length; j++) {
                    // float32 arithmetic, as NumPy does on float32 arrays; the cast truncates toward zero
                    float level = steps[j] == 0 ? 0 : (v[j] - starts[j]) / steps[j];
                    out[j] = Math.max(-shift, Math.min(255 - shift, (int) (level - shift)));
                }
                return out;
            }
            case BINARY, UBINARY -> {
                int[] out = new int[precision.columns(v.length)];
                for (int j = 0; j < v.length; j++) {
                    if (v[j] > 0) {
                        out[j >> 3] |= 0x80 >>> (j & 7);
                    }
                }
                if (precision == Precision.BINARY) {
                    for (int k = 0; k < out.length; k++) {
                        out[k] -= 128;
                    }
                }
                return out;
            }
            default -> throw new IllegalStateException(precision + " has float values");
        }
    }

    /** The little-endian bytes of a row of a .npy file of this precision. */
    public byte[] bytes(float[] v) {
        if (precision == Precision.FLOAT32) {
            return NpyHeader.floats(v);
        }
        if (precision == Precision.FLOAT16) {
            byte[] out = new byte[v.length * 2];
            for (int i = 0; i < v.length; i++) {
                short h = HalfFloat.fromFloat(v[i]);
                out[2 * i] = (byte) h;
                out[2 * i + 1] = (byte) (h >> 8);
            }
            return out;
        }
        int[] values = ints(v);
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
