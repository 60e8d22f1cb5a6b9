package io.github.bertembed.tokenizer;

/** Whether and how encodings are padded. */
public enum PaddingStrategy {
    /** No padding. */
    NONE,
    /** Pad each batch to its longest encoding. */
    LONGEST,
    /** Pad every encoding to the tokenizer's maximum length. */
    MAX_LENGTH
}
