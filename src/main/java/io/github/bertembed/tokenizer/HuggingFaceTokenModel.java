package io.github.bertembed.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tokenizers that are not BERT's WordPiece (SentencePiece Unigram, BPE, WordLevel, or WordPiece with other
 * normalizers and pre-tokenizers) run through HuggingFace tokenizers itself, by DJL's binding: the reference, so the
 * ids are the reference's. It tokenizes only; special tokens, truncation and padding stay ours, read from the same
 * tokenizer.json. DJL ({@value #ARTIFACT}) is an optional dependency of the library, included in the runnable jar.
 */
final class HuggingFaceTokenModel implements TokenModel {
    static final String ARTIFACT = "ai.djl.huggingface:tokenizers";
    private final HuggingFaceTokenizer tokenizer;
    private final String type;

    private HuggingFaceTokenModel(HuggingFaceTokenizer tokenizer, String type) {
        this.tokenizer = tokenizer;
        this.type = type;
    }

    /** The tokenizer.json's model type: Unigram, BPE, WordLevel or WordPiece. */
    String type() {
        return type;
    }

    /**
     * Opens a tokenizer.json with HuggingFace tokenizers.
     *
     * @param why why our WordPiece does not read it, for the message when DJL is missing
     * @throws UnsupportedTokenizerException naming the dependency to add, when DJL is not on the classpath
     */
    static TokenModel open(Path file, String why) {
        try {
            Class.forName("ai.djl.huggingface.tokenizers.HuggingFaceTokenizer", false,
                    HuggingFaceTokenModel.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new UnsupportedTokenizerException(why + "; such tokenizers run through HuggingFace tokenizers: add "
                    + ARTIFACT + " to the classpath (the bert-embed runnable jar has it)");
        }
        try {
            return new HuggingFaceTokenModel(HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false",
                    "truncation", "false", "padding", "false")), TokenizerSpec.modelType(file));
        } catch (IOException e) {
            throw new UncheckedIOException("HuggingFace tokenizers cannot read " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("HuggingFace tokenizers cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void tokenize(String text, TokenSequence out, SinglePassWordPiece.Scratch s) {
        out.clear();
        ai.djl.huggingface.tokenizers.Encoding e = tokenizer.encode(text, false, false);
        long[] ids = e.getIds();
        CharSpan[] spans = e.getCharTokenSpans();
        int[] utf16 = utf16Offsets(text);
        for (int i = 0; i < ids.length; i++) {
            CharSpan span = spans[i];
            int start = span == null ? 0 : utf16[Math.min(span.getStart(), utf16.length - 1)];
            int end = span == null ? 0 : utf16[Math.min(span.getEnd(), utf16.length - 1)];
            out.add((int) ids[i], start, end);
        }
    }

    /** The text of ids, by the tokenizer's own decoder. */
    String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    /** UTF-16 index of each code point index (HuggingFace's character offsets count code points), and the end. */
    private static int[] utf16Offsets(String text) {
        int[] at = new int[text.codePointCount(0, text.length()) + 1];
        int cp = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            at[cp++] = i;
        }
        at[cp] = text.length();
        return at;
    }
}
