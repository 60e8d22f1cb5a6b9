package io.github.bertembed.batch;

import io.github.bertembed.Embedding;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** .npy to a file: rows appended, the header rewritten after every row so that a stopped run leaves a loadable file. */
final class NpyFileWriter extends VectorWriter {
    private final FileChannel channel;
    private int columns;

    /** @param columns the vector size, or -1 until the first row says */
    NpyFileWriter(FileChannel channel, long rows, int columns, Layout layout) throws IOException {
        super(layout);
        this.channel = channel;
        this.columns = columns;
        this.count = rows;
        if (rows == 0) {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(new NpyHeader(0, 0, type()).bytes()), 0);
        }
        channel.position(new NpyHeader(rows, Math.max(columns, 0), type()).offset(rows));
    }

    @Override
    protected void write(Row r) throws IOException {
        byte[] row = layout.values().bytes(r.vector());
        if (columns < 0) {
            columns = type().columns(r.vector().length);
        }
        long committed = new NpyHeader(count, columns, type()).offset(count);
        FileRecordSink.appendOrRollBack(channel, ByteBuffer.wrap(row), committed);
        try {
            channel.write(ByteBuffer.wrap(new NpyHeader(count + 1, columns, type()).bytes()), 0);
        } catch (IOException failure) {
            channel.truncate(committed);
            channel.position(committed);
            throw failure;
        }
        count++;
    }

    private Precision type() {
        return layout.values().precision();
    }

    @Override
    public void close() throws IOException {
        channel.write(ByteBuffer.wrap(new NpyHeader(count, Math.max(columns, 0), type()).bytes()), 0);
        channel.close();
    }
}
