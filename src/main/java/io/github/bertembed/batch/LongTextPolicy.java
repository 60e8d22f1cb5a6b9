package io.github.bertembed.batch;

import java.util.Locale;

/** What happens to a document longer than the model's maximum length; the caller chooses. */
public enum LongTextPolicy {
    /** Keep the first window only; the result says it was truncated. */
    TRUNCATE,
    /** Embed overlapping windows and combine them: token-weighted mean, then L2 normalization. */
    CHUNK,
    /** Embed overlapping windows and emit one vector per window, with its character span. */
    CHUNKS;

    public static LongTextPolicy parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown long-text policy '" + name + "': expected truncate, chunk or chunks");
        }
    }
}
