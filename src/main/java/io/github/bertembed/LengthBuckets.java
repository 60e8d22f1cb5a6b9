package io.github.bertembed;

import io.github.bertembed.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * How encodings become encoder runs: sorted by length, then cut into runs of at most {@code batchSize} texts and
 * {@code maxRunTokens} padded tokens (texts × the longest), where cutting is cheapest. A run costs its padded
 * positions plus a fixed {@value #RUN_COST_IN_POSITIONS} positions' worth (the encoder's weights stream through the
 * core once per run), and the cuts are the ones that make the total smallest: texts of 5 to 10 tokens become a
 * few runs of nearly equal length rather than one padded run or many tiny ones. A text longer than the budget runs
 * alone. Results go back to input positions through the index arrays.
 *
 * <p>For an encoder that packs tokens ({@code packedHidden > 0}, see {@code OnnxEncoder.packsTokens()}) a run
 * costs its real tokens, and a padded position only what still runs padded: the attention over the run's length
 * ({@code longest / (6 × hidden)} of a position, against a position's 12 × hidden² multiply-adds a layer) and the
 * copies around it ({@link #PACKED_SLOT_COST}). So short texts of mixed lengths go in one or two runs.
 *
 * <pre>{@code
 * for (int[] run : new LengthBuckets(32, 1024).runs(encodings)) { ... encodings.get(run[k]) ... }
 * }</pre>
 *
 * @param batchSize      most texts a run
 * @param maxRunTokens most padded tokens a run
 * @param packedHidden   the hidden size of an encoder that packs tokens, or 0 for one that runs padded
 */
public record LengthBuckets(int batchSize, int maxRunTokens, int packedHidden) {
    /**
     * What one more run costs, in padded token positions: the encoder's weights stream through the core once per
     * run, whatever its length. Chosen by measurement (docs/benchmarks.md, "How runs are cut").
     */
    static final int RUN_COST_IN_POSITIONS = 16;
    /**
     * What a padded slot costs a packing encoder beside its attention, in positions: the copies into and out of
     * the padded layout around each attention. Chosen by measurement (docs/benchmarks.md, "How runs are cut").
     */
    static final double PACKED_SLOT_COST = 1.0 / 8;

    /** For an encoder that runs padded. */
    public LengthBuckets(int batchSize, int maxRunTokens) {
        this(batchSize, maxRunTokens, 0);
    }

    public LengthBuckets {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (maxRunTokens < 1) {
            throw new IllegalArgumentException("max batch tokens must be >= 1, got " + maxRunTokens);
        }
        if (packedHidden < 0) {
            throw new IllegalArgumentException("packed hidden size must be >= 0, got " + packedHidden);
        }
    }

    /** The runs, each the input positions of its encodings, shortest first. */
    public List<int[]> runs(List<Encoding> encodings) {
        int n = encodings.size();
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        Arrays.sort(boxed, (x, y) -> Integer.compare(encodings.get(x).length(), encodings.get(y).length()));
        int[] order = new int[n];
        int[] length = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = boxed[i];
            length[i] = encodings.get(order[i]).length();
        }
        // cost[j]: the cheapest cutting of the j shortest texts; start[j]: where its last run starts. Lengths grow
        // along `order`, so a run [i, j) has (j - i) × length[j - 1] padded positions; it costs those (or, packed,
        // its real tokens' share and the padded part's) plus the fixed cost.
        long[] real = new long[n + 1];
        for (int i = 0; i < n; i++) {
            real[i + 1] = real[i] + length[i];
        }
        double[] cost = new double[n + 1];
        int[] start = new int[n + 1];
        for (int j = 1; j <= n; j++) {
            cost[j] = Double.MAX_VALUE;
            for (int i = j - 1; i >= 0 && j - i <= batchSize; i--) {
                long padded = (long) (j - i) * length[j - 1];
                if (padded > maxRunTokens && j - i > 1) {
                    break; // longer runs ending at j only pad more
                }
                double work = packedHidden == 0 ? padded : real[j] - real[i]
                        + padded * (PACKED_SLOT_COST + length[j - 1] / (6.0 * packedHidden));
                double c = cost[i] + work + RUN_COST_IN_POSITIONS;
                if (c < cost[j]) {
                    cost[j] = c;
                    start[j] = i;
                }
            }
        }
        List<int[]> runs = new ArrayList<>();
        for (int j = n; j > 0; j = start[j]) {
            runs.add(Arrays.copyOfRange(order, start[j], j));
        }
        Collections.reverse(runs);
        return runs;
    }
}
