package io.github.bertembed.search;

import io.github.bertembed.batch.Precision;
import io.github.bertembed.batch.VectorQuantizer;
import io.github.bertembed.search.SearchOptions.BinaryScore;
import io.github.bertembed.search.SearchOptions.RescoreTarget;
import io.github.bertembed.search.SearchOptions.SearchMethod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A folder of vectors with their ids and texts, searched for each query's nearest neighbours by dot product (the
 * cosine, for normalized vectors): exactly over the float32 vectors, over int8 or binary codes with rescoring, or
 * through a Lucene HNSW graph. Files: {@code manifest.json}, {@code vectors.f32}, {@code records.jsonl}, and
 * {@code codes.int8} / {@code codes.ubinary} and {@code hnsw/} by precision.
 *
 * <pre>{@code
 * IndexManifest spec = IndexManifest.of(model, sha, 384, true, "mean", 256, "", "", Precision.FLOAT32, false);
 * try (VectorIndex index = VectorIndex.create(Path.of("my-index"), spec)) {
 *     index.add("doc-1", "The cat sits on the mat.", vector);
 *     index.commit();
 *     List<Hit> hits = index.search(query, SearchOptions.top(10));
 * }
 * }</pre>
 *
 * <p>Thread-safe: searches run side by side; {@link #add} buffers rows, and {@link #commit} writes them (and the
 * codes and graph they need) while searches wait. Rows are visible to searches once committed. Files are appended
 * to, and the manifest, rewritten atomically last, says how many rows are committed: a run stopped mid-write leaves
 * an index that opens at its last commit. {@link #close} commits.
 */
public final class VectorIndex implements AutoCloseable {
    static final String VECTORS = "vectors.f32";
    static final String RECORDS = "records.jsonl";
    static final String HNSW = "hnsw";
    /** Queries scored together: 256 queries × a block of rows is a 32 MB score matrix. */
    private static final int QUERY_BATCH = 256;

    private final Path dir;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final List<Object[]> pending = new ArrayList<>();
    private long pendingDocuments;
    private IndexManifest manifest;
    private final FloatRows floats;
    private final RecordStore records;
    private QuantizedRows codes;
    private HnswGraph hnsw;
    private ExactScorer scorer;
    private boolean closed;

    private VectorIndex(Path dir, IndexManifest manifest) throws IOException {
        this.dir = dir;
        this.manifest = manifest;
        this.floats = new FloatRows(dir.resolve(VECTORS), manifest.dimension(), manifest.count());
        try {
            this.records = new RecordStore(dir.resolve(RECORDS), manifest.count());
            if (manifest.int8Starts() != null || manifest.precisionValue() == Precision.BINARY) {
                codes = new QuantizedRows(quantizer(manifest), manifest.dimension());
                codes.load(dir.resolve(codesFile(manifest)), Math.min(manifest.codes(), manifest.count()));
            }
            if (manifest.hnsw()) {
                HnswGraph.checkDimension(manifest.dimension());
                hnsw = hnswGraph(dir.resolve(HNSW), manifest);
            }
        } catch (IOException | RuntimeException e) {
            floats.close();
            throw e;
        }
    }

    /** Creates an empty index in {@code dir} (which must not exist, or be empty). */
    public static VectorIndex create(Path dir, IndexManifest spec) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty: give a new folder, or add to the index"
                            + " there (--append)");
                }
            }
        }
        if (spec.hnsw()) {
            HnswGraph.checkDimension(spec.dimension());
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve(VECTORS), new byte[0]);
        Files.write(dir.resolve(RECORDS), new byte[0]);
        if (spec.precisionValue() != Precision.FLOAT32) {
            Files.write(dir.resolve(codesFile(spec)), new byte[0]);
        }
        IndexManifest empty = spec.withCounts(0, 0, 0, 0);
        empty.write(dir);
        return new VectorIndex(dir, empty);
    }

    /**
     * Opens an index folder; a manifest or file that does not agree (truncated file, missing file, another
     * dimension) is refused with {@link IndexDamagedException} naming it. Codes or a graph that lag behind the
     * rows (a run stopped after a checkpoint) are brought up to date.
     */
    public static VectorIndex open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no index at " + dir + ": no such folder");
        }
        IndexManifest m = IndexManifest.read(dir);
        for (String f : m.precisionValue() == Precision.FLOAT32 ? List.of(VECTORS, RECORDS)
                : List.of(VECTORS, RECORDS, codesFile(m))) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IndexDamagedException(dir + " is damaged: " + f + " is missing");
            }
        }
        VectorIndex index = new VectorIndex(dir, m);
        if (index.lagging()) {
            index.commit();
        }
        return index;
    }

    private static String codesFile(IndexManifest m) {
        return m.precisionValue() == Precision.INT8 ? "codes.int8" : "codes.ubinary";
    }

    private static VectorQuantizer quantizer(IndexManifest m) {
        return m.precisionValue() == Precision.INT8
                ? VectorQuantizer.withRanges(Precision.INT8, m.int8Starts(), m.int8Steps())
                : VectorQuantizer.of(Precision.BINARY);
    }

    private static HnswGraph hnswGraph(Path folder, IndexManifest m) throws IOException {
        try {
            return new HnswGraph(folder, m.normalized(), m.precisionValue() == Precision.INT8);
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("an HNSW index needs Apache Lucene (org.apache.lucene:lucene-core 9.12)"
                    + " on the classpath; the runnable jar has it");
        }
    }

    /**
     * Refuses a model other than the one whose vectors this index holds: by the SHA-256 of its graph and weights,
     * and by its vector size.
     *
     * @param name      the model's name, for the message
     * @param sha256    {@link io.github.bertembed.SentenceEmbedder#modelSha256()}
     * @param dimension the model's vector size
     * @throws IllegalArgumentException naming both models
     */
    public void requireModel(String name, String sha256, int dimension) {
        IndexManifest m = manifest;
        if ((m.modelSha256() != null && !m.modelSha256().equals(sha256)) || m.dimension() != dimension) {
            throw new IllegalArgumentException("index " + dir + " holds vectors of model " + m.model() + " (sha256 "
                    + m.modelSha256() + ", " + m.dimension() + " dimensions), not of " + name + " (sha256 " + sha256
                    + ", " + dimension + " dimensions): use the index's model, or build the index again");
        }
    }

    public IndexManifest manifest() {
        return manifest;
    }

    public Path folder() {
        return dir;
    }

    /** A committed row's float32 vector. */
    public float[] vector(long row) {
        checkRow(row);
        return floats.row(row);
    }

    /** A committed row's id (a String or a Number), or null. */
    public Object id(long row) {
        checkRow(row);
        return records.record(row)[0];
    }

    /** A committed row's text, or null. */
    public String text(long row) {
        checkRow(row);
        return (String) records.record(row)[1];
    }

    private void checkRow(long row) {
        if (row < 0 || row >= manifest.count()) {
            throw new IndexOutOfBoundsException("row " + row + " of an index of " + manifest.count() + " rows");
        }
    }

    /** Rows committed (searchable). */
    public long size() {
        return manifest.count();
    }

    /** Bytes the searched vectors take in memory: the codes, or the float32 vectors (mapped from disk). */
    public long vectorMemoryBytes() {
        return codes != null && manifest.precisionValue() != Precision.FLOAT32 ? codes.memoryBytes()
                : manifest.count() * manifest.dimension() * 4L;
    }

    private boolean lagging() {
        return (manifest.precisionValue() != Precision.FLOAT32 && manifest.codes() < manifest.count())
                || (manifest.hnsw() && manifest.hnswCount() < manifest.count());
    }

    /** Adds one document's row (id and text may be null); searchable after {@link #commit}. */
    public void add(Object id, String text, float[] vector) {
        addDocument(java.util.Collections.singletonList(new Object[] {id, text, vector}));
    }

    /** Adds one document as several rows (e.g. the windows of a long text), each {id, text, float[] vector}. */
    public synchronized void addDocument(List<Object[]> rows) {
        checkOpen();
        for (Object[] r : rows) {
            float[] v = (float[]) r[2];
            if (v.length != manifest.dimension()) {
                throw new IllegalArgumentException("a vector of " + v.length + " components cannot join an index of "
                        + manifest.dimension() + "-dimensional vectors");
            }
            for (float x : v) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("vector of " + r[0] + " has a non-finite component");
                }
            }
        }
        pending.addAll(rows);
        pendingDocuments++;
    }

    /**
     * Writes the added rows and their records, then the manifest: a point a resumed run restarts from. Codes and the
     * HNSW graph wait for {@link #commit}, so int8 ranges can come from the whole collection.
     */
    public void checkpoint() throws IOException {
        lock.writeLock().lock();
        try {
            checkOpen();
            IndexManifest before = manifest;
            writeRows();
            if (!manifest.equals(before)) {
                manifest.write(dir);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Writes the added rows, brings the codes (int8 ranges: from the collection when none were given, fixed from
     * then on) and the HNSW graph up to date, then the manifest.
     */
    public void commit() throws IOException {
        lock.writeLock().lock();
        try {
            checkOpen();
            IndexManifest before = manifest;
            writeRows();
            Precision p = manifest.precisionValue();
            long count = manifest.count();
            if (p != Precision.FLOAT32 && manifest.codes() < count) {
                long from = manifest.codes();
                if (p == Precision.INT8 && !"calibration".equals(manifest.int8Ranges())) {
                    // ranges from the whole collection, as a fresh index of these rows would have: when new rows
                    // widen them, every row is encoded again
                    VectorQuantizer q = collectionRanges();
                    if (!java.util.Arrays.equals(q.starts(), manifest.int8Starts())
                            || !java.util.Arrays.equals(q.steps(), manifest.int8Steps())) {
                        manifest = manifest.withRanges(q.starts(), q.steps(), "collection");
                        from = 0;
                    }
                }
                if (codes != null) {
                    codes.close();
                }
                codes = new QuantizedRows(quantizer(manifest), manifest.dimension());
                Path file = dir.resolve(codesFile(manifest));
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(from * codes.rowBytes());
                    ByteBuffer buf = ByteBuffer.allocate(codes.rowBytes() * 1024);
                    for (long row = from; row < count; row++) {
                        buf.put(codes.encode(floats.row(row)));
                        if (!buf.hasRemaining() || row == count - 1) {
                            buf.flip();
                            while (buf.hasRemaining()) {
                                ch.write(buf, ch.size());
                            }
                            buf.clear();
                        }
                    }
                    ch.force(false);
                }
                codes.load(file, count);
                manifest = manifest.withCounts(count, manifest.documents(), count, manifest.hnswCount());
            }
            if (manifest.hnsw() && manifest.hnswCount() < count) {
                if (hnsw == null) {
                    hnsw = hnswGraph(dir.resolve(HNSW), manifest);
                }
                hnsw.add(floats, manifest.hnswCount(), count);
                manifest = manifest.withCounts(count, manifest.documents(), manifest.codes(), count);
            }
            if (!manifest.equals(before)) {
                manifest.write(dir);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Appends the pending rows to the vectors and records files, past the committed rows; updates the counts. */
    private void writeRows() throws IOException {
        List<Object[]> rows;
        long documents;
        synchronized (this) {
            rows = new ArrayList<>(pending);
            documents = pendingDocuments;
            pending.clear();
            pendingDocuments = 0;
        }
        if (rows.isEmpty() && documents == 0) {
            return;
        }
        int d = manifest.dimension();
        long count = manifest.count();
        try (FileChannel v = FileChannel.open(dir.resolve(VECTORS), StandardOpenOption.WRITE);
             FileChannel r = FileChannel.open(dir.resolve(RECORDS), StandardOpenOption.WRITE)) {
            v.truncate(count * d * 4L); // rows past the manifest's count were never committed
            r.truncate(records.end());
            ByteBuffer buf = ByteBuffer.allocate(d * 4).order(ByteOrder.LITTLE_ENDIAN);
            long at = count * d * 4L;
            long recordAt = records.end();
            for (Object[] row : rows) {
                buf.clear();
                buf.asFloatBuffer().put((float[]) row[2]);
                while (buf.hasRemaining()) {
                    at += v.write(buf, at);
                }
                ByteBuffer line = ByteBuffer.wrap(RecordStore.line(row[0], (String) row[1]));
                while (line.hasRemaining()) {
                    recordAt += r.write(line, recordAt);
                }
            }
            v.force(false);
            r.force(false);
        }
        long newCount = count + rows.size();
        floats.extend(newCount);
        records.extend(newCount);
        manifest = manifest.withCounts(newCount, manifest.documents() + documents, manifest.codes(),
                manifest.hnswCount());
    }

    /** int8 ranges from every row: each dimension's minimum and maximum over the collection. */
    private VectorQuantizer collectionRanges() {
        int d = manifest.dimension();
        List<float[]> extremes = new ArrayList<>(2);
        float[] min = new float[d];
        float[] max = new float[d];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (long row = 0; row < manifest.count(); row++) {
            float[] v = floats.row(row);
            for (int j = 0; j < d; j++) {
                min[j] = Math.min(min[j], v[j]);
                max[j] = Math.max(max[j], v[j]);
            }
        }
        extremes.add(min);
        extremes.add(max);
        return VectorQuantizer.calibrated(Precision.INT8, extremes);
    }

    /** The nearest rows to one query vector. */
    public List<Hit> search(float[] query, SearchOptions options) {
        return searchAll(List.of(query), options).get(0);
    }

    /**
     * The nearest rows to each query, best first (ties: the lower row). Exact search scores every float32 vector
     * as one matrix product a block of rows; quantized search scores the codes on all cores, then rescores
     * {@code k × rescore} candidates; HNSW takes {@code ef} candidates from the graph and rescores them exactly.
     */
    public List<List<Hit>> searchAll(List<float[]> queries, SearchOptions options) {
        for (float[] q : queries) {
            if (q.length != manifest.dimension()) {
                throw new IllegalArgumentException("a query of " + q.length + " components cannot search an index"
                        + " of " + manifest.dimension() + "-dimensional vectors");
            }
        }
        lock.readLock().lock();
        try {
            checkOpen();
            List<List<Hit>> out = new ArrayList<>(queries.size());
            if (manifest.count() == 0) {
                queries.forEach(q -> out.add(List.of()));
                return out;
            }
            int k = options.k();
            SearchMethod method = method(options.method());
            // queries go a batch at a time: a batch's score matrix against a block of rows stays small
            List<TopHits> tops = new ArrayList<>(queries.size());
            for (int from = 0; from < queries.size(); from += QUERY_BATCH) {
                float[][] qs = queries.subList(from, Math.min(queries.size(), from + QUERY_BATCH))
                        .toArray(new float[0][]);
                tops.addAll(List.of(switch (method) {
                    case EXACT -> exactScorer().search(qs, k, floats);
                    case QUANTIZED -> quantized(qs, options);
                    case HNSW -> hnsw(qs, options);
                    case AUTO -> throw new IllegalStateException();
                }));
            }
            for (TopHits top : tops) {
                long[] rows = top.rows();
                double[] scores = top.scores();
                List<Hit> hits = new ArrayList<>(rows.length);
                for (int i = 0; i < rows.length; i++) {
                    Object[] rec = records.record(rows[i]);
                    hits.add(new Hit(rows[i], rec[0], (String) rec[1], scores[i], i + 1));
                }
                out.add(hits);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search " + dir + ": " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    private SearchMethod method(SearchMethod asked) {
        return switch (asked) {
            case AUTO -> hnsw != null ? SearchMethod.HNSW : codes != null ? SearchMethod.QUANTIZED : SearchMethod.EXACT;
            case QUANTIZED -> {
                if (codes == null) {
                    throw new IllegalArgumentException("index " + dir + " holds float32 vectors only: it has no"
                            + " quantized codes (build it with --precision int8 or binary)");
                }
                yield asked;
            }
            case HNSW -> {
                if (hnsw == null) {
                    throw new IllegalArgumentException("index " + dir + " has no HNSW graph (build it with --hnsw)");
                }
                yield asked;
            }
            case EXACT -> asked;
        };
    }

    private TopHits[] quantized(float[][] queries, SearchOptions o) {
        int k = o.k();
        boolean signs = manifest.precisionValue() == Precision.BINARY && o.binary() == BinaryScore.FLOAT_QUERY;
        int n = o.rescore() == 0 ? k : (int) Math.min(Integer.MAX_VALUE - 8, (long) k * o.rescore());
        TopHits[] candidates = signs ? codes.searchSigns(queries, n) : codes.search(queries, n);
        if (o.rescore() == 0) {
            return candidates;
        }
        TopHits[] out = new TopHits[queries.length];
        for (int q = 0; q < queries.length; q++) {
            if (o.against() == RescoreTarget.FLOAT32) {
                out[q] = ExactScorer.rescore(queries[q], candidates[q].rows(), k, floats);
            } else {
                out[q] = new TopHits(k);
                for (long row : candidates[q].rows()) {
                    out[q].offer(codes.codesDot(queries[q], row), row);
                }
            }
        }
        return out;
    }

    private TopHits[] hnsw(float[][] queries, SearchOptions o) throws IOException {
        TopHits[] out = new TopHits[queries.length];
        for (int q = 0; q < queries.length; q++) {
            out[q] = ExactScorer.rescore(queries[q], hnsw.candidates(queries[q], Math.max(o.k(), o.ef())), o.k(),
                    floats);
        }
        return out;
    }

    private synchronized ExactScorer exactScorer() {
        if (scorer == null) {
            scorer = new ExactScorer(manifest.dimension(), Runtime.getRuntime().availableProcessors());
        }
        return scorer;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the index " + dir + " is closed");
        }
    }

    /** Commits what was added, then frees the files, the graph and the scoring session. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            commit();
        } finally {
            closed = true;
            synchronized (this) {
                if (scorer != null) {
                    scorer.close();
                }
            }
            if (hnsw != null) {
                hnsw.close();
            }
            if (codes != null) {
                codes.close();
            }
            records.close();
            floats.close();
        }
    }
}
