package io.github.bertembed.batch;

import io.github.bertembed.LongTextPolicy;
import java.util.List;

/**
 * The embedding of one document.
 *
 * @param index     the document's position in the input, from 0
 * @param vector    the document vector (for {@link LongTextPolicy#CHUNKS}, the combined vector as with CHUNK)
 * @param tokens    tokens the model saw over all windows, special tokens included
 * @param truncated whether tokens were dropped ({@link LongTextPolicy#TRUNCATE} on a long document)
 * @param chunks    the windows: one for a document that fits
 */
public record DocumentResult(long index, float[] vector, int tokens, boolean truncated, List<Chunk> chunks) {

    /**
     * One window of a document.
     *
     * @param start  first character (UTF-16 index) the window covers
     * @param end    one past its last character
     * @param tokens tokens in the window, special tokens included
     * @param vector the window's vector
     */
    public record Chunk(int start, int end, int tokens, float[] vector) {
    }
}
