package io.github.bertembed.tokenizer;

/** The tokenizer file is valid but not a BERT WordPiece tokenizer this package reproduces exactly. */
public class UnsupportedTokenizerException extends IllegalArgumentException {
    public UnsupportedTokenizerException(String message) {
        super(message);
    }
}
