package io.github.bertembed.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.text.Normalizer;

/**
 * HuggingFace's {@code BertNormalizer}, applied one code point at a time so that every output character keeps the
 * span of the input character it came from.
 *
 * <p>Order and semantics follow tokenizer.json: {@code clean_text} deletes control characters, NUL and U+FFFD and
 * turns whitespace into a space; {@code strip_accents} decomposes (NFD) and drops non-spacing marks (Mn);
 * {@code lowercase} maps each code point on its own, as Rust's {@code char::to_lowercase} does, so a final capital
 * sigma becomes σ (not ς) and İ becomes "i̇". CJK isolation ({@code handle_chinese_chars}) is a word-boundary
 * decision and lives in the tokenizer's splitting loop.
 *
 * @param cleanText          delete control characters and map whitespace to a space
 * @param handleChineseChars make each CJK ideograph a word of its own
 * @param stripAccents       NFD, then remove Mn characters
 * @param lowercase          lowercase each code point
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {

    /** Normalization of the uncased BERT vocabularies: everything on. */
    public static BertNormalizer uncased() {
        return new BertNormalizer(true, true, true, true);
    }

    /** Normalization of cased vocabularies (bge-small-zh): no lowercasing, no accent stripping. */
    public static BertNormalizer cased() {
        return new BertNormalizer(true, true, false, false);
    }

    /** The BMP mapped in advance, so the hot loop does one array read per character. */
    Table table() {
        return new Table(this);
    }

    /**
     * What one code point becomes: the empty string when deleted, else one or more characters.
     */
    String apply(int cp) {
        if (cleanText) {
            if (CharClasses.isRemovedByCleanText(cp)) {
                return "";
            }
            if (CharClasses.isWhitespace(cp)) {
                return " ";
            }
        }
        if (cp < 0xC0) {
            // No canonical decomposition below U+00C0; ASCII and Latin-1 punctuation go the fast way.
            int c = lowercase ? Character.toLowerCase(cp) : cp;
            return String.valueOf((char) c);
        }
        String s = new String(Character.toChars(cp));
        if (stripAccents) {
            String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder kept = new StringBuilder(nfd.length());
            nfd.codePoints().filter(c -> !CharClasses.isNonSpacingMark(c)).forEach(kept::appendCodePoint);
            s = kept.toString();
        }
        if (lowercase) {
            StringBuilder lower = new StringBuilder(s.length());
            s.codePoints().forEach(c -> {
                if (c == 0x130) {
                    lower.append("i\u0307"); // the one unconditional multi-character lowercase mapping
                } else {
                    lower.appendCodePoint(Character.toLowerCase(c));
                }
            });
            s = lower.toString();
        }
        return s;
    }

    /**
     * Precomputed mapping of every BMP character. {@code single[c] >= 0} is the one character c becomes;
     * {@link #DELETED} means nothing; other negative values index {@code multi}.
     */
    static final class Table {
        static final int DELETED = -1;
        private final int[] single = new int[0x10000];
        private final String[] multi;
        private final BertNormalizer normalizer;

        private Table(BertNormalizer normalizer) {
            this.normalizer = normalizer;
            java.util.List<String> longer = new java.util.ArrayList<>();
            for (int c = 0; c < 0x10000; c++) {
                if (Character.isSurrogate((char) c)) {
                    single[c] = DELETED; // never looked up: pairs and lone surrogates are handled by the caller
                    continue;
                }
                String s = normalizer.apply(c);
                if (s.isEmpty()) {
                    single[c] = DELETED;
                } else if (s.length() == 1) {
                    single[c] = s.charAt(0);
                } else {
                    single[c] = -2 - longer.size();
                    longer.add(s);
                }
            }
            multi = longer.toArray(new String[0]);
        }

        /** For a BMP character: its single replacement, {@link #DELETED}, or {@code <= -2} (see {@link #multi}). */
        int single(char c) {
            return single[c];
        }

        String multi(int code) {
            return multi[-2 - code];
        }

        String supplementary(int cp) {
            return normalizer.apply(cp);
        }
    }

    /** tokenizer.json's normalizer section (none: no normalization). */
    static BertNormalizer fromJson(Path file, JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return new BertNormalizer(false, false, false, false);
        }
        if (!n.path("type").asText().equals("BertNormalizer")) {
            throw new UnsupportedTokenizerException(file + ": normalizer '" + n.path("type").asText()
                    + "' is not BertNormalizer; bert-embed reads WordPiece tokenizers (BertNormalizer, BertPreTokenizer: the BERT family) only");
        }
        boolean lowercase = n.path("lowercase").asBoolean(true);
        JsonNode strip = n.path("strip_accents");
        boolean stripAccents = strip.isBoolean() ? strip.asBoolean() : lowercase; // null follows lowercase
        return new BertNormalizer(n.path("clean_text").asBoolean(true), n.path("handle_chinese_chars").asBoolean(true),
                stripAccents, lowercase);
    }
}
