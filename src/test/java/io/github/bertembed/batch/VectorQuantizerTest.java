package io.github.bertembed.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.TestData;
import io.github.bertembed.onnx.HalfFloat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every precision against NumPy's results (tests/quantize/expected.json, written by make_expected.py the way
 * sentence-transformers' quantize_embeddings computes them, and with NumPy's float16 rounding).
 */
class VectorQuantizerTest {
    private static final JsonNode EXPECTED = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(TestData.testsDir().resolve("quantize/expected.json").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<float[]> floats(String key) {
        List<float[]> out = new ArrayList<>();
        for (JsonNode row : EXPECTED.get(key)) {
            float[] v = new float[row.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) row.get(i).asDouble();
            }
            out.add(v);
        }
        return out;
    }

    private static int[] ints(JsonNode row) {
        int[] v = new int[row.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = row.get(i).asInt();
        }
        return v;
    }

    @Test
    void integerPrecisionsAreNumPysCodes() {
        List<float[]> calibration = floats("calibration");
        List<float[]> vectors = floats("vectors");
        for (Precision p : List.of(Precision.INT8, Precision.UINT8, Precision.BINARY, Precision.UBINARY)) {
            VectorQuantizer q = VectorQuantizer.calibrated(p, calibration);
            String key = p.name().toLowerCase();
            for (int i = 0; i < vectors.size(); i++) {
                assertArrayEquals(ints(EXPECTED.get(key).get(i)), q.ints(vectors.get(i)), key + " row " + i);
                byte[] bytes = q.bytes(vectors.get(i));
                assertEquals(p.columns(13), bytes.length);
            }
        }
        // Beyond the calibration range: clamped to the extreme codes (NumPy's cast would wrap around).
        VectorQuantizer q = VectorQuantizer.calibrated(Precision.INT8, calibration);
        float[] far = new float[13];
        java.util.Arrays.fill(far, 5f);
        assertEquals(127, q.ints(far)[0]);
        java.util.Arrays.fill(far, -5f);
        assertEquals(-128, q.ints(far)[0]);
    }

    @Test
    void float16IsNumPysRounding() {
        VectorQuantizer q = VectorQuantizer.of(Precision.FLOAT16);
        List<float[]> vectors = floats("vectors");
        List<float[]> expected = floats("float16");
        for (int i = 0; i < vectors.size(); i++) {
            assertArrayEquals(expected.get(i), q.floats(vectors.get(i)), 0f, "row " + i);
        }
        // Halfway cases tie to even, tiny values become subnormal halves, large ones infinity.
        assertEquals(1.0f, HalfFloat.toFloat(HalfFloat.fromFloat(1.0f + 0x1p-11f)));
        assertEquals(1.0f + 0x1p-9f, HalfFloat.toFloat(HalfFloat.fromFloat(1.0f + 0x1.8p-10f)));
        assertEquals(0x1p-24f, HalfFloat.toFloat(HalfFloat.fromFloat(0x1p-24f)));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloat.toFloat(HalfFloat.fromFloat(70000f)));
        assertEquals(-2.0f, HalfFloat.toFloat(HalfFloat.fromFloat(-2.0f)));
    }

    @Test
    void int8WithoutCalibrationIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VectorQuantizer.of(Precision.INT8));
        assertEquals("int8 needs calibration vectors for its per-dimension ranges", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Precision.named("int4"));
    }
}
