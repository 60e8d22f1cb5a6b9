package io.github.bertembed.tokenizer;

/**
 * The step of tokenization that turns one text into token ids with their offsets, before truncation, the
 * template and padding (which are ours for every model): our single-pass WordPiece for the BERT family, or
 * HuggingFace tokenizers for the rest ({@link HuggingFaceTokenModel}).
 */
interface TokenModel {
    /** Appends the text's tokens to {@code out} (cleared first), offsets in UTF-16 units of the text. */
    void tokenize(String text, TokenSequence out, SinglePassWordPiece.Scratch s);
}
