package io.github.bertembed.tokenizer;

import java.util.Locale;

/** How a text, or a pair of texts, is cut to a maximum length; the names are tokenizer.json's. */
public enum TruncationStrategy {
    /** Never cut. */
    NONE,
    /** Cut the longer of the two texts first, token by token (HuggingFace's {@code longest_first}). */
    LONGEST_FIRST,
    /** Cut only the first text; an error if that is not enough. */
    ONLY_FIRST,
    /** Cut only the second text of a pair; an error if that is not enough. */
    ONLY_SECOND;

    /** Parses {@code longest_first}, {@code LongestFirst}, {@code only-first} and the like. */
    public static TruncationStrategy parse(String name) {
        String n = name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        for (TruncationStrategy s : values()) {
            if (s.name().replace("_", "").toLowerCase(Locale.ROOT).equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown truncation strategy '" + name
                + "': expected longest_first, only_first, only_second or none");
    }
}
