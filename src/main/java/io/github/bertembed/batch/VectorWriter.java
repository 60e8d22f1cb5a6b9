package io.github.bertembed.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.bertembed.Embedding;
import java.util.List;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes sentence vectors, one record per text in input order, as JSONL, CSV or NumPy .npy. Records are written
 * whole and flushed per call to {@link #write}, so an interrupted run leaves only complete records behind.
 *
 * <pre>{@code
 * try (VectorWriter out = VectorWriter.open(Path.of("vectors.npy"), VectorFormat.NPY)) {
 *     out.write(embedder.embedDetailed(texts));
 * }
 * }</pre>
 */
public abstract class VectorWriter implements AutoCloseable {
    protected long count;

    /** Opens a writer on a file ({@code null} for standard output). */
    public static VectorWriter open(Path file, VectorFormat format) throws IOException {
        if (format == VectorFormat.NPY) {
            return file == null ? new NpyToStream(System.out) : new NpyToFile(file);
        }
        OutputStream out = file == null ? new NonClosingStream(System.out)
                : new BufferedOutputStream(java.nio.file.Files.newOutputStream(file), 1 << 16);
        return format == VectorFormat.CSV ? new Csv(out) : new Jsonl(out);
    }

    /** Writes records and flushes them. */
    public abstract void write(Iterable<Embedding> embeddings) throws IOException;

    /**
     * Writes a document: one record, or, with {@code perChunk}, one record per window (JSONL then adds
     * {@code "chunk"}, {@code "start"} and {@code "end"}).
     */
    public void write(DocumentResult document, boolean perChunk) throws IOException {
        if (!perChunk) {
            write(List.of(new Embedding(document.vector(), document.tokens(), document.truncated())),
                    document.index(), -1, 0, 0, document.chunks().size());
            return;
        }
        int k = 0;
        for (DocumentResult.Chunk c : document.chunks()) {
            write(List.of(new Embedding(c.vector(), c.tokens(), false)), document.index(), k++, c.start(), c.end(),
                    document.chunks().size());
        }
    }

    /** One record with its document index and, for a window, the window's number and span. */
    protected void write(List<Embedding> one, long index, int chunk, int start, int end, int chunks) throws IOException {
        write(one);
    }

    /** Records written so far. */
    public long count() {
        return count;
    }

    private static final class Jsonl extends VectorWriter {
        private final OutputStream out;
        private final ByteArrayOutputStream record = new ByteArrayOutputStream(8192);
        private final JsonGenerator json;

        Jsonl(OutputStream out) throws IOException {
            this.out = out;
            this.json = new JsonFactory().createGenerator(record);
            json.setRootValueSeparator(null);
        }

        @Override
        protected void write(List<Embedding> one, long index, int chunk, int start, int end, int chunks)
                throws IOException {
            Embedding e = one.get(0);
            json.writeStartObject();
            json.writeNumberField("index", index);
            if (chunk >= 0) {
                json.writeNumberField("chunk", chunk);
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
            record.writeTo(out);
            record.reset();
            out.flush();
            count++;
        }

        @Override
        public void write(Iterable<Embedding> embeddings) throws IOException {
            for (Embedding e : embeddings) {
                json.writeStartObject();
                json.writeNumberField("index", count++);
                json.writeArrayFieldStart("embedding");
                for (float v : e.vector()) {
                    json.writeNumber(v);
                }
                json.writeEndArray();
                json.writeNumberField("tokens", e.tokens());
                json.writeBooleanField("truncated", e.truncated());
                json.writeEndObject();
                json.writeRaw('\n');
                json.flush();
                record.writeTo(out); // whole lines only
                record.reset();
            }
            out.flush();
        }

        @Override
        public void close() throws IOException {
            json.close();
            out.close();
        }
    }

    private static final class Csv extends VectorWriter {
        private final OutputStream out;

        Csv(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(Iterable<Embedding> embeddings) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (Embedding e : embeddings) {
                sb.setLength(0);
                float[] v = e.vector();
                for (int i = 0; i < v.length; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(v[i]);
                }
                sb.append('\n');
                out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                count++;
            }
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** .npy version 1.0: magic, header length, a Python dict padded to 64 bytes, then little-endian float32. */
    static byte[] npyHeader(long rows, int columns) {
        // The shape is padded to a fixed width so the header can be rewritten in place once the count is known.
        String dict = String.format("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, columns);
        int total = 128;
        StringBuilder sb = new StringBuilder(dict);
        while (10 + sb.length() + 1 < total) {
            sb.append(' ');
        }
        sb.append('\n');
        byte[] text = sb.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) text.length).put(text);
        return b.array();
    }

    static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private static final class NpyToFile extends VectorWriter {
        private final FileChannel channel;
        private int columns = -1;

        NpyToFile(Path file) throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            channel.write(ByteBuffer.wrap(npyHeader(0, 0)));
        }

        @Override
        public void write(Iterable<Embedding> embeddings) throws IOException {
            for (Embedding e : embeddings) {
                if (columns < 0) {
                    columns = e.vector().length;
                }
                channel.write(ByteBuffer.wrap(floats(e.vector())));
                count++;
            }
            // Keep the header true after every batch, so a stopped run leaves a loadable file.
            channel.write(ByteBuffer.wrap(npyHeader(count, Math.max(columns, 0))), 0);
        }

        @Override
        public void close() throws IOException {
            channel.write(ByteBuffer.wrap(npyHeader(count, Math.max(columns, 0))), 0);
            channel.close();
        }
    }

    /** .npy to a stream: the count is only known at the end, so the vectors are held until then. */
    private static final class NpyToStream extends VectorWriter {
        private final OutputStream out;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int columns;

        NpyToStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(Iterable<Embedding> embeddings) throws IOException {
            for (Embedding e : embeddings) {
                columns = e.vector().length;
                body.write(floats(e.vector()));
                count++;
            }
        }

        @Override
        public void close() throws IOException {
            out.write(npyHeader(count, columns));
            body.writeTo(out);
            out.flush();
        }
    }

    /** Standard output, flushed but not closed. */
    private static final class NonClosingStream extends java.io.FilterOutputStream {
        NonClosingStream(OutputStream out) {
            super(new BufferedOutputStream(out, 1 << 16));
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
