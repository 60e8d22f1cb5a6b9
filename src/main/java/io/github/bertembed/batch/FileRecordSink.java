package io.github.bertembed.batch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A file that only ever holds complete records: a write that fails (disk full) is cut off again before it throws. */
final class FileRecordSink implements RecordSink {
    private final FileChannel channel;
    private long committed;

    FileRecordSink(FileChannel channel, long position) throws IOException {
        this.channel = channel;
        this.committed = position;
        channel.position(position);
    }

    @Override
    public void writeRecord(byte[] bytes, int length) throws IOException {
        appendOrRollBack(channel, ByteBuffer.wrap(bytes, 0, length), committed);
        committed += length;
    }

    /**
     * Writes all of {@code data} at the channel's position; when that fails, truncates the channel back to
     * {@code committed} (the end of the last complete record) and rethrows.
     */
    static void appendOrRollBack(FileChannel channel, ByteBuffer data, long committed) throws IOException {
        try {
            while (data.hasRemaining()) {
                channel.write(data);
            }
        } catch (IOException e) {
            try {
                channel.truncate(committed);
                channel.position(committed);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
