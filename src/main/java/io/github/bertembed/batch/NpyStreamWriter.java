package io.github.bertembed.batch;

import io.github.bertembed.Embedding;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** .npy to a stream: the row count is known only at the end, so the rows are held until then. */
final class NpyStreamWriter extends VectorWriter {
    private final OutputStream out;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int columns;

    NpyStreamWriter(OutputStream out) {
        this.out = out;
    }

    @Override
    protected void write(Embedding e, long index, int chunk, int start, int end, int chunks) throws IOException {
        columns = e.vector().length;
        body.write(NpyHeader.floats(e.vector()));
        count++;
    }

    @Override
    public void close() throws IOException {
        out.write(new NpyHeader(count, columns).bytes());
        body.writeTo(out);
        out.flush();
    }
}
