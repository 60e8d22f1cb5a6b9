package io.github.bertembed.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.bertembed.Embedding;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * One JSON object a line: {@code {"index", ["id",] ["text",] "embedding", "tokens", "truncated", "chunks"}}, or for
 * a window {@code {"index", "chunk", "chunks", "start", "end", ["id",] ["text",] "embedding", "tokens"}}; the
 * embedding's numbers are floats, or integers for the int8, uint8 and binary precisions.
 */
final class JsonlWriter extends VectorWriter {
    private final RecordSink sink;
    private final ByteArrayOutputStream record = new ByteArrayOutputStream(8192);
    private final JsonGenerator json;

    JsonlWriter(RecordSink sink, Layout layout) throws IOException {
        super(layout);
        this.sink = sink;
        this.json = new JsonFactory().createGenerator(record);
        json.setRootValueSeparator(null);
    }

    @Override
    protected void write(Row r) throws IOException {
        record.reset();
        json.writeStartObject();
        json.writeNumberField("index", r.index());
        if (r.chunk() >= 0) {
            json.writeNumberField("chunk", r.chunk());
            json.writeNumberField("chunks", r.chunks());
            json.writeNumberField("start", r.start());
            json.writeNumberField("end", r.end());
        }
        if (layout.id()) {
            json.writeFieldName("id");
            writeId(r.id());
        }
        if (layout.text()) {
            json.writeStringField("text", r.text());
        }
        json.writeArrayFieldStart("embedding");
        VectorQuantizer values = layout.values();
        if (values.precision().isFloat()) {
            for (float v : values.floats(r.vector())) {
                json.writeNumber(v);
            }
        } else {
            for (int v : values.ints(r.vector())) {
                json.writeNumber(v);
            }
        }
        json.writeEndArray();
        json.writeNumberField("tokens", r.tokens());
        if (r.chunk() < 0) {
            json.writeBooleanField("truncated", r.truncated());
            json.writeNumberField("chunks", r.chunks());
        }
        json.writeEndObject();
        json.writeRaw('\n');
        json.flush();
        sink.writeRecord(record.toByteArray(), record.size());
        count++;
    }

    private void writeId(Object id) throws IOException {
        if (id instanceof java.math.BigDecimal d) {
            json.writeNumber(d);
        } else if (id instanceof java.math.BigInteger i) {
            json.writeNumber(i);
        } else if (id instanceof Number n) {
            json.writeNumber(n.longValue());
        } else {
            json.writeString(String.valueOf(id));
        }
    }

    @Override
    public void close() throws IOException {
        json.close();
        sink.close();
    }
}
