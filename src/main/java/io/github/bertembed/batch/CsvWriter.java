package io.github.bertembed.batch;

import io.github.bertembed.Embedding;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** One line of comma-separated components a vector (Java's shortest round-trip float text). */
final class CsvWriter extends VectorWriter {
    private final RecordSink sink;

    CsvWriter(RecordSink sink) {
        this.sink = sink;
    }

    @Override
    protected void write(Embedding e, long index, int chunk, int start, int end, int chunks) throws IOException {
        StringBuilder sb = new StringBuilder();
        float[] v = e.vector();
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(v[i]);
        }
        sb.append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        sink.writeRecord(bytes, bytes.length);
        count++;
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }
}
