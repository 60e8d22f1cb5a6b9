package io.github.bertembed.embedding;

/**
 * Words to token ids and ids to tokens: what {@link StaticWordVectors} needs of a tokenizer, so that this package
 * stays independent of the tokenizer's types.
 *
 * <pre>{@code
 * TokenLookup lookup = embedder.tokenLookup();   // the model's own tokenizer, without special tokens
 * }</pre>
 */
public interface TokenLookup {
    /** The ids a word tokenizes into, without special tokens. */
    int[] ids(String word);

    /** The token of an id, or null for an unused id. */
    String token(int id);
}
