package io.github.bertembed.search.map;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PCA's coordinates against an independent computation: power iteration with deflation, in the test. */
@Tag("reference")
class PcaTest {
    /** The leading eigenvector of X^T X / (n - 1) (X centred) by power iteration, after removing {@code known}. */
    static double[] powerIteration(double[][] x, double[] known) {
        int d = x[0].length;
        double[] v = new double[d];
        Random r = new Random(3);
        for (int j = 0; j < d; j++) {
            v[j] = r.nextGaussian();
        }
        for (int iter = 0; iter < 3000; iter++) {
            if (known != null) {
                double p = dot(v, known);
                for (int j = 0; j < d; j++) {
                    v[j] -= p * known[j];
                }
            }
            double[] w = new double[d];
            for (double[] row : x) {
                double s = dot(row, v);
                for (int j = 0; j < d; j++) {
                    w[j] += s * row[j];
                }
            }
            double norm = Math.sqrt(dot(w, w));
            for (int j = 0; j < d; j++) {
                v[j] = w[j] / norm;
            }
        }
        return v;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    @Test
    void coordinatesMatchPowerIterationOnRealEmbeddings() {
        List<float[]> vectors;
        try (SentenceEmbedder e = SentenceEmbedder.builder().model("all-minilm-l6-v2")
                .modelsDir(TestData.modelsDir()).build()) {
            vectors = e.embedAll(TestData.english().subList(0, 300));
        }
        int n = vectors.size();
        int d = vectors.get(0).length;
        double[][] x = new double[n][d];
        double[] mean = new double[d];
        for (float[] v : vectors) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[j] / n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = vectors.get(i)[j] - mean[j];
            }
        }
        double[] a1 = powerIteration(x, null);
        double[] a2 = powerIteration(x, a1);
        Pca.Projection p = Pca.project(vectors);
        double[][] axes = {a1, a2};
        for (int a = 0; a < 2; a++) {
            double sign = Math.signum(dot(axes[a], p.axes()[a])); // an axis's direction is a convention
            assertEquals(1.0, Math.abs(dot(axes[a], p.axes()[a])), 1e-6, "axis " + a);
            for (int i = 0; i < n; i++) {
                assertEquals(sign * dot(x[i], axes[a]), p.points()[i][a], 1e-5, "point " + i + " axis " + a);
            }
        }
        // the variance share: the variance along the axis over the total
        double total = 0;
        double along = 0;
        for (double[] row : x) {
            total += dot(row, row);
            along += dot(row, a1) * dot(row, a1);
        }
        assertEquals(along / total, p.explainedVariance()[0], 1e-6);
        assertTrue(p.explainedVariance()[0] >= p.explainedVariance()[1]);
    }

    @Test
    void theSameVectorsGiveTheSamePictureAndTooFewAreRefused() {
        List<float[]> v = List.of(new float[] {1, 0, 0}, new float[] {0, 2, 0}, new float[] {0, 0, 3},
                new float[] {1, 1, 1});
        Pca.Projection a = Pca.project(v);
        Pca.Projection b = Pca.project(v);
        for (int i = 0; i < v.size(); i++) {
            assertEquals(a.points()[i][0], b.points()[i][0], 0);
            assertEquals(a.points()[i][1], b.points()[i][1], 0);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pca.project(List.of(new float[] {1, 2})));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
    }
}
