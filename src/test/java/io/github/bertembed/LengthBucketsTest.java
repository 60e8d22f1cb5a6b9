package io.github.bertembed;

import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Length-sorted runs: every text exactly once, within the count and the padded-token budget, shortest first, and
 * cut where the total cost (padded positions plus a fixed cost a run; for a packing encoder, real tokens plus the
 * padded slots' attention and copies) is smallest, checked against every cutting.
 */
class LengthBucketsTest {

    @Test
    void runsCoverEveryTextOnceWithinBothBounds() {
        BertTokenizer tokenizer = BertTokenizer.builder(TestData.tokenizerJson("all-minilm-l6-v2")).maxLength(256).build();
        List<Encoding> encodings = tokenizer.encodeBatch(TestData.english().subList(0, 3000));
        for (int[] bounds : new int[][] {{32, 1024}, {8, 16384}, {1, 1}, {64, 300}}) {
            List<int[]> runs = new LengthBuckets(bounds[0], bounds[1]).runs(encodings);
            boolean[] seen = new boolean[encodings.size()];
            int previousLongest = 0;
            for (int[] run : runs) {
                int longest = 0;
                for (int i : run) {
                    assertTrue(!seen[i], "text " + i + " in two runs");
                    seen[i] = true;
                    longest = Math.max(longest, encodings.get(i).length());
                    assertTrue(encodings.get(i).length() >= previousLongest, "shortest first");
                }
                assertTrue(run.length <= bounds[0], "at most " + bounds[0] + " texts");
                assertTrue(run.length == 1 || (long) run.length * longest <= bounds[1],
                        run.length + " × " + longest + " padded tokens over " + bounds[1]);
                previousLongest = longest;
            }
            for (boolean s : seen) {
                assertTrue(s, "every text in a run");
            }
            if (bounds[1] == 1) {
                assertEquals(encodings.size(), runs.size(), "over the budget, every text runs alone");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new LengthBuckets(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LengthBuckets(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new LengthBuckets(10, 10, -1));
    }

    @Test
    void theCutsCostNoMoreThanAnyOtherCuttingOfTheSortedTexts() {
        BertTokenizer tokenizer = BertTokenizer.builder(TestData.tokenizerJson("all-minilm-l6-v2")).maxLength(256).build();
        Random random = new Random(3);
        List<String> english = TestData.english();
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(11);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                texts.add(english.get(random.nextInt(2000)));
            }
            List<Encoding> encodings = tokenizer.encodeBatch(texts);
            int batchSize = 1 + random.nextInt(8);
            int budget = 16 + random.nextInt(400);
            LengthBuckets buckets = new LengthBuckets(batchSize, budget, trial % 2 == 0 ? 0 : 384);
            List<int[]> runs = buckets.runs(encodings);
            int[] sorted = encodings.stream().mapToInt(Encoding::length).sorted().toArray();
            assertEquals(bruteForce(sorted, buckets), cost(runs, encodings, buckets), 1e-9,
                    "lengths " + Arrays.toString(sorted) + ", " + buckets);
        }
    }

    @Test
    void textsOfOneLengthRunTogetherAndVeryDifferentLengthsApart() {
        BertTokenizer tokenizer = BertTokenizer.builder(TestData.tokenizerJson("all-minilm-l6-v2")).maxLength(256).build();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            texts.add("fox " + i);                    // 4 tokens each
        }
        texts.add(String.join(" ", TestData.english().subList(0, 20))); // 256 tokens
        List<int[]> runs = new LengthBuckets(32, 16384).runs(tokenizer.encodeBatch(texts));
        assertEquals(2, runs.size(), "ten short texts in one run, the long one alone");
        assertEquals(10, runs.get(0).length);
        assertArrayEquals(new int[] {10}, runs.get(1));
    }

    @Test
    void aPackingEncoderRunsMixedShortTextsInFewerRuns() {
        BertTokenizer tokenizer = BertTokenizer.builder(TestData.tokenizerJson("all-minilm-l6-v2")).maxLength(256).build();
        List<String> texts = new ArrayList<>();
        for (int words = 1; words <= 10; words++) {
            for (int copy = 0; copy < 3; copy++) {
                texts.add(String.join(" ", java.util.Collections.nCopies(words, "fox"))); // 3 to 12 tokens
            }
        }
        List<Encoding> encodings = tokenizer.encodeBatch(texts);
        int padded = new LengthBuckets(32, 1024).runs(encodings).size();
        int packed = new LengthBuckets(32, 1024, 384).runs(encodings).size();
        assertTrue(padded >= 3, "padded: " + padded + " runs");
        assertTrue(packed < padded, "packed: " + packed + " runs, padded " + padded);
    }

    /** The cheapest cutting of sorted lengths into contiguous runs, over all 2^(n-1) cuttings. */
    private static double bruteForce(int[] sorted, LengthBuckets b) {
        int n = sorted.length;
        double best = Double.MAX_VALUE;
        for (int cuts = 0; cuts < 1 << (n - 1); cuts++) {
            double total = 0;
            int from = 0;
            boolean ok = true;
            for (int i = 1; i <= n && ok; i++) {
                if (i == n || (cuts & (1 << (i - 1))) != 0) {
                    int[] run = Arrays.copyOfRange(sorted, from, i);
                    ok = run.length <= b.batchSize() && (run.length == 1 || (long) run.length * sorted[i - 1] <= b.maxRunTokens());
                    total += runCost(run, b);
                    from = i;
                }
            }
            if (ok) {
                best = Math.min(best, total);
            }
        }
        return best;
    }

    private static double cost(List<int[]> runs, List<Encoding> encodings, LengthBuckets b) {
        double total = 0;
        for (int[] run : runs) {
            total += runCost(Arrays.stream(run).map(i -> encodings.get(i).length()).toArray(), b);
        }
        return total;
    }

    /** The documented cost of one run: padded positions, or for a packing encoder, tokens and the padding's share. */
    private static double runCost(int[] lengths, LengthBuckets b) {
        int longest = Arrays.stream(lengths).max().orElse(0);
        long padded = (long) lengths.length * longest;
        double work = b.packedHidden() == 0 ? padded : Arrays.stream(lengths).sum()
                + padded * (LengthBuckets.PACKED_SLOT_COST + longest / (6.0 * b.packedHidden()));
        return work + LengthBuckets.RUN_COST_IN_POSITIONS;
    }
}
