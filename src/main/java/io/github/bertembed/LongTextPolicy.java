package io.github.bertembed;

/**
 * What happens to a text longer than the model's maximum length: one policy for the library, the CLI, the server,
 * Spark and the framework adapters, with one default, {@link #DEFAULT} ({@link #TRUNCATE}).
 *
 * <p>Truncation is the default because it is what the references do (sentence-transformers' {@code encode}, TEI,
 * the ONNX graph fed at its maximum length): a text's vector is the same here as there, whatever its length. It is
 * never silent: {@link Embedding#truncated()}, the CLI's records and summary line, the server's
 * {@code x-compute-truncated} header, Spark's {@code truncated} column and the adapters' responses say which texts
 * lost tokens.
 *
 * <pre>{@code
 * SentenceEmbedder whole = SentenceEmbedder.builder().longText(LongTextPolicy.CHUNK).build();
 * }</pre>
 */
public enum LongTextPolicy {
    /** Keep the first window (the model's maximum length) and report the text as truncated. */
    TRUNCATE,
    /** Refuse a long text with an error naming its token count and the maximum ({@link TextTooLongException}). */
    REFUSE,
    /** Embed overlapping windows and combine them: token-weighted mean, then L2 normalization when the model has it. */
    CHUNK,
    /** Embed overlapping windows and give one vector per window with its character span (batch surfaces only). */
    CHUNKS;

    /** The policy of every surface unless told otherwise. */
    public static final LongTextPolicy DEFAULT = TRUNCATE;

    /** The policy named case-insensitively ({@code truncate}, {@code refuse}, {@code chunk}, {@code chunks}). */
    public static LongTextPolicy named(String name) {
        for (LongTextPolicy p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown long-text policy '" + name
                + "': expected truncate, refuse, chunk or chunks");
    }

    /** The lower-case name, as flags and parameters spell it. */
    public String flagValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
