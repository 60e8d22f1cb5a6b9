package io.github.bertembed.search;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The float32 vectors of an index ({@code vectors.f32}: little-endian rows, no header), memory-mapped in blocks of
 * rows: the operating system pages in what a search touches, so a collection larger than the Java heap (or than
 * memory) can be searched, and onnxruntime reads a block in place, without a copy.
 */
final class FloatRows implements AutoCloseable {
    /** Rows per mapped block: a block stays under 2 GB and its scores fit a modest matrix. */
    static final int BLOCK_ROWS = 32768;

    private final FileChannel channel;
    private final int dimension;
    private final List<FloatBuffer> blocks = new ArrayList<>();
    private long count;

    FloatRows(Path file, int dimension, long count) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.dimension = dimension;
        long need = count * dimension * 4L;
        if (channel.size() < need) {
            long rows = channel.size() / (dimension * 4L);
            channel.close();
            throw new IndexDamagedException(file + " holds " + rows + " vectors of " + dimension
                    + " floats, but the manifest counts " + count + ": the file is truncated");
        }
        extend(count);
    }

    /** Maps the rows up to {@code newCount} (after rows were appended to the file). */
    void extend(long newCount) throws IOException {
        // the last block may be partial: map it again with the new rows
        if (!blocks.isEmpty() && blocks.get(blocks.size() - 1).capacity() / dimension < BLOCK_ROWS) {
            blocks.remove(blocks.size() - 1);
        }
        long start = (long) blocks.size() * BLOCK_ROWS;
        for (long s = start; s < newCount; s += BLOCK_ROWS) {
            long rows = Math.min(BLOCK_ROWS, newCount - s);
            blocks.add(channel.map(FileChannel.MapMode.READ_ONLY, s * dimension * 4L, rows * dimension * 4L)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
        }
        count = newCount;
    }

    long count() {
        return count;
    }

    int dimension() {
        return dimension;
    }

    /** The blocks in row order; block b holds rows from {@code b × BLOCK_ROWS}. */
    List<FloatBuffer> blocks() {
        return blocks;
    }

    float[] row(long row) {
        float[] v = new float[dimension];
        FloatBuffer b = blocks.get((int) (row / BLOCK_ROWS));
        b.get((int) (row % BLOCK_ROWS) * dimension, v);
        return v;
    }

    /** The dot product of a query and a row, in double precision. */
    double dot(float[] query, long row) {
        FloatBuffer b = blocks.get((int) (row / BLOCK_ROWS));
        int at = (int) (row % BLOCK_ROWS) * dimension;
        double s = 0;
        for (int j = 0; j < dimension; j++) {
            s += (double) query[j] * b.get(at + j);
        }
        return s;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
