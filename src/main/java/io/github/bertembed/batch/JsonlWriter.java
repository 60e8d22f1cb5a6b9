package io.github.bertembed.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.bertembed.Embedding;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * One JSON object a line: {@code {"index", "embedding", "tokens", "truncated", "chunks"}}, or for a window
 * {@code {"index", "chunk", "chunks", "start", "end", "embedding", "tokens"}}.
 */
final class JsonlWriter extends VectorWriter {
    private final RecordSink sink;
    private final ByteArrayOutputStream record = new ByteArrayOutputStream(8192);
    private final JsonGenerator json;

    JsonlWriter(RecordSink sink) throws IOException {
        this.sink = sink;
        this.json = new JsonFactory().createGenerator(record);
        json.setRootValueSeparator(null);
    }

    @Override
    protected void write(Embedding e, long index, int chunk, int start, int end, int chunks) throws IOException {
        record.reset();
        json.writeStartObject();
        json.writeNumberField("index", index);
        if (chunk >= 0) {
            json.writeNumberField("chunk", chunk);
            json.writeNumberField("chunks", chunks);
            json.writeNumberField("start", start);
            json.writeNumberField("end", end);
        }
        json.writeArrayFieldStart("embedding");
        for (float v : e.vector()) {
            json.writeNumber(v);
        }
        json.writeEndArray();
        json.writeNumberField("tokens", e.tokens());
        if (chunk < 0) {
            json.writeBooleanField("truncated", e.truncated());
            json.writeNumberField("chunks", chunks);
        }
        json.writeEndObject();
        json.writeRaw('\n');
        json.flush();
        sink.writeRecord(record.toByteArray(), record.size());
        count++;
    }

    @Override
    public void close() throws IOException {
        json.close();
        sink.close();
    }
}
