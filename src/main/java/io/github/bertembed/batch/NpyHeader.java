package io.github.bertembed.batch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a .npy file (format version 1.0) of rows of one {@link Precision}: written with the shape padded so
 * that the data always starts at byte {@value #SIZE} and the header can be rewritten in place as rows are added,
 * and read back when a run is resumed.
 *
 * @param rows    the number of vectors
 * @param columns the row size, in components
 * @param type    the components' type
 */
record NpyHeader(long rows, int columns, Precision type) {
    /** Header bytes: the data starts here. */
    static final int SIZE = 128;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DICT = Pattern.compile(
            "\\{'descr': '([<|][fiu][1-4])', 'fortran_order': False, 'shape': \\((\\d+), (\\d+)\\), \\}");

    /** Magic, version, header length, then the Python dict, space-padded and ending in a newline. */
    byte[] bytes() {
        String dict = String.format("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", type.npyType(), rows,
                columns);
        StringBuilder sb = new StringBuilder(dict);
        while (10 + sb.length() + 1 < SIZE) {
            sb.append(' ');
        }
        sb.append('\n');
        byte[] text = sb.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length).put(text);
        return b.array();
    }

    /** Where row {@code row} starts. */
    long offset(long row) {
        return SIZE + row * columns * (long) type.itemSize();
    }

    /**
     * Reads the header of a file this writer made.
     *
     * @throws IOException for any other file (another dtype, Fortran order, another header size)
     */
    static NpyHeader read(FileChannel channel, Object file, Precision expected) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(head, 0);
        byte[] b = head.array();
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[i] != MAGIC[i]) {
                throw new IOException(file + " is not a .npy file");
            }
        }
        int length = head.getShort(8) & 0xFFFF;
        Matcher m = DICT.matcher(new String(b, 10, Math.min(length, SIZE - 10), StandardCharsets.US_ASCII));
        if (b[6] != 1 || 10 + length != SIZE || !m.find()) {
            throw new IOException(file + " is not a .npy file of vectors as bert-embed writes them");
        }
        if (!m.group(1).equals(expected.npyType())) {
            throw new IOException(file + " holds " + m.group(1) + " rows, not " + expected.npyType() + " ("
                    + expected.name().toLowerCase(java.util.Locale.ROOT) + "): resume with the precision it was written with");
        }
        return new NpyHeader(Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)), expected);
    }

    /** Little-endian float32 bytes of a vector. */
    static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }
}
