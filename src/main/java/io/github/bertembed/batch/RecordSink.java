package io.github.bertembed.batch;

import java.io.IOException;

/** Where whole text records go: a file that keeps only complete records, or a stream the caller owns. */
interface RecordSink extends AutoCloseable {
    /** Writes one complete record (a line). */
    void writeRecord(byte[] bytes, int length) throws IOException;

    @Override
    void close() throws IOException;
}
