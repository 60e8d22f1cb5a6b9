package io.github.bertembed.search.map;

import io.github.bertembed.batch.Precision;
import io.github.bertembed.search.Hit;
import io.github.bertembed.search.IndexManifest;
import io.github.bertembed.search.SearchOptions;
import io.github.bertembed.search.VectorIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a map shows: each point's 2-D position with its text, short label and colour group, each point's nearest
 * neighbours in the original vector space, arrows between points (an analogy's pairs), and the axes' variance.
 *
 * <pre>{@code
 * EmbeddingMap map = EmbeddingMap.of("fortunes", texts, vectors, labels, groups, List.of(), 10);
 * MapPage.write(map, Path.of("map.html"));
 * }</pre>
 *
 * @param title      the picture's title
 * @param points     the points, in input order
 * @param neighbours for each point, its nearest other points (indexes), best first; may be empty arrays
 * @param scores     the neighbours' dot products with the point
 * @param arrows     pairs of point indexes: an arrow from the first to the second
 * @param explained  the two axes' shares of the variance
 */
public record EmbeddingMap(String title, List<Point> points, int[][] neighbours, double[][] scores,
                           List<int[]> arrows, double[] explained) {

    /**
     * @param x     first principal coordinate
     * @param y     second principal coordinate
     * @param text  the full text (hover)
     * @param label a short label (drawn when there are few points), or null
     * @param group the colour group, or null
     */
    public record Point(double x, double y, String text, String label, String group) {
    }

    /**
     * Projects vectors to 2-D by PCA and finds each one's {@code k} nearest others by exact search (dot product).
     *
     * @param labels short labels, or null
     * @param groups colour groups, or null
     * @param arrows pairs of indexes to draw arrows between
     */
    public static EmbeddingMap of(String title, List<String> texts, List<float[]> vectors, List<String> labels,
                                  List<String> groups, List<int[]> arrows, int k) throws IOException {
        if (texts.size() != vectors.size()) {
            throw new IllegalArgumentException(texts.size() + " texts for " + vectors.size() + " vectors");
        }
        Pca.Projection p = Pca.project(vectors);
        ArrayList<Point> points = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            points.add(new Point(p.points()[i][0], p.points()[i][1], texts.get(i),
                    labels == null ? null : labels.get(i), groups == null ? null : groups.get(i)));
        }
        int n = vectors.size();
        int keep = Math.min(k, n - 1);
        int[][] neighbours = new int[n][];
        double[][] scores = new double[n][];
        if (keep > 0) {
            Path tmp = Files.createTempDirectory("bert-embed-map");
            try {
                try (VectorIndex index = VectorIndex.create(
                        tmp.resolve("index"), IndexManifest.of("map", null,
                                vectors.get(0).length, false, "", 0, "", "", Precision.FLOAT32,
                                false))) {
                    for (float[] v : vectors) {
                        index.add(null, null, v);
                    }
                    index.commit();
                    List<List<Hit>> all = index.searchAll(vectors,
                            SearchOptions.top(keep + 1));
                    for (int i = 0; i < n; i++) {
                        int row = i;
                        List<Hit> others = all.get(i).stream()
                                .filter(h -> h.row() != row).limit(keep).toList();
                        neighbours[i] = others.stream().mapToInt(h -> (int) h.row()).toArray();
                        scores[i] = others.stream().mapToDouble(Hit::score).toArray();
                    }
                }
            } finally {
                try (var files = Files.walk(tmp)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        return new EmbeddingMap(title, points, neighbours, scores, arrows, p.explainedVariance());
    }

    /** The colour groups, in order of first appearance (null groups left out). */
    public List<String> groups() {
        return points.stream().map(Point::group).filter(java.util.Objects::nonNull).distinct().toList();
    }
}
