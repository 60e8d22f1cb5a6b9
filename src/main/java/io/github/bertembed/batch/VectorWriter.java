package io.github.bertembed.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.Embedding;

import java.io.IOException;
import java.io.OutputStream;
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
 * <p>A {@link Layout} says what a record carries beside its vector: the vector's {@link Precision}, and the input's
 * id and text where JSONL and CSV can hold them (a .npy file holds the vectors only, row {@code i} the input's
 * record {@code i}). CSV files start with a header line.
 *
 * <pre>{@code
 * try (VectorWriter out = VectorWriter.open(Path.of("vectors.npy"), VectorFormat.NPY)) {
 *     documents.embed(lines, r -> out.write(r, false));
 * }
 * }</pre>
 */
public abstract class VectorWriter implements AutoCloseable {
    protected long count;
    protected final Layout layout;

    /**
     * What each record holds beside its index and vector.
     *
     * @param values the vectors' precision (with its calibration ranges for int8 and uint8)
     * @param id     records carry the input's id ({@code "id"} in JSONL, an {@code id} column in CSV)
     * @param text   records carry the input's text (a window's own text under per-window output)
     */
    public record Layout(VectorQuantizer values, boolean id, boolean text) {
        public Layout {
            java.util.Objects.requireNonNull(values, "values");
        }

        /** float32 vectors, no id, no text. */
        public static Layout plain() {
            return new Layout(VectorQuantizer.of(Precision.FLOAT32), false, false);
        }

        /** Refuses what a format cannot hold (ids and texts in .npy), naming both. */
        public void check(VectorFormat format) {
            if (format == VectorFormat.NPY && (id || text)) {
                throw new IllegalArgumentException(".npy holds the vectors only: write ids and texts as jsonl or csv"
                        + " (row i of the .npy is input record i)");
            }
        }
    }

    /**
     * One record's fields.
     *
     * @param chunk the window's number under per-window output, else -1
     * @param id    the input's id (a String or a Number) or null
     * @param text  the input's (or the window's) text, or null
     */
    protected record Row(long index, int chunk, int chunks, int start, int end, float[] vector, int tokens,
                         boolean truncated, Object id, String text) {
    }

    protected VectorWriter(Layout layout) {
        this.layout = layout;
    }

    /** Opens a writer on a file, replacing the file. */
    public static VectorWriter open(Path file, VectorFormat format) throws IOException {
        return open(file, format, null, Layout.plain());
    }

    /**
     * Opens a writer on a file, replacing it, or, when {@code file} is null, on a stream the caller owns (the CLI
     * passes standard output; this package never prints by itself).
     */
    public static VectorWriter open(Path file, VectorFormat format, OutputStream stream, Layout layout)
            throws IOException {
        layout.check(format);
        if (file == null) {
            if (stream == null) {
                throw new IllegalArgumentException("no file and no stream to write vectors to");
            }
            return switch (format) {
                case NPY -> new NpyStreamWriter(stream, layout);
                case CSV -> new CsvWriter(new StreamRecordSink(stream), layout, false);
                case JSONL -> new JsonlWriter(new StreamRecordSink(stream), layout);
            };
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot write " + file + ": its folder does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot write " + file + ": permission denied", e);
        } catch (java.nio.file.FileSystemException e) {
            throw new IOException("cannot write " + file + ": " + (e.getReason() != null ? e.getReason()
                    : e.getClass().getSimpleName()), e);
        }
        return open(channel, format, layout);
    }

    /** A writer on an open, empty channel (tests inject failing channels here). */
    static VectorWriter open(FileChannel channel, VectorFormat format, Layout layout) throws IOException {
        return switch (format) {
            case NPY -> new NpyFileWriter(channel, 0, -1, layout);
            case CSV -> new CsvWriter(new FileRecordSink(channel, 0), layout, false);
            case JSONL -> new JsonlWriter(new FileRecordSink(channel, 0), layout);
        };
    }

    /** The result of {@link #resume}: the writer, positioned after the complete documents, and their number. */
    public record Resumed(VectorWriter writer, long documents) {
    }

