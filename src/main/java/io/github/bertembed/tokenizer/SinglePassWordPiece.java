package io.github.bertembed.tokenizer;

import java.util.Arrays;

/**
 * Normalizer, pre-tokenizer and WordPiece in one pass over the text, as fast as the lookup tables allow: each
 * character is normalized (BertNormalizer's table: clean-up, lowercasing, accent stripping), classified (space,
 * punctuation, CJK ideograph, word character) and appended to the current word, which the WordPiece model turns
 * into pieces as soon as it ends. Added tokens written in the text ({@code [SEP]}) are matched first and never
 * split. Offsets are carried from the source text through every step.
 */
final class SinglePassWordPiece implements TokenModel {
    private final BertNormalizer.Table normalization;
    private final boolean handleChineseChars;
    private final AddedTokenMatcher addedTokens;
    private final WordPieceModel wordPiece;

    SinglePassWordPiece(BertNormalizer.Table normalization, boolean handleChineseChars, AddedTokenMatcher addedTokens,
                        WordPieceModel wordPiece) {
        this.normalization = normalization;
        this.handleChineseChars = handleChineseChars;
        this.addedTokens = addedTokens;
        this.wordPiece = wordPiece;
    }

    /** Per-call buffers: the word being built and the token stream of each sequence. */
    static final class Scratch {
        char[] word = new char[64];
        int[] wordStart = new int[64];
        int[] wordEnd = new int[64];
        int wordLength;
        int wordCodePoints;
        final IntBuffer pieces = new IntBuffer(16);
        final int[] match = new int[3];
        final TokenSequence a;
        final TokenSequence b = new TokenSequence(16);
        TokenSequence current;

        Scratch(int expectedChars) {
            a = new TokenSequence(Math.max(16, expectedChars / 3));
        }

        void push(char c, int start, int end) {
            if (wordLength == word.length) {
                int size = wordLength * 2;
                word = Arrays.copyOf(word, size);
                wordStart = Arrays.copyOf(wordStart, size);
                wordEnd = Arrays.copyOf(wordEnd, size);
            }
            word[wordLength] = c;
            wordStart[wordLength] = start;
            wordEnd[wordLength] = end;
            wordLength++;
        }
    }

    /** The tokens of {@code text} into {@code out}. */
    @Override
    public void tokenize(String text, TokenSequence out, Scratch s) {
        out.clear();
        s.current = out;
        int pos = 0;
        int n = text.length();
        int[] m = s.match;
        while (pos < n && addedTokens.next(text, pos, n, m)) {
            tokenizeSegment(text, pos, m[0], s);
            out.add(m[2], m[0], m[1]);
            pos = m[1];
        }
        tokenizeSegment(text, pos, n, s);
    }

    /** Normalizes, splits and WordPieces {@code text[from, to)} in one pass. */
    private void tokenizeSegment(String text, int from, int to, Scratch s) {
        int i = from;
        while (i < to) {
            char ch = text.charAt(i);
            int next = i + 1;
            if (ch < 0x80) {
                int m = normalization.single(ch);
                if (m >= 0) {
                    pushNormalized((char) m, i, next, s);
                }
                i = next;
                continue;
            }
            int cp = ch;
            if (Character.isSurrogate(ch)) {
                if (Character.isHighSurrogate(ch) && next < to && Character.isLowSurrogate(text.charAt(next))) {
                    cp = Character.toCodePoint(ch, text.charAt(next));
                    next++;
                } else {
                    cp = 0xFFFD; // a lone surrogate, as the reference sees it after UTF-8 conversion
                }
            }
            if (handleChineseChars && CharClasses.isCjkIdeograph(cp)) {
                flushWord(s);
                pushMapped(cp, i, next, s);
                flushWord(s);
            } else {
                pushMapped(cp, i, next, s);
            }
            i = next;
        }
        flushWord(s);
    }

    private void pushMapped(int cp, int start, int end, Scratch s) {
        String mapped;
        if (cp < 0x10000) {
            int m = normalization.single((char) cp);
            if (m >= 0) {
                pushNormalized((char) m, start, end, s);
                return;
            }
            if (m == BertNormalizer.Table.DELETED) {
                return;
            }
            mapped = normalization.multi(m);
        } else {
            mapped = normalization.supplementary(cp);
        }
        for (int k = 0; k < mapped.length(); ) {
            int c = mapped.codePointAt(k);
            if (c < 0x10000) {
                pushNormalized((char) c, start, end, s);
                k++;
            } else {
                byte kind = CharClasses.kindOf(c);
                if (kind == CharClasses.SPACE) {
                    flushWord(s);
                } else {
                    if (kind == CharClasses.PUNCT) {
                        flushWord(s);
                    }
                    s.push(Character.highSurrogate(c), start, end);
                    s.push(Character.lowSurrogate(c), start, end);
                    s.wordCodePoints++;
                    if (kind == CharClasses.PUNCT) {
                        flushWord(s);
                    }
                }
                k += 2;
            }
        }
    }

    /** One normalized BMP character: extends the word, ends it, or is a word of its own. */
    private void pushNormalized(char c, int start, int end, Scratch s) {
        byte kind = CharClasses.kind(c);
        if (kind == CharClasses.WORD) {
            s.push(c, start, end);
            s.wordCodePoints++;
        } else if (kind == CharClasses.SPACE) {
            flushWord(s);
        } else {
            flushWord(s);
            s.push(c, start, end);
            s.wordCodePoints++;
            flushWord(s);
        }
    }

    private void flushWord(Scratch s) {
        int length = s.wordLength;
        if (length == 0) {
            return;
        }
        TokenSequence out = s.current;
        wordPiece.tokenize(s.word, length, s.wordCodePoints, s.wordStart, s.wordEnd, s.pieces, out);
        s.wordLength = 0;
        s.wordCodePoints = 0;
    }
}
