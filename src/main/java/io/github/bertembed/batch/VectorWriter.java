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
                case NPY -> new NpyStreamWriter(stream);
                case CSV -> new CsvWriter(new StreamRecordSink(stream));
                case JSONL -> new JsonlWriter(new StreamRecordSink(stream));
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
        return open(channel, format);
    }

    /** A writer on an open, empty channel (tests inject failing channels here). */
    static VectorWriter open(FileChannel channel, VectorFormat format) throws IOException {
        return switch (format) {
            case NPY -> new NpyFileWriter(channel, 0, -1);
            case CSV -> new CsvWriter(new FileRecordSink(channel, 0));
            case JSONL -> new JsonlWriter(new FileRecordSink(channel, 0));
        };
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
                throw new IllegalArgumentException("resuming with one vector per window needs JSONL output");
            }
            NpyHeader header = NpyHeader.read(channel, file);
            channel.truncate(header.offset(header.rows())); // a partial row after the last counted one
            return new Resumed(new NpyFileWriter(channel, header.rows(), header.columns()), header.rows());
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
                    throw new IllegalArgumentException("resuming with one vector per window needs JSONL output");
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
        RecordSink sink = new FileRecordSink(channel, completeEnd);
        VectorWriter w = format == VectorFormat.JSONL ? new JsonlWriter(sink) : new CsvWriter(sink);
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

    @Override
    public abstract void close() throws IOException;
}
