package io.github.bertembed.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** HuggingFace tokenizers through DJL, configured like one of our tokenizers, for differential tests. */
final class HfReference {
    private HfReference() {
    }

    static HuggingFaceTokenizer plain(Path tokenizerJson) {
        return build(builder(tokenizerJson).optTruncation(false).optPadding(false));
    }

    static HuggingFaceTokenizer build(HuggingFaceTokenizer.Builder b) {
        try {
            return b.build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HuggingFaceTokenizer.Builder builder(Path tokenizerJson) {
        return HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson);
    }

    static HuggingFaceTokenizer truncating(Path tokenizerJson, int maxLength, TruncationStrategy strategy) {
        HuggingFaceTokenizer.Builder b = builder(tokenizerJson).optPadding(false).optTruncation(true).optMaxLength(maxLength);
        if (strategy == TruncationStrategy.ONLY_FIRST) {
            b.optTruncateFirstOnly();
        } else if (strategy == TruncationStrategy.ONLY_SECOND) {
            b.optTruncateSecondOnly();
        }
        return build(b);
    }

    /** A mismatch description, or null when ours equals the reference in ids, types, tokens, masks and offsets. */
    static String compare(String text, String pair, Encoding ours, ai.djl.huggingface.tokenizers.Encoding theirs,
                          boolean compareOffsets) {
        long[] ids = theirs.getIds();
        if (!same(ours.ids(), ids)) {
            return "ids differ for " + quote(text, pair) + "\n ours:   " + java.util.Arrays.toString(ours.tokens())
                    + java.util.Arrays.toString(ours.ids()) + "\n theirs: "
                    + java.util.Arrays.toString(theirs.getTokens()) + java.util.Arrays.toString(ids);
        }
        if (!same(ours.typeIds(), theirs.getTypeIds())) {
            return "type ids differ for " + quote(text, pair);
        }
        if (!same(ours.attentionMask(), theirs.getAttentionMask())) {
            return "attention mask differs for " + quote(text, pair);
        }
        if (!same(ours.specialTokensMask(), theirs.getSpecialTokenMask())) {
            return "special tokens mask differs for " + quote(text, pair) + ": ours "
                    + java.util.Arrays.toString(ours.specialTokensMask()) + " theirs "
                    + java.util.Arrays.toString(theirs.getSpecialTokenMask());
        }
        if (!java.util.Arrays.equals(ours.tokens(), theirs.getTokens())) {
            return "tokens differ for " + quote(text, pair);
        }
        if (compareOffsets) {
            CharSpan[] spans = theirs.getCharTokenSpans();
            int[] seq = sequenceOf(theirs);
            for (int i = 0; i < spans.length; i++) {
                int[] o = ours.offsets()[i];
                String source = seq[i] == 1 ? pair : text;
                int start;
                int end;
                if (spans[i] == null) {
                    start = 0;
                    end = 0;
                } else {
                    start = spans[i].getStart();
                    end = spans[i].getEnd();
                }
                // DJL reports code-point offsets; ours are UTF-16.
                int oursStart = source.codePointCount(0, o[0]);
                int oursEnd = source.codePointCount(0, o[1]);
                if (oursStart != start || oursEnd != end) {
                    return "offsets differ at token " + i + " (" + ours.tokens()[i] + ") for " + quote(text, pair)
                            + ": ours [" + oursStart + "," + oursEnd + ") theirs [" + start + "," + end + ")";
                }
            }
        }
        return null;
    }

    private static int[] sequenceOf(ai.djl.huggingface.tokenizers.Encoding e) {
        long[] s = e.getSequenceIds();
        int[] out = new int[e.getIds().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = s == null || i >= s.length ? 0 : (int) s[i];
        }
        return out;
    }

    /** The text with each lone surrogate replaced by U+FFFD (valid pairs kept). */
    static String replaceLoneSurrogates(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static boolean hasLoneSurrogate(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(int[] a, long[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    private static String quote(String text, String pair) {
        String t = text.length() > 200 ? text.substring(0, 200) + "…" : text;
        return "\"" + t.replace("\n", "\\n") + "\"" + (pair == null ? "" : " / \"" + pair + "\"");
    }

}
