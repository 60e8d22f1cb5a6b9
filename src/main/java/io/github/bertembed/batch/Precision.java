package io.github.bertembed.batch;

import java.util.Locale;

/**
 * The number type of written vectors, as sentence-transformers' {@code quantize_embeddings} names them (and
 * {@code float16}, as infinity offers): memory ÷2, ÷4 or ÷32 against float32, for stores and indexes that take them.
 */
public enum Precision {
    /** The vectors as computed. */
    FLOAT32("<f4"),
    /** Rounded to IEEE half precision (nearest, ties to even). */
    FLOAT16("<f2"),
    /** Per dimension: {@code (x - start) / step - 128} toward zero, where start and step map the calibration range to 256 levels. */
    INT8("|i1"),
    /** As {@link #INT8} without the shift: {@code (x - start) / step}. */
    UINT8("|u1"),
    /** Sign bits packed eight a byte (first dimension in the high bit), minus 128: int8, as sentence-transformers' binary. */
    BINARY("|i1"),
    /** Sign bits packed eight a byte, unsigned (sentence-transformers' ubinary). */
    UBINARY("|u1");

    private final String npyType;

    Precision(String npyType) {
        this.npyType = npyType;
    }

    /** NumPy's type string of a component ({@code <f4}, {@code |i1}, ...). */
    public String npyType() {
        return npyType;
    }

    /** Bytes of one component. */
    public int itemSize() {
        return this == FLOAT32 ? 4 : this == FLOAT16 ? 2 : 1;
    }

    /** Components a vector of {@code dimension} floats becomes (a byte per eight dimensions for the binary ones). */
    public int columns(int dimension) {
        return packsBits() ? (dimension + 7) / 8 : dimension;
    }

    public boolean packsBits() {
        return this == BINARY || this == UBINARY;
    }

    /** Whether it maps ranges of values to 256 levels, and so needs calibration vectors. */
    public boolean needsRanges() {
        return this == INT8 || this == UINT8;
    }

    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT16;
    }

    /** The precision named case-insensitively. */
    public static Precision named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown precision '" + name
                    + "': expected float32, float16, int8, uint8, binary or ubinary");
        }
    }
}
