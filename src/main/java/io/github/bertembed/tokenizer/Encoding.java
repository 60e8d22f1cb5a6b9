package io.github.bertembed.tokenizer;

import java.util.Arrays;

/**
 * One tokenized text (or pair of texts), ready for a BERT model.
 *
 * <p>Offsets are UTF-16 indexes into the input {@code String}, the indexes {@link String#substring(int, int)}
 * takes: {@code text.substring(offsets()[i][0], offsets()[i][1])} is the text of token i. Special and padding
 * tokens have {@code [0, 0]}. For a pair, the offsets of the second text's tokens index the second text.
 * (HuggingFace tokenizers through DJL reports code-point offsets instead, which differ from these after any
 * character outside the Basic Multilingual Plane, such as most emoji.)
 *
 * <pre>{@code
 * Encoding e = tokenizer.encode("Hello, world!");
 * e.ids();        // [101, 7592, 1010, 2088, 999, 102]
 * e.tokens();     // [[CLS], hello, ",", world, !, [SEP]]
 * }</pre>
 *
 * @param ids                 token ids
 * @param typeIds             segment ids: 0 for the first text, 1 for the second of a pair
 * @param attentionMask       1 for real tokens, 0 for padding
 * @param specialTokensMask   1 for tokens added by the template or padding
 * @param tokens              token strings
 * @param offsets             {@code [start, end)} of each token in its text, UTF-16 indexes
 * @param truncatedTokens     how many tokens truncation removed (0 when nothing was dropped)
 */
public record Encoding(int[] ids, int[] typeIds, int[] attentionMask, int[] specialTokensMask, String[] tokens,
                       int[][] offsets, int truncatedTokens) {

    /** Number of tokens, padding included. */
    public int length() {
        return ids.length;
    }

    /** Whether truncation dropped tokens from this text. */
    public boolean truncated() {
        return truncatedTokens > 0;
    }

    /** Number of tokens that are not padding. */
    public int realLength() {
        int n = 0;
        for (int m : attentionMask) {
            n += m;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e
                && Arrays.equals(ids, e.ids) && Arrays.equals(typeIds, e.typeIds)
                && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(specialTokensMask, e.specialTokensMask)
                && Arrays.equals(tokens, e.tokens) && Arrays.deepEquals(offsets, e.offsets)
                && truncatedTokens == e.truncatedTokens;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + Arrays.hashCode(typeIds);
    }

    @Override
    public String toString() {
        return "Encoding" + Arrays.toString(tokens) + Arrays.toString(ids);
    }
}
