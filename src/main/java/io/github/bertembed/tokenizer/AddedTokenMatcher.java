package io.github.bertembed.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds added tokens in raw text, leftmost first and, among those starting at one place, longest first (what
 * HuggingFace's Aho-Corasick matcher with LeftmostLongest does).
 */
final class AddedTokenMatcher {
    private final boolean[] firstChars = new boolean[0x10000];
    private final AddedToken[][] byFirstChar = new AddedToken[0x10000][];

    AddedTokenMatcher(List<AddedToken> tokens) {
        List<List<AddedToken>> lists = new ArrayList<>();
        for (int i = 0; i < 0x10000; i++) {
            lists.add(null);
        }
        for (AddedToken t : tokens) {
            if (t.content().isEmpty()) {
                continue;
            }
            char c = t.content().charAt(0);
            if (lists.get(c) == null) {
                lists.set(c, new ArrayList<>());
            }
            lists.get(c).add(t);
            firstChars[c] = true;
        }
        for (int c = 0; c < 0x10000; c++) {
            List<AddedToken> l = lists.get(c);
            if (l != null) {
                l.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
                byFirstChar[c] = l.toArray(new AddedToken[0]);
            }
        }
    }

    boolean isEmpty() {
        for (AddedToken[] a : byFirstChar) {
            if (a != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The next match at or after {@code from}: {@code match[0]} = start, {@code match[1]} = end (with stripped
     * whitespace), {@code match[2]} = token id. Returns false when there is none.
     */
    boolean next(String text, int from, int limit, int[] match) {
        for (int i = from; i < limit; i++) {
            char c = text.charAt(i);
            if (!firstChars[c]) {
                continue;
            }
            for (AddedToken t : byFirstChar[c]) {
                int end = i + t.content().length();
                if (end <= limit && text.regionMatches(i, t.content(), 0, t.content().length())
                        && (!t.singleWord() || isWordBoundary(text, i, end))) {
                    int start = i;
                    if (t.leftStrip()) {
                        while (start > from && Character.isWhitespace(text.charAt(start - 1))) {
                            start--;
                        }
                    }
                    if (t.rightStrip()) {
                        while (end < limit && Character.isWhitespace(text.charAt(end))) {
                            end++;
                        }
                    }
                    match[0] = start;
                    match[1] = end;
                    match[2] = t.id();
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isWordBoundary(String text, int start, int end) {
        boolean before = start == 0 || !Character.isLetterOrDigit(text.charAt(start - 1));
        boolean after = end == text.length() || !Character.isLetterOrDigit(text.charAt(end));
        return before && after;
    }
}
