package io.github.bertembed.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Padding, as HuggingFace's padding params: to the longest of a batch or to the maximum length, rounded up to a
 * multiple; pad tokens get the pad id and type id, mask 0, and are special.
 *
 * @param strategy        none, longest or max_length
 * @param padToMultipleOf round lengths up to a multiple of this (0 or 1: no rounding)
 * @param maxLength       the target for max_length
 * @param padId           the pad token's id
 * @param padTypeId       its type id
 * @param padToken        its string
 */
record Padding(PaddingStrategy strategy, int padToMultipleOf, int maxLength, int padId, int padTypeId, String padToken) {

    /** One encoding padded as it would be alone. */
    Encoding pad(Encoding e) {
        return strategy == PaddingStrategy.NONE ? e : pad(e, paddedLength(e.length()));
    }

    /** A batch padded together (longest: to the batch's longest). */
    List<Encoding> padBatch(List<Encoding> encodings) {
        if (strategy == PaddingStrategy.NONE) {
            return encodings;
        }
        int longest = 0;
        for (Encoding e : encodings) {
            longest = Math.max(longest, e.length());
        }
        int target = strategy == PaddingStrategy.LONGEST ? roundUp(longest) : paddedLength(longest);
        List<Encoding> out = new ArrayList<>(encodings.size());
        for (Encoding e : encodings) {
            out.add(strategy == PaddingStrategy.LONGEST ? pad(e, target) : pad(e, paddedLength(e.length())));
        }
        return out;
    }

    private int paddedLength(int length) {
        if (strategy == PaddingStrategy.MAX_LENGTH && maxLength > 0) {
            return roundUp(Math.max(length, maxLength));
        }
        return roundUp(length);
    }

    private int roundUp(int length) {
        int m = padToMultipleOf;
        return m > 1 && length % m != 0 ? (length / m + 1) * m : length;
    }

    private Encoding pad(Encoding e, int target) {
        int n = e.length();
        if (n >= target) {
            return e;
        }
        int[] ids = Arrays.copyOf(e.ids(), target);
        int[] types = Arrays.copyOf(e.typeIds(), target);
        int[] mask = Arrays.copyOf(e.attentionMask(), target);
        int[] specialMask = Arrays.copyOf(e.specialTokensMask(), target);
        String[] tokens = Arrays.copyOf(e.tokens(), target);
        int[][] offsets = Arrays.copyOf(e.offsets(), target);
        for (int i = n; i < target; i++) {
            ids[i] = padId;
            types[i] = padTypeId;
            specialMask[i] = 1;
            tokens[i] = padToken;
            offsets[i] = new int[] {0, 0};
        }
        return new Encoding(ids, types, mask, specialMask, tokens, offsets, e.truncatedTokens());
    }
}
