package io.github.bertembed.onnx;

/**
 * An embedding table as the model stores it: float32, or 8-bit with one scale and zero point
 * (DequantizeLinear: {@code value = (q - zeroPoint) * scale}).
 *
 * @param name      the initializer's name
 * @param rows      number of rows (vocabulary, positions, or segment types)
 * @param columns   the hidden size
 * @param floats    float32 values, row-major, or null when quantized
 * @param quantized 8-bit values, row-major, or null when float
 * @param signed    whether {@code quantized} holds int8 (else uint8)
 * @param scale     the dequantization scale
 * @param zeroPoint the dequantization zero point
 */
public record TableTensor(String name, int rows, int columns, float[] floats, byte[] quantized, boolean signed,
                          float scale, int zeroPoint) {

    public boolean isQuantized() {
        return quantized != null;
    }
}
