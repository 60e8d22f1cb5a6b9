package io.github.bertembed.batch;

import io.github.bertembed.Embedding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorWriterTest {
    @TempDir
    Path dir;

    static List<Embedding> vectors(int n) {
        List<Embedding> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[8];
            java.util.Arrays.fill(v, i + 0.25f);
            out.add(new Embedding(v, 3, false));
        }
        return out;
    }

    @Test
    void diskFullLeavesOnlyCompleteRecords() throws Exception {
        for (VectorFormat format : VectorFormat.values()) {
            Path file = dir.resolve("out." + format.name().toLowerCase());
            FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
            long limit = 700; // the "disk" fills up part-way through a record
            VectorWriter w = VectorWriter.open(new FullDisk(real, limit), format, VectorWriter.Layout.plain());
            assertThrows(IOException.class, () -> w.write(vectors(100)), format.name());
            long written = w.count();
            w.close();
            assertTrue(written > 0 && written < 100);
            if (format == VectorFormat.NPY) {
                assertEquals(128 + written * 8 * 4, Files.size(file), "rows end on a record boundary");
                assertTrue(new String(Files.readAllBytes(file), 0, 128, StandardCharsets.US_ASCII)
                        .contains("'shape': (" + written + ", 8)"));
            } else {
                String text = Files.readString(file);
                assertTrue(text.endsWith("\n"), "ends with a complete line");
                assertEquals(written + (format == VectorFormat.CSV ? 1 : 0), text.lines().count(), "CSV: a header");
            }
        }
    }

    @Test
    void resumeDropsAPartialRecordAndCountsDocuments() throws Exception {
        for (VectorFormat format : VectorFormat.values()) {
            Path file = dir.resolve("r." + format.name().toLowerCase());
            try (VectorWriter w = VectorWriter.open(file, format)) {
                w.write(vectors(5));
            }
            // A killed run leaves half a record behind.
            Files.write(file, new byte[] {'{', '"', 'i', '1', '2', '3'}, StandardOpenOption.APPEND);
            VectorWriter.Resumed resumed = VectorWriter.resume(file, format, false);
            assertEquals(5, resumed.documents(), format.name());
            try (VectorWriter w = resumed.writer()) {
                w.write(vectors(2));
            }
            if (format == VectorFormat.NPY) {
                assertEquals(128 + 7 * 8 * 4, Files.size(file));
            } else {
                assertEquals(7 + (format == VectorFormat.CSV ? 1 : 0), Files.readString(file).lines().count());
                assertTrue(Files.readString(file).endsWith("\n"));
            }
        }
    }

    /** A channel over a real file that fails like a full disk once {@code limit} bytes are in the file. */
    static final class FullDisk extends FileChannel {
        private final FileChannel real;
        private final long limit;

        FullDisk(FileChannel real, long limit) {
            this.real = real;
            this.limit = limit;
        }

        private int guarded(ByteBuffer src, long at) throws IOException {
            long room = limit - at;
            if (room <= 0) {
                throw new IOException("No space left on device");
            }
            if (src.remaining() > room) {
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + (int) room);
                int n = real.write(part, at);
                src.position(src.position() + n);
                return n; // a short write; the next one fails
            }
            return real.write(src, at);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long at = real.position();
            int n = guarded(src, at);
            real.position(at + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return guarded(src, position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return real.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return real.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() throws IOException {
            return real.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            real.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return real.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            real.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            real.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return real.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
