package io.github.bertembed;

/**
 * A text longer than the model's maximum length under {@link LongTextPolicy#REFUSE}; the message names the text's
 * position, its token count and the maximum.
 */
public final class TextTooLongException extends IllegalArgumentException {
    private final int index;
    private final int tokens;
    private final int maxLength;

    public TextTooLongException(int index, int tokens, int maxLength) {
        super("text " + index + " has " + tokens + " tokens, more than the model's maximum length of " + maxLength
                + " (the long-text policy is refuse; truncate or chunk would take it)");
        this.index = index;
        this.tokens = tokens;
        this.maxLength = maxLength;
    }

    /** The text's position in its call (0 for a single text). */
    public int index() {
        return index;
    }

    /** Its tokens, special tokens included. */
    public int tokens() {
        return tokens;
    }

    public int maxLength() {
        return maxLength;
    }
}
