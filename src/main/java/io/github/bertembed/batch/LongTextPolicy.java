package io.github.bertembed.batch;

/** What happens to a document longer than the model's maximum length; the caller chooses. */
public enum LongTextPolicy {
    /** Keep the first window only; the result says it was truncated. */
    TRUNCATE,
    /** Embed overlapping windows and combine them: token-weighted mean, then L2 normalization. */
    CHUNK,
    /** Embed overlapping windows and emit one vector per window, with its character span. */
    CHUNKS
}
