package io.github.bertembed.batch;

import io.github.bertembed.Embedding;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Comma-separated records after a header line: {@code index}, for windows {@code chunk,chunks,start,end}, then
 * {@code id} and {@code text} where the layout has them, {@code tokens,truncated}, and the vector's components
 * {@code e0,e1,...} (Java's shortest round-trip float text, or integers). Fields with a comma, quote or line break
 * are quoted as RFC 4180 says.
 */
final class CsvWriter extends VectorWriter {
    private final RecordSink sink;
    private boolean headerWritten;

    CsvWriter(RecordSink sink, Layout layout, boolean headerWritten) {
        super(layout);
        this.sink = sink;
        this.headerWritten = headerWritten;
    }

    /** The header line (without its line break) of records of {@code components} components. */
    static String header(Layout layout, boolean perChunk, int components) {
        StringBuilder sb = new StringBuilder("index");
        if (perChunk) {
            sb.append(",chunk,chunks,start,end");
        }
        if (layout.id()) {
            sb.append(",id");
        }
        if (layout.text()) {
            sb.append(",text");
        }
        sb.append(",tokens,truncated");
        for (int i = 0; i < components; i++) {
            sb.append(",e").append(i);
        }
        return sb.toString();
    }

    /** The components a header line names ({@code e0} to {@code e(n-1)}). */
    static int componentCount(String header) {
        int n = 0;
        for (String column : header.split(",", -1)) {
            n += column.matches("e\\d+") ? 1 : 0;
        }
        return n;
    }

    @Override
    protected void write(Row r) throws IOException {
        VectorQuantizer values = layout.values();
        StringBuilder sb = new StringBuilder();
        boolean perChunk = r.chunk() >= 0;
        if (!headerWritten) {
            sb.append(header(layout, perChunk, values.precision().columns(r.vector().length))).append('\n');
        }
        sb.append(r.index());
        if (perChunk) {
            sb.append(',').append(r.chunk()).append(',').append(r.chunks()).append(',').append(r.start()).append(',')
                    .append(r.end());
        }
        if (layout.id()) {
            sb.append(',');
            quoted(sb, String.valueOf(r.id()));
        }
        if (layout.text()) {
            sb.append(',');
            quoted(sb, r.text());
        }
        sb.append(',').append(r.tokens()).append(',').append(r.truncated());
        if (values.precision().isFloat()) {
            for (float v : values.floats(r.vector())) {
                sb.append(',').append(v);
            }
        } else {
            for (int v : values.ints(r.vector())) {
                sb.append(',').append(v);
            }
        }
        sb.append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        sink.writeRecord(bytes, bytes.length);
        headerWritten = true;
        count++;
    }

    private static void quoted(StringBuilder sb, String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            sb.append(field);
            return;
        }
        sb.append('"').append(field.replace("\"", "\"\"")).append('"');
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }
}
