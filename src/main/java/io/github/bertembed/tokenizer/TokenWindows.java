package io.github.bertembed.tokenizer;

/**
 * A text's overlapping windows (see {@link BertTokenizer#windows}), built one at a time on request: a huge text
 * costs its token ids and offsets (12 bytes a token), not a materialized encoding per window. Window k holds the
 * text's tokens from {@code k × step} on, at most {@code width} of them, with its own template; offsets index the
 * whole text. Immutable once built.
 */
public final class TokenWindows {
    private final TokenSequence tokens;
    private final int width;
    private final int step;
    private final int count;
    private final TemplatePostProcessor template;
    private final Vocabulary vocabulary;
    private final boolean addSpecialTokens;

    TokenWindows(TokenSequence tokens, int width, int step, TemplatePostProcessor template, Vocabulary vocabulary,
                 boolean addSpecialTokens) {
        this.tokens = tokens;
        this.width = width;
        this.step = step;
        this.template = template;
        this.vocabulary = vocabulary;
        this.addSpecialTokens = addSpecialTokens;
        int n = tokens.size();
        this.count = n <= width ? 1 : 1 + (n - width + step - 1) / step;
    }

    /** Number of windows (at least one). */
    public int count() {
        return count;
    }

    /** The text's tokens, special tokens excluded. */
    public int tokenCount() {
        return tokens.size();
    }

    /** Window k, with its template; offsets index the whole text. */
    public Encoding get(int k) {
        if (k < 0 || k >= count) {
            throw new IndexOutOfBoundsException("window " + k + " of " + count);
        }
        int start = k * step;
        int end = Math.min(tokens.size(), start + width);
        return template.assemble(tokens, start, end - start, null, 0, 0, addSpecialTokens, vocabulary, 0);
    }
}
