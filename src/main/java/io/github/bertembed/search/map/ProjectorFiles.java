package io.github.bertembed.search.map;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The two files the TensorFlow Embedding Projector (projector.tensorflow.org, "Load") reads: {@code vectors.tsv},
 * one vector a line, components separated by tabs; and {@code metadata.tsv}, one line a vector (a header line
 * first when there is more than one column, as the projector expects).
 *
 * <pre>{@code
 * ProjectorFiles.write(Path.of("projector"), vectors, map);   // projector/vectors.tsv, projector/metadata.tsv
 * }</pre>
 */
public final class ProjectorFiles {
    private ProjectorFiles() {
    }

    public static void write(Path folder, List<float[]> vectors, EmbeddingMap map) throws IOException {
        Files.createDirectories(folder);
        try (BufferedWriter w = Files.newBufferedWriter(folder.resolve("vectors.tsv"), StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            for (float[] v : vectors) {
                line.setLength(0);
                for (int j = 0; j < v.length; j++) {
                    line.append(j == 0 ? "" : "\t").append(v[j]);
                }
                w.write(line.append('\n').toString());
            }
        }
        boolean labels = map.points().stream().anyMatch(p -> p.label() != null);
        boolean groups = map.points().stream().anyMatch(p -> p.group() != null);
        try (BufferedWriter w = Files.newBufferedWriter(folder.resolve("metadata.tsv"), StandardCharsets.UTF_8)) {
            if (labels || groups) {
                w.write("text" + (labels ? "\tlabel" : "") + (groups ? "\tgroup" : "") + "\n");
            }
            for (EmbeddingMap.Point p : map.points()) {
                w.write(cell(p.text()) + (labels ? "\t" + cell(p.label()) : "") + (groups ? "\t" + cell(p.group()) : "")
                        + "\n");
            }
        }
    }

    /** A cell: tabs and line breaks would start another column or row, so they become spaces. */
    static String cell(String s) {
        return s == null ? "" : s.replaceAll("[\\t\\r\\n]+", " ").strip();
    }
}
