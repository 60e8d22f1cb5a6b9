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

    /** The format a file name suggests, else JSONL. */
    public static VectorFormat forFile(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".npy") ? NPY : n.endsWith(".csv") ? CSV : JSONL;
    }
}
