package io.github.bertembed.batch;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Records to a stream the caller owns (the CLI's standard output), flushed record by record. */
final class StreamRecordSink implements RecordSink {
    private final OutputStream out;

    StreamRecordSink(OutputStream stream) {
        this.out = new BufferedOutputStream(stream, 1 << 16);
    }

    @Override
    public void writeRecord(byte[] bytes, int length) throws IOException {
        out.write(bytes, 0, length);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
