package io.github.bertembed.tokenizer;

import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Invariants that hold for any text: ids in range, offsets ordered and inside the text, decode/encode stable. */
class TokenizerPropertiesTest {
    static final BertTokenizer EN = BertTokenizer.fromFile(TestData.tokenizerJson("all-minilm-l6-v2"));
    static final BertTokenizer ZH = BertTokenizer.fromFile(TestData.tokenizerJson("bge-small-zh-v1.5"));

    static List<String> texts() {
        List<String> texts = new ArrayList<>(TestData.hard());
        texts.addAll(TestData.english().subList(0, 3000));
        texts.addAll(TestData.chinese().subList(0, 1000));
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            texts.add(randomText(random));
        }
        return texts;
    }

    /** Random UTF-16 strings, lone surrogates included, weighted toward the characters that matter. */
    static String randomText(Random r) {
        int n = r.nextInt(40);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> sb.append((char) ('a' + r.nextInt(26)));
                case 1 -> { String p = " .,!?#[]-'\t\n"; sb.append(p.charAt(r.nextInt(p.length()))); }
                case 2 -> sb.append((char) r.nextInt(0x10000));
                case 3 -> sb.appendCodePoint(0x10000 + r.nextInt(0x100000));
                case 4 -> sb.append((char) (0x4E00 + r.nextInt(0x5000)));
                default -> sb.append("é\u0301\u200b\u00a0İ".charAt(r.nextInt(5)));
            }
        }
        return sb.toString();
    }

    @Test
    void idsInsideVocabularyAndOffsetsOrderedInsideText() {
        for (BertTokenizer t : List.of(EN, ZH)) {
            for (String text : texts()) {
                Encoding e = t.encode(text);
                int previousStart = 0;
                for (int i = 0; i < e.length(); i++) {
                    assertTrue(e.ids()[i] >= 0 && e.ids()[i] < t.vocabularySize(), "id in range for " + text);
                    int[] o = e.offsets()[i];
                    assertTrue(0 <= o[0] && o[0] <= o[1] && o[1] <= text.length(), "offsets inside text");
                    if (e.specialTokensMask()[i] == 0) {
                        assertTrue(o[0] >= previousStart, "offsets ascending in " + text);
                        assertTrue(o[1] > o[0], "a real token covers at least one character");
                        previousStart = o[0];
                    }
                }
            }
        }
    }

    /** decode(encode(x)) is a fixed point after one round: encoding the decoded text gives the same ids. */
    @Test
    void decodeThenEncodeIsStable() {
        for (BertTokenizer t : List.of(EN, ZH)) {
            BertTokenizer plain = t.toBuilder().addSpecialTokens(false).build();
            for (String text : texts()) {
                int[] ids = plain.encode(text).ids();
                String decoded = plain.decode(ids);
                int[] again = plain.encode(decoded).ids();
                String twice = plain.decode(again);
                assertEquals(decoded, twice, "decode∘encode stable for " + text);
            }
        }
    }

    @Test
    void emptyAndWhitespaceOnlyTextsGiveOnlySpecialTokens() {
        for (String text : List.of("", " ", "\t\n", "\u200b", "\ufeff", "\u3000")) {
            assertArrayEquals(new int[] {101, 102}, EN.encode(text).ids(), "for " + text.codePoints().boxed().toList());
        }
    }

    @Test
    void decodeRejectsIdsOutsideTheVocabulary() {
        var e = assertThrows(IllegalArgumentException.class, () -> EN.decode(new int[] {101, 40000}));
        assertTrue(e.getMessage().contains("40000"));
    }

    @Test
    void pairsGetSegmentIdsAndOwnOffsets() {
        Encoding e = EN.encode("Hello there", "General Kenobi");
        try (var hf = HfReference.plain(TestData.tokenizerJson("all-minilm-l6-v2"))) {
            assertArrayEquals(hf.encode("Hello there", "General Kenobi").getTokens(), e.tokens());
        }
        int firstSep = java.util.Arrays.asList(e.tokens()).indexOf("[SEP]");
        for (int i = 0; i < e.length(); i++) {
            assertEquals(i <= firstSep ? 0 : 1, e.typeIds()[i], "segment of token " + i);
        }
        // Second-text offsets index the second text: its pieces rebuild "Kenobi".
        StringBuilder kenobi = new StringBuilder();
        for (int i = firstSep + 2; i < e.length() - 1; i++) {
            kenobi.append("General Kenobi", e.offsets()[i][0], e.offsets()[i][1]);
        }
        assertEquals("General", "General Kenobi".substring(e.offsets()[firstSep + 1][0], e.offsets()[firstSep + 1][1]));
        assertEquals("Kenobi", kenobi.toString());
    }

    @Test
    void offsetsAreUtf16IndexesAfterEmoji() {
        String text = "😀 hello";
        Encoding e = EN.encode(text);
        assertEquals("hello", text.substring(e.offsets()[2][0], e.offsets()[2][1]));
    }

    /**
     * A megabyte of one letter, of punctuation or of long words stays linear: eight times the text takes about
     * eight times as long (a quadratic path would take 64), the best of several alternating timings of each size,
     * so the machine's drift cancels out.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pathologicalInputStaysLinear() {
        String letters = "a".repeat(1 << 20);
        String words = "ab".repeat(1 << 19);
        String punctuation = "!?.,;:".repeat((1 << 20) / 6);
        StringBuilder longWords = new StringBuilder();
        while (longWords.length() < (1 << 20)) {
            longWords.append("x".repeat(99)).append(' ');
        }
        for (String text : List.of(letters, words, punctuation, longWords.toString())) {
            String eighth = text.substring(0, text.length() / 8);
            long small = Long.MAX_VALUE;
            long large = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                small = Math.min(small, nanos(eighth));
                large = Math.min(large, nanos(text));
            }
            double ratio = (double) large / small;
            assertTrue(ratio < 20, "8x the text took " + ratio + "x the time (" + text.substring(0, 8) + "...)");
        }
        assertEquals(3, EN.encode(letters).length(), "a 1 MB word is one [UNK]");
    }

    private static long nanos(String text) {
        long start = System.nanoTime();
        Encoding e = EN.encode(text);
        long took = System.nanoTime() - start;
        assertTrue(e.length() >= 3);
        return took;
    }
}
