package io.github.bertembed.search;

import io.github.bertembed.batch.Precision;
import io.github.bertembed.batch.VectorQuantizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An index's quantized vectors in memory, as sentence-transformers' {@code quantize_embeddings} defines them: int8
 * codes (per-dimension ranges, one byte a dimension: a quarter of float32's memory) scored by their integer dot
 * product, or sign bits (one bit a dimension: a 32nd) scored by Hamming distance. The file holds the codes as
 * {@code quantize_embeddings} returns them: int8 bytes, or the packed bits of {@code ubinary}.
 */
final class QuantizedRows {
    private final Precision precision;
    private final VectorQuantizer quantizer;
    private final int dimension;
    private final int rowBytes;
    private final int words;
    /** int8 codes shifted to unsigned (code + 128), off the heap, as onnxruntime's MatMulInteger reads them. */
    private final List<ByteBuffer> int8Blocks = new ArrayList<>();
    private Int8Scorer scorer;
    private final List<long[]> bitBlocks = new ArrayList<>();
    private long count;

    QuantizedRows(VectorQuantizer quantizer, int dimension) {
        this.precision = quantizer.precision();
        if (precision != Precision.INT8 && precision != Precision.BINARY) {
            throw new IllegalArgumentException("quantized rows are int8 or binary, not " + precision);
        }
        this.quantizer = quantizer;
        this.dimension = dimension;
        this.rowBytes = precision == Precision.INT8 ? dimension : (dimension + 7) / 8;
        this.words = (dimension + 63) / 64;
    }

    /** Bytes of one row in the codes file. */
    int rowBytes() {
        return rowBytes;
    }

    /** The codes file's bytes of a vector: int8 codes, or ubinary packed bits. */
    byte[] encode(float[] v) {
        int[] codes = quantizer.ints(v);
        byte[] out = new byte[rowBytes];
        for (int i = 0; i < rowBytes; i++) {
            out[i] = (byte) (precision == Precision.BINARY ? codes[i] + 128 : codes[i]);
        }
        return out;
    }

    /** Reads rows {@code [count, newCount)} of the codes file. */
    void load(Path file, long newCount) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < newCount * rowBytes) {
                throw new IndexDamagedException(file + " holds " + ch.size() / rowBytes + " codes of " + rowBytes
                        + " bytes, but the manifest counts " + newCount + ": the file is truncated");
            }
            for (long row = count; row < newCount; ) {
                long rows = Math.min(FloatRows.BLOCK_ROWS - row % FloatRows.BLOCK_ROWS, newCount - row);
                ByteBuffer b = ByteBuffer.allocate((int) (rows * rowBytes));
                ch.read(b, row * rowBytes);
                b.flip();
                byte[] bytes = new byte[(int) (rows * rowBytes)];
                b.get(bytes);
                append(bytes, (int) rows);
                row += rows;
            }
        }
    }

    /** Adds rows of code bytes, filling the last block first. */
    private void append(byte[] bytes, int rows) {
        int inLast = (int) (count % FloatRows.BLOCK_ROWS);
        if (precision == Precision.INT8) {
            byte[] shifted = new byte[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                shifted[i] = (byte) (bytes[i] + 128);
            }
            ByteBuffer block;
            if (inLast == 0) {
                block = ByteBuffer.allocateDirect(shifted.length);
            } else {
                ByteBuffer last = int8Blocks.remove(int8Blocks.size() - 1);
                block = ByteBuffer.allocateDirect(last.capacity() + shifted.length);
                block.put(last.duplicate().clear());
            }
            block.put(shifted).flip();
            int8Blocks.add(block);
        } else {
            long[] packed = new long[rows * words];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < rowBytes; i++) {
                    // bit j of the vector is bit (63 - j % 64) of word j / 64: the packbits order, big-endian
                    packed[r * words + i / 8] |= (bytes[r * rowBytes + i] & 0xFFL) << (56 - 8 * (i % 8));
                }
            }
            if (inLast == 0) {
                bitBlocks.add(packed);
            } else {
                long[] last = bitBlocks.remove(bitBlocks.size() - 1);
                long[] block = java.util.Arrays.copyOf(last, last.length + packed.length);
                System.arraycopy(packed, 0, block, last.length, packed.length);
                bitBlocks.add(block);
            }
        }
        count += rows;
    }

    long count() {
        return count;
    }

    private synchronized Int8Scorer int8Scorer() {
        if (scorer == null) {
            scorer = new Int8Scorer(dimension, Runtime.getRuntime().availableProcessors());
        }
        return scorer;
    }

    /** Frees the scoring session, if one was started. */
    synchronized void close() {
        if (scorer != null) {
            scorer.close();
            scorer = null;
        }
    }

    /** Bytes held in memory by the codes. */
    long memoryBytes() {
        return precision == Precision.INT8 ? count * rowBytes : count * words * 8L;
    }

    /**
     * The best {@code k} rows of each query by the quantized score: the int8 codes' dot product with the query's
     * int8 codes, or minus the Hamming distance between sign bits. Blocks run in parallel on the common pool.
     */
    TopHits[] search(float[][] queries, int k) {
        int n = queries.length;
        int blocks = precision == Precision.INT8 ? int8Blocks.size() : bitBlocks.size();
        TopHits[][] perBlock = new TopHits[blocks][];
        if (precision == Precision.INT8) {
            byte[][] q = new byte[n][];
            for (int i = 0; i < n; i++) {
                q[i] = encode(queries[i]);
            }
            Int8Scorer s = int8Scorer();
            for (int b = 0; b < blocks; b++) {
                perBlock[b] = s.search(q, int8Blocks.get(b), (long) b * FloatRows.BLOCK_ROWS, k);
            }
        } else {
            long[][] q = new long[n][];
            for (int i = 0; i < n; i++) {
                q[i] = new long[words];
                byte[] bits = encode(queries[i]);
                for (int j = 0; j < rowBytes; j++) {
                    q[i][j / 8] |= (bits[j] & 0xFFL) << (56 - 8 * (j % 8));
                }
            }
            IntStream.range(0, blocks).parallel().forEach(b -> perBlock[b] = bitBlock(q, b, k));
        }
        return merge(perBlock, n, k);
    }

    /** Each query's best k over the blocks' best k. */
    private static TopHits[] merge(TopHits[][] perBlock, int n, int k) {
        TopHits[] out = tops(n, k);
        for (int i = 0; i < n; i++) {
            for (TopHits[] block : perBlock) {
                out[i].addAll(block[i]);
            }
        }
        return out;
    }

    private static TopHits[] tops(int n, int k) {
        TopHits[] top = new TopHits[n];
        for (int i = 0; i < n; i++) {
            top[i] = new TopHits(k);
        }
        return top;
    }

    /**
     * Binary rows scored against the float query itself: the query's dot product with the row's signs (+1 for a set
     * bit, −1 for a clear one), looked up a byte at a time. The codes are the same sign bits; only the query keeps
     * its magnitudes, which Hamming distance throws away.
     */
    TopHits[] searchSigns(float[][] queries, int k) {
        int n = queries.length;
        float[][][] tables = new float[n][][];
        for (int i = 0; i < n; i++) {
            tables[i] = byteTables(queries[i]);
        }
        TopHits[][] perBlock = new TopHits[bitBlocks.size()][];
        if (bitBlocks.size() == 1 && n > 1) {
            // one block: the queries share the cores
            TopHits[] top = new TopHits[n];
            IntStream.range(0, n).parallel().forEach(i -> top[i] = signBlock(new float[][][] {tables[i]}, 0, k)[0]);
            return top;
        }
        IntStream.range(0, bitBlocks.size()).parallel().forEach(b -> perBlock[b] = signBlock(tables, b, k));
        return merge(perBlock, n, k);
    }

    /** For each byte of a row, the query's signed sum for each of the 256 bit patterns. */
    private float[][] byteTables(float[] q) {
        float[][] t = new float[rowBytes][256];
        for (int b = 0; b < rowBytes; b++) {
            for (int pattern = 0; pattern < 256; pattern++) {
                float s = 0;
                for (int bit = 0; bit < 8; bit++) {
                    int j = b * 8 + bit;
                    if (j < dimension) {
                        s += (pattern >>> (7 - bit) & 1) != 0 ? q[j] : -q[j];
                    }
                }
                t[b][pattern] = s;
            }
        }
        return t;
    }

    private TopHits[] signBlock(float[][][] tables, int b, int k) {
        long[] block = bitBlocks.get(b);
        long base = (long) b * FloatRows.BLOCK_ROWS;
        int rows = block.length / words;
        TopHits[] top = tops(tables.length, k);
        // one query at a time over the block: its tables stay in cache while the rows stream past
        for (int i = 0; i < tables.length; i++) {
            float[][] t = tables[i];
            TopHits best = top[i];
            for (int r = 0; r < rows; r++) {
                int at = r * words;
                float s = 0;
                int j = 0;
                for (int w = 0; w < words; w++) {
                    long x = block[at + w];
                    if (j + 8 <= rowBytes) {
                        s += t[j][(int) (x >>> 56)] + t[j + 1][(int) (x >>> 48) & 0xFF]
                                + t[j + 2][(int) (x >>> 40) & 0xFF] + t[j + 3][(int) (x >>> 32) & 0xFF]
                                + t[j + 4][(int) (x >>> 24) & 0xFF] + t[j + 5][(int) (x >>> 16) & 0xFF]
                                + t[j + 6][(int) (x >>> 8) & 0xFF] + t[j + 7][(int) x & 0xFF];
                        j += 8;
                    } else {
                        for (int shift = 56; j < rowBytes; j++, shift -= 8) {
                            s += t[j][(int) (x >>> shift) & 0xFF];
                        }
                    }
                }
                if (s >= best.threshold()) {
                    best.offer(s, base + r);
                }
            }
        }
        return top;
    }

    private TopHits[] bitBlock(long[][] queries, int b, int k) {
        long[] block = bitBlocks.get(b);
        long base = (long) b * FloatRows.BLOCK_ROWS;
        int rows = block.length / words;
        TopHits[] top = tops(queries.length, k);
        for (int i = 0; i < queries.length; i++) {
            long[] q = queries[i];
            TopHits best = top[i];
            for (int r = 0; r < rows; r++) {
                int at = r * words;
                int distance = 0;
                for (int w = 0; w < words; w++) {
                    distance += Long.bitCount(q[w] ^ block[at + w]);
                }
                if (-distance >= best.threshold()) {
                    best.offer(-distance, base + r);
                }
            }
        }
        return top;
    }

    /**
     * sentence-transformers' rescoring value: the float query's dot product with the row's codes as numbers (int8
     * values, or the 0/1 bits unpacked), as its {@code semantic_search_faiss} and {@code _usearch} compute it.
     */
    double codesDot(float[] query, long row) {
        int b = (int) (row / FloatRows.BLOCK_ROWS);
        int r = (int) (row % FloatRows.BLOCK_ROWS);
        double s = 0;
        if (precision == Precision.INT8) {
            ByteBuffer block = int8Blocks.get(b);
            for (int j = 0; j < dimension; j++) {
                s += (double) query[j] * ((block.get(r * dimension + j) & 0xFF) - 128);
            }
        } else {
            long[] block = bitBlocks.get(b);
            for (int j = 0; j < dimension; j++) {
                if ((block[r * words + j / 64] >>> (63 - j % 64) & 1) != 0) {
                    s += query[j];
                }
            }
        }
        return s;
    }
}
