package io.github.bertembed.batch;

import io.github.bertembed.LongTextPolicy;
import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TextTooLongException;
import io.github.bertembed.pooling.TokenWeightedMean;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
import io.github.bertembed.tokenizer.TokenWindows;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Embeds a stream of documents of any size in constant memory, results in input order.
 *
 * <p>Documents are read and tokenized in windows of a few hundred; a stream's next window is read on a thread of
 * its own while the previous one runs through the encoder, a list is embedded on the caller's thread. Within a
 * window, the embedder groups encodings by length into encoder runs, so padding stays small. Long documents follow
 * the caller's {@link LongTextPolicy}.
 *
 * <pre>{@code
 * try (SentenceEmbedder model = SentenceEmbedder.builder().build()) {
 *     DocumentEmbedder documents = new DocumentEmbedder(model, LongTextPolicy.CHUNK, 64);
 *     documents.embed(lines.iterator(), result -> write(result));
 * }
 * }</pre>
 */
public final class DocumentEmbedder {
    private final SentenceEmbedder embedder;
    private final BertTokenizer tokenizer;
    private final LongTextPolicy policy;
    private final int stride;
    private final int windowDocuments;
    private final int windowTokens;

    /**
     * Documents read ahead and sorted by length together, by default: enough for length-sorted runs with little
     * padding, few enough that results reach the sink a few seconds after their documents were read (an
     * interrupted run loses seconds of work, not minutes).
     */
    public static final int DEFAULT_WINDOW_DOCUMENTS = 1024;
    /** Tokens read ahead, by default: about four seconds of encoder work on two cores (bounds long texts). */
    public static final int DEFAULT_WINDOW_TOKENS = 1 << 15;

    /**
     * Progress as encoder runs complete: documents embedded (within a window, pro rata by its encodings done),
     * tokens embedded, and windows of finished documents.
     */
    public record Progress(long documents, long tokens, long chunks) {
    }

    /**
     * @param stride tokens shared by consecutive windows of a long document (CHUNK and CHUNKS)
     */
    public DocumentEmbedder(SentenceEmbedder embedder, LongTextPolicy policy, int stride) {
        this(embedder, policy, stride, DEFAULT_WINDOW_DOCUMENTS, DEFAULT_WINDOW_TOKENS);
    }

    /**
     * @param windowDocuments most documents read ahead and sorted by length together
     * @param windowTokens    most tokens read ahead (bounds memory whatever the document sizes)
     */
    public DocumentEmbedder(SentenceEmbedder embedder, LongTextPolicy policy, int stride, int windowDocuments,
                            int windowTokens) {
        this.embedder = embedder;
        this.tokenizer = embedder.tokenizer();
        this.policy = policy;
        this.stride = stride;
        this.windowDocuments = windowDocuments;
        this.windowTokens = windowTokens;
        int width = embedder.maxLength() - tokenizer.specialTokenCount(false);
        if (windowed() && (stride < 0 || stride >= width)) {
            throw new IllegalArgumentException("stride must be in [0, " + width + ") for max length "
                    + embedder.maxLength() + ", got " + stride);
        }
    }

    private boolean windowed() {
        return policy == LongTextPolicy.CHUNK || policy == LongTextPolicy.CHUNKS;
    }

    /** A default stride: an eighth of the window. */
    public static int defaultStride(SentenceEmbedder embedder) {
        return embedder.chunkStride();
    }

    /**
     * Consecutive windows of one document; a huge document arrives in several pieces, so memory is bounded by
     * the read-ahead budget and not by the document.
     */
    private record Piece(long document, List<Encoding> windows, boolean lastOfDocument) {
    }

    /** A read-ahead batch of pieces on its way from the reader to the encoder. */
    private record Window(List<Piece> pieces, Throwable failure, boolean last) {
    }

    /**
     * Embeds every document of {@code documents}, handing each result to {@code sink} in input order.
     * Exceptions from the iterator (bad input) stop the run after the results before them were delivered.
     */
    public Progress embed(Iterator<String> documents, Consumer<DocumentResult> sink) {
        return embed(documents, sink, p -> { });
    }

