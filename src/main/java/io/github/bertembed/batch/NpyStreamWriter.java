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

    NpyStreamWriter(OutputStream out, Layout layout) {
        super(layout);
        this.out = out;
    }

    @Override
    protected void write(Row r) throws IOException {
        columns = layout.values().precision().columns(r.vector().length);
        body.write(layout.values().bytes(r.vector()));
        count++;
    }

    @Override
    public void close() throws IOException {
        out.write(new NpyHeader(count, columns, layout.values().precision()).bytes());
        body.writeTo(out);
        out.flush();
    }
}