    /** As {@link #resume(Path, VectorFormat, boolean, Layout)} for float32 vectors alone. */
    public static Resumed resume(Path file, VectorFormat format, boolean perChunk) throws IOException {
        return resume(file, format, perChunk, Layout.plain());
    }

    /**
     * Continues a file an interrupted run left: removes a trailing partial record and counts complete documents.
     * For per-window output only JSONL can be resumed (its lines say which window of how many they hold). A CSV
     * file's header must be the one this layout writes.
     */
    public static Resumed resume(Path file, VectorFormat format, boolean perChunk, Layout layout) throws IOException {
        layout.check(format);
        if (!Files.exists(file) || Files.size(file) == 0) {
            return new Resumed(open(file, format, null, layout), 0);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (format == VectorFormat.NPY) {
            if (perChunk) {
                throw new IllegalArgumentException("resuming with one vector per window needs JSONL output");
            }
            NpyHeader header = NpyHeader.read(channel, file, layout.values().precision());
            channel.truncate(header.offset(header.rows())); // a partial row after the last counted one
            return new Resumed(new NpyFileWriter(channel, header.rows(), header.columns(), layout), header.rows());
        }
        if (perChunk && format != VectorFormat.JSONL) {
            throw new IllegalArgumentException("resuming with one vector per window needs JSONL output");
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
        boolean header = format == VectorFormat.CSV;
        for (int i = 0; i < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            String line = new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8);
            lineStart = i + 1;
            if (header) {
                header = false;
                String expected = CsvWriter.header(layout, perChunk, CsvWriter.componentCount(line));
                if (!line.equals(expected)) {
                    throw new IllegalArgumentException(file + " has other columns than this run writes (its header: "
                            + abbreviate(line) + "; this run's: " + abbreviate(expected) + ")");
                }
                completeEnd = i + 1;
                continue;
            }
            boolean completesDocument = true;
            if (perChunk) {
                JsonNode node = json.readTree(line);
                completesDocument = node.path("chunk").asInt() + 1 == node.path("chunks").asInt();
            }
            if (completesDocument) {
                documents++;
                completeEnd = i + 1;
            }
        }
        channel.truncate(completeEnd);
        RecordSink sink = new FileRecordSink(channel, completeEnd);
        VectorWriter w = format == VectorFormat.JSONL ? new JsonlWriter(sink, layout)
                : new CsvWriter(sink, layout, completeEnd > 0);
        w.count = documents;
        return new Resumed(w, documents);
    }

    private static String abbreviate(String line) {
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }

    /** Writes records, numbered on from {@link #count()}. */
    public void write(Iterable<Embedding> embeddings) throws IOException {
        for (Embedding e : embeddings) {
            write(new Row(count, -1, 1, 0, 0, e.vector(), e.tokens(), e.truncated(), null, null));
        }
    }

    /** As {@link #write(DocumentResult, boolean, Object, String)} without id and text. */
    public void write(DocumentResult document, boolean perChunk) throws IOException {
        write(document, perChunk, null, null);
    }

    /**
     * Writes a document: one record, or, with {@code perChunk}, one record per window (JSONL then adds
     * {@code "chunk"}, {@code "chunks"}, {@code "start"} and {@code "end"}), with the input's id and text where the
     * layout asks for them (a window's record carries its own part of the text).
     */
    public void write(DocumentResult document, boolean perChunk, Object id, String text) throws IOException {
        if (layout.id() && id == null) {
            throw new IllegalArgumentException("record " + document.index() + " has no id");
        }
        String t = layout.text() ? text : null;
        if (!perChunk) {
            write(new Row(document.index(), -1, document.chunks().size(), 0, 0, document.vector(), document.tokens(),
                    document.truncated(), id, t));
            return;
        }
        int k = 0;
        for (DocumentResult.Chunk c : document.chunks()) {
            write(new Row(document.index(), k++, document.chunks().size(), c.start(), c.end(), c.vector(),
                    c.tokens(), false, id, t == null ? null : t.substring(c.start(), c.end())));
        }
    }

    /** One record. */
    protected abstract void write(Row row) throws IOException;

    /** Records written so far. */
    public long count() {
        return count;
    }

    @Override
    public abstract void close() throws IOException;
}