    /**
     * The results of a list of documents, in order: what adapters and servers need for one request. Embedded on
     * the caller's thread. Thread-safe: concurrent calls share nothing but the embedder.
     */
    public List<DocumentResult> embedAll(List<String> documents) {
        List<DocumentResult> out = new ArrayList<>(documents.size());
        WindowReader reader = new WindowReader(documents.iterator());
        try {
            consume(reader::next, out::add, p -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return out;
    }

    /**
     * As {@link #embed(Iterator, Consumer)}, for a stream of any length: one thread reads and tokenizes the next
     * window of documents while this one embeds the last, and {@code progress} hears after every encoder run.
     */
    public Progress embed(Iterator<String> documents, Consumer<DocumentResult> sink, Consumer<Progress> progress) {
        BlockingQueue<Window> queue = new ArrayBlockingQueue<>(1);
        Thread reader = new Thread(() -> {
            WindowReader windows = new WindowReader(documents);
            try {
                for (Window w = windows.next(); ; w = windows.next()) {
                    queue.put(w);
                    if (w.last()) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bert-embed-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            return consume(queue::take, sink, progress);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            reader.interrupt();
        }
    }

    /** Where windows come from: the reader thread's queue, or a reader on the caller's thread. */
    private interface WindowSource {
        Window next() throws InterruptedException;
    }

    private Progress consume(WindowSource source, Consumer<DocumentResult> sink, Consumer<Progress> progress)
            throws InterruptedException {
        long docs = 0;
        long tokens = 0;
        long chunks = 0;
        Accumulator open = null;
        while (true) {
            Window w = source.next();
            if (!w.pieces().isEmpty()) {
                List<Encoding> all = new ArrayList<>();
                int documentsInWindow = 0;
                long tokensInWindow = 0;
                for (Piece p : w.pieces()) {
                    all.addAll(p.windows());
                    documentsInWindow += p.lastOfDocument() ? 1 : 0;
                    for (Encoding e : p.windows()) {
                        tokensInWindow += e.realLength();
                    }
                }
                // Progress after each encoder run: the window's documents and tokens pro rata by the encodings done.
                long docsBefore = docs;
                long tokensBefore = tokens;
                long chunksBefore = chunks;
                int windowDocuments = documentsInWindow;
                long windowTokens = tokensInWindow;
                List<Embedding> vectors = embedder.embedEncodings(all, done -> progress.accept(new Progress(
                        docsBefore + (long) windowDocuments * done / all.size(),
                        tokensBefore + windowTokens * done / all.size(), chunksBefore)));
                int k = 0;
                for (Piece p : w.pieces()) {
                    if (open == null) {
                        open = new Accumulator(p.document());
                    }
                    for (Encoding e : p.windows()) {
                        open.add(e, vectors.get(k++));
                    }
                    if (p.lastOfDocument()) {
                        DocumentResult r = open.finish();
                        open = null;
                        docs++;
                        tokens += r.tokens();
                        chunks += r.chunks().size();
                        sink.accept(r);
                    }
                }
                progress.accept(new Progress(docs, tokens, chunks));
            }
            if (w.failure() instanceof RuntimeException e) {
                throw e;
            }
            if (w.failure() instanceof Error e) {
                throw e; // an OutOfMemoryError on the reader thread: the caller hears of it instead of waiting
            }
            if (w.failure() != null) {
                throw new IllegalStateException(w.failure());
            }
            if (w.last()) {
                return new Progress(docs, tokens, chunks);
            }
        }
    }

    /**
     * Reads documents and tokenizes them into windows of at most {@code windowDocuments} documents and
     * {@code windowTokens} tokens; a long document's windows may span several.
     */
    private final class WindowReader {
        private final Iterator<String> documents;
        private long index;
        private TokenWindows current;
        private int next;

        WindowReader(Iterator<String> documents) {
            this.documents = documents;
        }

        Window next() {
            List<Piece> pieces = new ArrayList<>();
            int docsInWindow = 0;
            int tokens = 0;
            try {
                while (docsInWindow < windowDocuments && tokens < windowTokens) {
                    if (current == null) {
                        if (!documents.hasNext()) {
                            return new Window(pieces, null, true);
                        }
                        String text = documents.next();
                        if (!windowed()) {
                            Encoding e = tokenizer.encode(text);
                            if (e.truncated() && policy == LongTextPolicy.REFUSE) {
                                throw new TextTooLongException((int) index, tokenizer.toBuilder().maxLength(0).build()
                                        .encode(text).length(), embedder.maxLength());
                            }
                            pieces.add(new Piece(index++, List.of(e), true));
                            tokens += e.length();
                            docsInWindow++;
                            continue;
                        }
                        current = tokenizer.windows(text, embedder.maxLength(), stride);
                        next = 0;
                        docsInWindow++;
                    }
                    List<Encoding> windows = new ArrayList<>();
                    while (next < current.count() && (windows.isEmpty() || tokens < windowTokens)) {
                        Encoding e = current.get(next++);
                        windows.add(e);
                        tokens += e.length();
                    }
                    boolean done = next == current.count();
                    pieces.add(new Piece(index, windows, done));
                    if (done) {
                        index++;
                        current = null;
                    }
                }
            } catch (RuntimeException | Error e) {
                return new Window(pieces, e, true);
            }
            return new Window(pieces, null, false);
        }
    }

    /**
     * One document's windows as they come: the token-weighted sum for the combined vector, and the windows'
     * spans (with their vectors only under CHUNKS, so a huge document costs little memory).
     */
    private final class Accumulator {
        private final long index;
        private final TokenWeightedMean mean = new TokenWeightedMean(embedder.dimension());
        private final List<DocumentResult.Chunk> chunks = new ArrayList<>();
        private boolean truncated;

        Accumulator(long index) {
            this.index = index;
        }

        void add(Encoding e, Embedding v) {
            truncated |= v.truncated();
            mean.add(v.vector(), v.tokens());
            chunks.add(new DocumentResult.Chunk(spanStart(e), spanEnd(e), v.tokens(),
                    policy == LongTextPolicy.CHUNK && !chunks.isEmpty() ? null : v.vector()));
        }

        DocumentResult finish() {
            float[] vector = mean.result(embedder.normalizes());
            if (chunks.size() > 1 && policy == LongTextPolicy.CHUNK) {
                DocumentResult.Chunk first = chunks.get(0);
                chunks.set(0, new DocumentResult.Chunk(first.start(), first.end(), first.tokens(), null));
            }
            return new DocumentResult(index, vector, (int) mean.tokens(), truncated, chunks);
        }
    }

    private static int spanStart(Encoding e) {
        for (int i = 0; i < e.length(); i++) {
            if (e.specialTokensMask()[i] == 0) {
                return e.offsets()[i][0];
            }
        }
        return 0;
    }

    private static int spanEnd(Encoding e) {
        for (int i = e.length() - 1; i >= 0; i--) {
            if (e.specialTokensMask()[i] == 0) {
                return e.offsets()[i][1];
            }
        }
        return 0;
    }
}
