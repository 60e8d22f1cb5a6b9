package io.github.bertembed.tokenizer;

/**
 * How many tokens of each text survive a maximum length, as HuggingFace's {@code truncate_encodings} decides.
 *
 * @param maxLength most tokens, special tokens included; 0 for no limit
 * @param strategy  longest_first, only_first, only_second or none
 * @param fromLeft  cut from the start instead of the end
 */
record Truncation(int maxLength, TruncationStrategy strategy, boolean fromLeft) {

    /**
     * The kept lengths of the first and second text.
     *
     * @param special the special tokens the template adds
     * @throws IllegalArgumentException where the reference errors (a text too short for only_first/only_second,
     *                                  a maximum shorter than the special tokens)
     */
    int[] keep(int la, int lb, boolean isPair, int special) {
        if (strategy == TruncationStrategy.NONE || maxLength <= 0) {
            return new int[] {la, lb};
        }
        int max = maxLength - special;
        if (max < 0) {
            throw new IllegalArgumentException("max length " + maxLength + " is shorter than the " + special
                    + " special tokens the template adds");
        }
        if (max == 0) {
            return new int[] {0, 0}; // the reference's special case: nothing of either text fits, whatever the strategy
        }
        if (la + lb <= max) {
            return new int[] {la, lb};
        }
        int toRemove = la + lb - max;
        switch (strategy) {
            case LONGEST_FIRST -> {
                if (!isPair) {
                    return new int[] {max, 0};
                }
                int n1 = la;
                int n2 = lb;
                boolean swap = n1 > n2;
                if (swap) {
                    n1 = lb;
                    n2 = la;
                }
                n2 = n1 > max ? n1 : Math.max(n1, max - n1);
                if (n1 + n2 > max) {
                    n1 = max / 2;
                    n2 = n1 + max % 2;
                }
                return swap ? new int[] {Math.min(la, n2), Math.min(lb, n1)} : new int[] {Math.min(la, n1), Math.min(lb, n2)};
            }
            case ONLY_FIRST -> {
                if (la <= toRemove) {
                    throw new IllegalArgumentException("text too long for only_first truncation: the first text has "
                            + la + " tokens but " + toRemove + " must go to fit max length " + maxLength);
                }
                return new int[] {la - toRemove, lb};
            }
            case ONLY_SECOND -> {
                if (!isPair) {
                    throw new IllegalArgumentException("only_second truncation needs a pair of texts, and this text ("
                            + la + " tokens) exceeds max length " + maxLength);
                }
                if (lb <= toRemove) {
                    throw new IllegalArgumentException("text too long for only_second truncation: the second text has "
                            + lb + " tokens but " + toRemove + " must go to fit max length " + maxLength);
                }
                return new int[] {la, lb - toRemove};
            }
            default -> {
                return new int[] {la, lb};
            }
        }
    }
}
