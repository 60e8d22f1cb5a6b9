package io.github.bertembed.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The ids and texts of an index ({@code records.jsonl}: one {@code {"id": ..., "text": ...}} line a row), read by
 * row from the line starts found when it is opened; the texts stay on disk.
 */
final class RecordStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final FileChannel channel;
    private long[] starts = new long[1024];
    private long count;

    RecordStore(Path file, long count) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        extend(count);
    }

    /** Finds the line starts up to {@code newCount} rows. */
    void extend(long newCount) throws IOException {
        long at = starts[(int) count];
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        while (count < newCount) {
            buf.clear();
            int n = channel.read(buf, at);
            if (n <= 0) {
                throw new IndexDamagedException(file + " holds " + count + " complete records, but the manifest counts "
                        + newCount + ": the file is truncated");
            }
            for (int i = 0; i < n && count < newCount; i++) {
                if (buf.get(i) == '\n') {
                    count++;
                    if (count >= starts.length) {
                        starts = Arrays.copyOf(starts, starts.length * 2);
                    }
                    starts[(int) count] = at + i + 1;
                }
            }
            at += n;
            if (count < newCount) {
                at = Math.max(at, starts[(int) count]);
            }
        }
    }

    /** Bytes of the committed records: where the next record is appended. */
    long end() {
        return starts[(int) count];
    }

    /** The id (a String or a Number, or null) and text (or null) of a row. */
    Object[] record(long row) {
        if (row < 0 || row >= count) {
            throw new IndexOutOfBoundsException("row " + row + " of " + count);
        }
        long from = starts[(int) row];
        int length = (int) (starts[(int) row + 1] - from);
        ByteBuffer b = ByteBuffer.allocate(length);
        try {
            while (b.hasRemaining()) {
                if (channel.read(b, from + b.position()) < 0) {
                    throw new IndexDamagedException(file + " ends inside record " + row);
                }
            }
            JsonNode node = JSON.readTree(new String(b.array(), StandardCharsets.UTF_8));
            JsonNode id = node.get("id");
            JsonNode text = node.get("text");
            Object idValue = id == null || id.isNull() ? null : id.isNumber() ? id.numberValue() : id.asText();
            return new Object[] {idValue, text == null || text.isNull() ? null : text.asText()};
        } catch (IOException e) {
            throw new IndexDamagedException(file + ": record " + row + " cannot be read: " + e.getMessage());
        }
    }

    /** One record's line (with its newline). */
    static byte[] line(Object id, String text) {
        ObjectNode node = JSON.createObjectNode();
        if (id instanceof java.math.BigInteger n) {
            node.put("id", n);
        } else if (id instanceof java.math.BigDecimal n) {
            node.put("id", n);
        } else if (id instanceof Double || id instanceof Float) {
            node.put("id", ((Number) id).doubleValue());
        } else if (id instanceof Number n) {
            node.put("id", n.longValue());
        } else if (id != null) {
            node.put("id", id.toString());
        }
        if (text != null) {
            node.put("text", text);
        }
        return (node.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
