package io.github.bertembed.search;

import java.util.Arrays;

/**
 * The best {@code capacity} (score, row) pairs seen: a bounded min-heap on primitive arrays, where a higher score is
 * better and, between equal scores, the lower row. Not thread-safe: one per query and thread, merged at the end.
 *
 * <pre>{@code
 * TopHits top = new TopHits(10);
 * top.offer(0.93, 17);
 * long[] rows = top.rows();   // best first
 * }</pre>
 */
public final class TopHits {
    private final double[] scores;
    private final long[] rows;
    private int size;

    public TopHits(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + capacity);
        }
        scores = new double[capacity];
        rows = new long[capacity];
    }

    /** Whether (a, ra) ranks below (b, rb): a lower score, or the same score and a higher row. */
    private static boolean worse(double a, long ra, double b, long rb) {
        return a < b || (a == b && ra > rb);
    }

    /** The lowest score that a new row could still enter with (−∞ until full). */
    public double threshold() {
        return size < scores.length ? Double.NEGATIVE_INFINITY : scores[0];
    }

    public void offer(double score, long row) {
        if (size < scores.length) {
            int i = size++;
            scores[i] = score;
            rows[i] = row;
            siftUp(i);
        } else if (worse(scores[0], rows[0], score, row)) {
            scores[0] = score;
            rows[0] = row;
            siftDown(0);
        }
    }

    public void addAll(TopHits other) {
        for (int i = 0; i < other.size; i++) {
            offer(other.scores[i], other.rows[i]);
        }
    }

    public int size() {
        return size;
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!worse(scores[i], rows[i], scores[parent], rows[parent])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            int r = l + 1;
            int min = i;
            if (l < size && worse(scores[l], rows[l], scores[min], rows[min])) {
                min = l;
            }
            if (r < size && worse(scores[r], rows[r], scores[min], rows[min])) {
                min = r;
            }
            if (min == i) {
                return;
            }
            swap(i, min);
            i = min;
        }
    }

    private void swap(int a, int b) {
        double s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        long r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
    }

    /** The order best first: indexes into the heap arrays. */
    private Integer[] order() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> worse(scores[a], rows[a], scores[b], rows[b]) ? 1
                : worse(scores[b], rows[b], scores[a], rows[a]) ? -1 : 0);
        return order;
    }

    /** The rows, best first. */
    public long[] rows() {
        Integer[] order = order();
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = rows[order[i]];
        }
        return out;
    }

    /** The scores, best first (the same order as {@link #rows()}). */
    public double[] scores() {
        Integer[] order = order();
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = scores[order[i]];
        }
        return out;
    }
}
