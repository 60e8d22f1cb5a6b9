package io.github.bertembed.spark;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.LongTextPolicy;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.collection.immutable.ArraySeq;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Embeds one partition on an executor: rows are read in windows (as {@code embed --input} reads a file), each
 * window's texts go through the executor's shared embedder in length-sorted runs under the token budget, and the
 * rows come out in input order with the vector (and, as configured, token count, truncation flag, window count)
 * appended. Rows are pulled from Spark's iterator on the task's own thread, so upstream operators see their
 * {@code TaskContext}; memory is bounded by the window, whatever the partition's size.
 *
 * <p>A null text gives a null vector (and null statistics); under {@link LongTextPolicy#CHUNKS} each window of a
 * document is a row of its own with its {@code chunk} number and character span.
 */
final class PartitionEmbedding implements MapPartitionsFunction<Row, Row> {
    /** Rows read ahead and embedded together (the in-process window). */
    static final int WINDOW_ROWS = DocumentEmbedder.DEFAULT_WINDOW_DOCUMENTS;
    /** Characters read ahead: bounds a window of long texts (about four characters a token). */
    static final int WINDOW_CHARS = DocumentEmbedder.DEFAULT_WINDOW_TOKENS * 4;

    private final EmbedderSpec spec;
    private final int textIndex;
    private final LongTextPolicy policy;
    private final int stride;
    private final boolean tokens;
    private final boolean truncated;
    private final boolean chunks;

    /**
     * @param textIndex the text column's position in the input rows
     * @param stride    tokens shared by consecutive windows; negative for the default
     * @param tokens    append the token count; {@code truncated}: the truncation flag; {@code chunks}: the window count
     */
    PartitionEmbedding(EmbedderSpec spec, int textIndex, LongTextPolicy policy, int stride, boolean tokens,
                      boolean truncated, boolean chunks) {
        this.spec = spec;
        this.textIndex = textIndex;
        this.policy = policy;
        this.stride = stride;
        this.tokens = tokens;
        this.truncated = truncated;
        this.chunks = chunks;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return rows; // an empty partition loads no model
        }
        SentenceEmbedder embedder = ExecutorEmbedderCache.get(spec);
        DocumentEmbedder documents = new DocumentEmbedder(embedder, policy,
                stride < 0 ? DocumentEmbedder.defaultStride(embedder) : stride);
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (ready.isEmpty() && rows.hasNext()) {
                    embedWindow(rows, documents, ready);
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    private void embedWindow(Iterator<Row> rows, DocumentEmbedder documents, ArrayDeque<Row> out) {
        List<Row> window = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        long chars = 0;
        while (rows.hasNext() && window.size() < WINDOW_ROWS && chars < WINDOW_CHARS) {
            Row row = rows.next();
            window.add(row);
            String text = row.isNullAt(textIndex) ? null : row.getString(textIndex);
            if (text != null) {
                texts.add(text);
                chars += text.length();
            }
        }
        List<DocumentResult> results = documents.embedAll(texts);
        int k = 0;
        for (Row row : window) {
            if (row.isNullAt(textIndex)) {
                out.add(append(row, null, null, null, null, null));
                continue;
            }
            DocumentResult r = results.get(k++);
            if (policy == LongTextPolicy.CHUNKS) {
                List<DocumentResult.Chunk> cs = r.chunks();
                for (int c = 0; c < cs.size(); c++) {
                    DocumentResult.Chunk chunk = cs.get(c);
                    out.add(append(row, chunk.vector(), chunk.tokens(), r.truncated(), cs.size(),
                            new int[]{c, chunk.start(), chunk.end()}));
                }
            } else {
                out.add(append(row, r.vector(), r.tokens(), r.truncated(), r.chunks().size(), null));
            }
        }
    }

    private Row append(Row row, float[] vector, Integer tokenCount, Boolean wasTruncated, Integer windowCount,
                       int[] chunkSpan) {
        int n = row.length();
        Object[] values = new Object[n + 1 + (tokens ? 1 : 0) + (truncated ? 1 : 0) + (chunks ? 1 : 0)
                + (policy == LongTextPolicy.CHUNKS ? 3 : 0)];
        for (int i = 0; i < n; i++) {
            values[i] = row.get(i);
        }
        int j = n;
        values[j++] = vector == null ? null : ArraySeq.unsafeWrapArray(vector);
        if (tokens) {
            values[j++] = tokenCount;
        }
        if (truncated) {
            values[j++] = wasTruncated;
        }
        if (chunks) {
            values[j++] = windowCount;
        }
        if (policy == LongTextPolicy.CHUNKS) {
            for (int i = 0; i < 3; i++) {
                values[j++] = chunkSpan == null ? null : chunkSpan[i];
            }
        }
        return RowFactory.create(values);
    }
}
