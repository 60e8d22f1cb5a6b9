package io.github.bertembed.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.Embedding;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes sentence vectors, one record per document (or per window) in input order, as JSONL, CSV or NumPy .npy.
 *
 * <p>Only complete records ever stay in a file: each record is written whole, and when a write fails (disk full)
 * the file is cut back to the end of the last complete record before the error is raised. A file left by an
 * interrupted run can be continued with {@link #resume}: a trailing partial record is removed and the number of
 * complete documents is returned, so the caller skips that many inputs.
 *
 * <pre>{@code
 * try (VectorWriter out = VectorWriter.open(Path.of("vectors.npy"), VectorFormat.NPY)) {
 *     documents.embed(lines, r -> out.write(r, false));
 * }
 * }</pre>
 */
public abstract class VectorWriter implements AutoCloseable {
    protected long count;

    /** Opens a writer on a file, replacing the file. */
    public static VectorWriter open(Path file, VectorFormat format) throws IOException {
        return open(file, format, null);
    }

    /**
     * Opens a writer on a file, replacing it, or, when {@code file} is null, on a stream the caller owns (the CLI
     * passes standard output; this package never prints by itself).
     */
    public static VectorWriter open(Path file, VectorFormat format, OutputStream stream) throws IOException {
        if (file == null) {
            if (stream == null) {
                throw new IllegalArgumentException("no file and no stream to write vectors to");
            }
            return switch (format) {
                case NPY -> new NpyToStream(stream);
                case CSV -> new TextRecords(new StreamSink(stream), false);
                case JSONL -> new TextRecords(new StreamSink(stream), true);
            };
        }
        return open(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), format);
    }

    /** A writer on an open, empty channel (tests inject failing channels here). */
    static VectorWriter open(FileChannel channel, VectorFormat format) throws IOException {
        return format == VectorFormat.NPY ? new NpyToFile(channel, 0, -1) : new TextRecords(new FileSink(channel, 0),
                format == VectorFormat.JSONL);
    }

    /** The result of {@link #resume}: the writer, positioned after the complete documents, and their number. */
    public record Resumed(VectorWriter writer, long documents) {
    }

    /**
     * Continues a file an interrupted run left: removes a trailing partial record and counts complete documents.
     * For per-window output only JSONL can be resumed (its lines say which window of how many they hold).
     */
    public static Resumed resume(Path file, VectorFormat format, boolean perChunk) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return new Resumed(open(file, format), 0);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (format == VectorFormat.NPY) {
            if (perChunk) {
                throw new IllegalArgumentException("--resume with one vector per window needs JSONL output");
            }
            ByteBuffer head = ByteBuffer.allocate(128);
            channel.read(head, 0);
            String header = new String(head.array(), 10, 118, StandardCharsets.US_ASCII);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("'shape': \\((\\d+), (\\d+)\\)").matcher(header);
            if (!m.find()) {
                throw new IOException(file + " is not a .npy file this tool wrote");
            }
            long rows = Long.parseLong(m.group(1));
            int columns = Integer.parseInt(m.group(2));
            long end = 128 + rows * columns * 4L;
            channel.truncate(end);
            NpyToFile w = new NpyToFile(channel, rows, columns);
            return new Resumed(w, rows);
        }
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--; // drop a partial last line
        }
        long documents = 0;
        long completeEnd = 0;
        ObjectMapper json = new ObjectMapper();
        int lineStart = 0;
        for (int i = 0; i < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            boolean completesDocument = true;
            if (perChunk) {
                if (format != VectorFormat.JSONL) {
                    throw new IllegalArgumentException("--resume with one vector per window needs JSONL output");
                }
                JsonNode node = json.readTree(new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8));
                completesDocument = node.path("chunk").asInt() + 1 == node.path("chunks").asInt();
            }
            if (completesDocument) {
                documents++;
                completeEnd = i + 1;
            }
            lineStart = i + 1;
        }
        channel.truncate(completeEnd);
        TextRecords w = new TextRecords(new FileSink(channel, completeEnd), format == VectorFormat.JSONL);
        w.count = documents;
        return new Resumed(w, documents);
    }

    /** Writes records, numbered on from {@link #count()}. */
    public void write(Iterable<Embedding> embeddings) throws IOException {
        for (Embedding e : embeddings) {
            write(e, count, -1, 0, 0, 1);
        }
    }

    /**
     * Writes a document: one record, or, with {@code perChunk}, one record per window (JSONL then adds
     * {@code "chunk"}, {@code "chunks"}, {@code "start"} and {@code "end"}).
     */
    public void write(DocumentResult document, boolean perChunk) throws IOException {
        if (!perChunk) {
            write(new Embedding(document.vector(), document.tokens(), document.truncated()), document.index(), -1, 0,
                    0, document.chunks().size());
            return;
        }
        int k = 0;
        for (DocumentResult.Chunk c : document.chunks()) {
            write(new Embedding(c.vector(), c.tokens(), false), document.index(), k++, c.start(), c.end(),
                    document.chunks().size());
        }
    }

    /** One record with its document index and, for a window ({@code chunk >= 0}), the window's number and span. */
    protected abstract void write(Embedding e, long index, int chunk, int start, int end, int chunks) throws IOException;

    /** Records written so far. */
    public long count() {
        return count;
    }

    // ---- text formats --------------------------------------------------------------------------------------------

    /** Where whole text records go. */
    private interface Sink extends AutoCloseable {
        void writeRecord(byte[] bytes, int length) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A file: a failed record is cut off again, leaving only complete ones. */
    private static final class FileSink implements Sink {
        private final FileChannel channel;
        private long committed;

        FileSink(FileChannel channel, long position) throws IOException {
            this.channel = channel;
            this.committed = position;
            channel.position(position);
        }

        @Override
        public void writeRecord(byte[] bytes, int length) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
            try {
                while (b.hasRemaining()) {
                    channel.write(b);
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
            committed += length;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class StreamSink implements Sink {
        private final OutputStream out;

        StreamSink(OutputStream stream) {
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

    /** JSONL or CSV records. */
    private static final class TextRecords extends VectorWriter {
        private final Sink sink;
        private final boolean jsonl;
        private final ByteArrayOutputStream record = new ByteArrayOutputStream(8192);
        private final JsonGenerator json;

        TextRecords(Sink sink, boolean jsonl) throws IOException {
            this.sink = sink;
            this.jsonl = jsonl;
            this.json = new JsonFactory().createGenerator(record);
            json.setRootValueSeparator(null);
        }

        @Override
        protected void write(Embedding e, long index, int chunk, int start, int end, int chunks) throws IOException {
            record.reset();
            if (jsonl) {
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
            } else {
                StringBuilder sb = new StringBuilder();
                float[] v = e.vector();
                for (int i = 0; i < v.length; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    sb.append(v[i]);
                }
                sb.append('\n');
                record.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
            }
            byte[] bytes = record.toByteArray();
            sink.writeRecord(bytes, bytes.length);
            count++;
        }

        @Override
        public void close() throws IOException {
            json.close();
            sink.close();
        }
    }

    // ---- npy ------------------------------------------------------------------------------------------------------

    /** .npy version 1.0: magic, header length, a Python dict padded so the data starts at byte 128. */
    static byte[] npyHeader(long rows, int columns) {
        // The shape is padded to a fixed width so the header can be rewritten in place once the count is known.
        String dict = String.format("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, columns);
        StringBuilder sb = new StringBuilder(dict);
        while (10 + sb.length() + 1 < 128) {
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
        private int columns;

        NpyToFile(FileChannel channel, long rows, int columns) throws IOException {
            this.channel = channel;
            this.columns = columns;
            this.count = rows;
            if (rows == 0) {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(npyHeader(0, 0)), 0);
            }
            channel.position(128 + rows * Math.max(columns, 0) * 4L);
        }

        @Override
        protected void write(Embedding e, long index, int chunk, int start, int end, int chunks) throws IOException {
            if (columns < 0) {
                columns = e.vector().length;
            }
            long committed = 128 + count * columns * 4L;
            try {
                ByteBuffer b = ByteBuffer.wrap(floats(e.vector()));
                while (b.hasRemaining()) {
                    channel.write(b);
                }
                count++;
                // Keep the header true after every record, so a stopped run leaves a loadable file.
                channel.write(ByteBuffer.wrap(npyHeader(count, columns)), 0);
            } catch (IOException failure) {
                channel.truncate(committed);
                channel.position(committed);
                throw failure;
            }
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
        protected void write(Embedding e, long index, int chunk, int start, int end, int chunks) throws IOException {
            columns = e.vector().length;
            body.write(floats(e.vector()));
            count++;
        }

        @Override
        public void close() throws IOException {
            out.write(npyHeader(count, columns));
            body.writeTo(out);
            out.flush();
        }
    }
}
