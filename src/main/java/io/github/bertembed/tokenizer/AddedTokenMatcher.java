package io.github.bertembed.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in raw text, leftmost first and, among those starting at one place, longest first (what
 * HuggingFace's Aho-Corasick matcher with LeftmostLongest does).
 */
final class AddedTokenMatcher {
    /** Tokens by first character, longest first; null where no token starts with that character. */
    private final AddedToken[][] byFirstChar = new AddedToken[0x10000][];

    AddedTokenMatcher(List<AddedToken> tokens) {
        Map<Character, List<AddedToken>> grouped = new HashMap<>();
        for (AddedToken t : tokens) {
            if (!t.content().isEmpty()) {
                grouped.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
            }
        }
        grouped.forEach((c, list) -> {
            list.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
            byFirstChar[c] = list.toArray(new AddedToken[0]);
        });
    }

    /**
     * The next match at or after {@code from}: {@code match[0]} = start, {@code match[1]} = end (with stripped
     * whitespace), {@code match[2]} = token id. Returns false when there is none.
     */
    boolean next(String text, int from, int limit, int[] match) {
        for (int i = from; i < limit; i++) {
            char c = text.charAt(i);
            AddedToken[] candidates = byFirstChar[c];
            if (candidates == null) {
                continue;
            }
            for (AddedToken t : candidates) {
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
