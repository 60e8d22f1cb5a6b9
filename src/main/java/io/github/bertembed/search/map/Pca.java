package io.github.bertembed.search.map;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import java.util.List;

/**
 * Principal component analysis to two dimensions: the vectors centred, their covariance matrix, and its two
 * leading eigenvectors (EJML's symmetric eigendecomposition), onto which each vector is projected. Each axis's sign
 * is fixed so that its largest-magnitude loading is positive, so the same vectors always give the same picture.
 *
 * <pre>{@code
 * Pca.Projection p = Pca.project(vectors);
 * double[] xy = p.points()[0];                 // the first vector's coordinates
 * double share = p.explainedVariance()[0];     // of the variance, along the first axis
 * }</pre>
 */
public final class Pca {
    private Pca() {
    }

    /**
     * @param points            each vector's coordinates along the two axes
     * @param axes              the two unit axes (principal directions), in the vectors' space
     * @param explainedVariance each axis's share of the total variance
     */
    public record Projection(double[][] points, double[][] axes, double[] explainedVariance) {
    }

    public static Projection project(List<float[]> vectors) {
        int n = vectors.size();
        if (n < 2) {
            throw new IllegalArgumentException("a map needs at least 2 vectors, got " + n);
        }
        int d = vectors.get(0).length;
        double[] mean = new double[d];
        for (float[] v : vectors) {
            if (v.length != d) {
                throw new IllegalArgumentException("vectors of " + d + " and " + v.length + " components");
            }
            for (int j = 0; j < d; j++) {
                mean[j] += v[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        DMatrixRMaj x = new DMatrixRMaj(n, d);
        for (int i = 0; i < n; i++) {
            float[] v = vectors.get(i);
            for (int j = 0; j < d; j++) {
                x.unsafe_set(i, j, v[j] - mean[j]);
            }
        }
        DMatrixRMaj cov = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(x, x, cov);
        CommonOps_DDRM.divide(cov, n - 1);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, true, true);
        if (!eig.decompose(cov)) {
            throw new IllegalStateException("the covariance matrix's eigendecomposition did not converge");
        }
        double total = 0;
        int first = -1;
        int second = -1;
        for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
            double value = eig.getEigenvalue(i).getReal();
            total += Math.max(0, value);
            if (first < 0 || value > eig.getEigenvalue(first).getReal()) {
                second = first;
                first = i;
            } else if (second < 0 || value > eig.getEigenvalue(second).getReal()) {
                second = i;
            }
        }
        double[][] axes = {axis(eig.getEigenVector(first), d), axis(eig.getEigenVector(second), d)};
        double[][] points = new double[n][2];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 2; a++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += x.unsafe_get(i, j) * axes[a][j];
                }
                points[i][a] = s;
            }
        }
        double[] explained = {
            total == 0 ? 0 : Math.max(0, eig.getEigenvalue(first).getReal()) / total,
            total == 0 ? 0 : Math.max(0, eig.getEigenvalue(second).getReal()) / total};
        return new Projection(points, axes, explained);
    }

    /** The eigenvector as a unit array, its largest-magnitude component made positive. */
    private static double[] axis(DMatrixRMaj v, int d) {
        double[] a = new double[d];
        double norm = 0;
        int largest = 0;
        for (int j = 0; j < d; j++) {
            a[j] = v.get(j, 0);
            norm += a[j] * a[j];
            if (Math.abs(a[j]) > Math.abs(a[largest])) {
                largest = j;
            }
        }
        double scale = (a[largest] < 0 ? -1 : 1) / Math.sqrt(norm);
        for (int j = 0; j < d; j++) {
            a[j] *= scale;
        }
        return a;
    }
}
