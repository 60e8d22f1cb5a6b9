package io.github.bertembed.quantize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.pooling.VectorMath;

import java.util.Arrays;
import java.util.List;

/**
 * How close an int8 model's vectors are to its fp32 source's, and how much faster it runs, on the same texts: cosine
 * to fp32 (min, 1st percentile, median, mean); top-10 neighbour agreement (each text as a query over the others,
 * how many of fp32's ten nearest the int8 vectors also rank in their ten); file sizes; documents per second of both,
 * measured alternately in one run.
 *
 * <pre>{@code
 * QuantizationReport r = QuantizationReport.measure(fp32, int8, texts, fp32Bytes, int8Bytes);
 * System.out.println(r.summary());
 * }</pre>
 *
 * @param texts        texts measured
 * @param cosineMin    the least cosine
 * @param cosineP1     the 1st percentile
 * @param cosineMedian the median
 * @param cosineMean   the mean
 * @param top10        mean neighbours of fp32's top 10 also in int8's top 10 (0 to 10)
 * @param fp32Bytes    the fp32 ONNX file's size
 * @param int8Bytes    the int8 ONNX file's size
 * @param fp32DocsPerSecond fp32 throughput, the better of two runs
 * @param int8DocsPerSecond int8 throughput, the better of two runs alternating with fp32's
 */
public record QuantizationReport(int texts, double cosineMin, double cosineP1, double cosineMedian, double cosineMean,
                                 double top10, long fp32Bytes, long int8Bytes, double fp32DocsPerSecond,
                                 double int8DocsPerSecond) {

    /** Embeds the texts with both models and compares. */
    public static QuantizationReport measure(SentenceEmbedder fp32, SentenceEmbedder int8, List<String> texts,
                                             long fp32Bytes, long int8Bytes) {
        long fp32Best = Long.MAX_VALUE;
        long int8Best = Long.MAX_VALUE;
        List<float[]> a = null;
        List<float[]> b = null;
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            a = fp32.embedAll(texts);
            long t1 = System.nanoTime();
            b = int8.embedAll(texts);
            long t2 = System.nanoTime();
            fp32Best = Math.min(fp32Best, t1 - t0);
            int8Best = Math.min(int8Best, t2 - t1);
        }
        double[] cos = cosines(a, b);
        double mean = Arrays.stream(cos).average().orElse(Double.NaN);
        Arrays.sort(cos);
        return new QuantizationReport(texts.size(), cos[0], percentile(cos, 0.01), percentile(cos, 0.5), mean,
                top10Agreement(a, b, 10), fp32Bytes, int8Bytes, texts.size() / (fp32Best / 1e9),
                texts.size() / (int8Best / 1e9));
    }

    static double[] cosines(List<float[]> a, List<float[]> b) {
        double[] cos = new double[a.size()];
        for (int i = 0; i < cos.length; i++) {
            cos[i] = VectorMath.cosine(a.get(i), b.get(i));
        }
        return cos;
    }

    /** The value at a fraction of the sorted values (nearest rank). */
    static double percentile(double[] sorted, double fraction) {
        int i = (int) Math.ceil(fraction * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Mean size of the overlap of each text's k nearest others under both sets of vectors. */
    static double top10Agreement(List<float[]> a, List<float[]> b, int k) {
        int n = a.size();
        if (n <= k) {
            return Double.NaN;
        }
        long overlap = 0;
        for (int q = 0; q < n; q++) {
            int[] x = nearest(a, q, k);
            int[] y = nearest(b, q, k);
            Arrays.sort(y);
            for (int i : x) {
                if (Arrays.binarySearch(y, i) >= 0) {
                    overlap++;
                }
            }
        }
        return (double) overlap / n;
    }

    private static int[] nearest(List<float[]> v, int q, int k) {
        int n = v.size();
        double[] score = new double[n];
        Integer[] order = new Integer[n - 1];
        for (int i = 0, j = 0; i < n; i++) {
            score[i] = i == q ? Double.NEGATIVE_INFINITY : VectorMath.cosine(v.get(q), v.get(i));
            if (i != q) {
                order[j++] = i;
            }
        }
        Arrays.sort(order, (i, j) -> score[i] != score[j] ? Double.compare(score[j], score[i]) : Integer.compare(i, j));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /** The report as quantization.json keeps it. */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode r = json.createObjectNode();
        r.put("texts", texts);
        r.putObject("cosine_to_fp32").put("min", cosineMin).put("p1", cosineP1).put("median", cosineMedian)
                .put("mean", cosineMean);
        if (Double.isNaN(top10)) {
            r.putNull("top10_agreement"); // 10 texts or fewer: no ten neighbours to compare
        } else {
            r.put("top10_agreement", top10);
        }
        r.putObject("bytes").put("fp32", fp32Bytes).put("int8", int8Bytes);
        r.putObject("docs_per_second").put("fp32", fp32DocsPerSecond).put("int8", int8DocsPerSecond)
                .put("ratio", int8DocsPerSecond / fp32DocsPerSecond);
        return r;
    }

    /** A few lines for a terminal. */
    public String summary() {
        return String.format("""
                        cosine to fp32 over %d texts: min %.4f, p1 %.4f, median %.5f, mean %.5f
                        top-10 neighbours shared with fp32: %s
                        size: %,d bytes (fp32 %,d, %.0f%%)
                        speed: %.1f docs/s (fp32 %.1f docs/s, %.2fx)""", texts, cosineMin, cosineP1, cosineMedian,
                cosineMean, Double.isNaN(top10) ? "n/a (needs more than 10 texts)" : String.format("%.2f of 10", top10), int8Bytes, fp32Bytes, 100.0 * int8Bytes / fp32Bytes, int8DocsPerSecond,
                fp32DocsPerSecond, int8DocsPerSecond / fp32DocsPerSecond);
    }
}
