package io.github.bertembed.batch;

import java.util.Locale;

/** Output formats for sentence vectors. */
public enum VectorFormat {
    /** One JSON object per line: {@code {"index":i,"embedding":[...],"tokens":n,"truncated":bool}}. */
    JSONL,
    /** A NumPy .npy file: float32, shape (texts, dimension), readable by {@code numpy.load}. */
    NPY,
    /** One line per text: the vector's components, comma-separated. */
    CSV;

    /**
     * The format a file name's extension names: {@code .jsonl} (or {@code .json}), {@code .npy}, {@code .csv}; a name
     * without an extension is JSONL.
     *
     * @throws IllegalArgumentException for another extension (a {@code .parquet} file is not silently JSONL)
     */
    public static VectorFormat forFile(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        String extension = dot < 0 ? "" : n.substring(dot + 1);
        return switch (extension) {
            case "npy" -> NPY;
            case "csv" -> CSV;
            case "jsonl", "json", "ndjson", "" -> JSONL;
            default -> throw new IllegalArgumentException("cannot write ." + extension + " files (" + fileName
                    + "): name the output .jsonl, .npy or .csv, or give the format");
        };
    }
}
