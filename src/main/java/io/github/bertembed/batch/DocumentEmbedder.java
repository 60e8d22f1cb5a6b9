package io.github.bertembed.batch;

import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * Embeds a stream of documents of any size in constant memory, results in input order.
 *
 * <p>Documents are read and tokenized in windows of a few hundred on one thread, while the previous window runs
 * through the encoder on the others; within a window, encodings are grouped by length into batches bounded by a
 * count and a token budget, so padding stays small. Long documents follow the caller's {@link LongTextPolicy}.
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

    /** Progress after each window: documents and tokens so far. */
    public record Progress(long documents, long tokens, long chunks) {
    }

    /**
     * @param stride tokens shared by consecutive windows of a long document (CHUNK and CHUNKS)
     */
    public DocumentEmbedder(SentenceEmbedder embedder, LongTextPolicy policy, int stride) {
        this(embedder, policy, stride, 4096, 1 << 18);
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
        if (policy != LongTextPolicy.TRUNCATE && (stride < 0 || stride >= width)) {
            throw new IllegalArgumentException("stride must be in [0, " + width + ") for max length "
                    + embedder.maxLength() + ", got " + stride);
        }
    }

    /** A default stride: an eighth of the window. */
    public static int defaultStride(SentenceEmbedder embedder) {
        return (embedder.maxLength() - embedder.tokenizer().specialTokenCount(false)) / 8;
    }

    /** A window of tokenized documents on its way from the reader to the encoder. */
    private record Window(long firstIndex, List<List<Encoding>> documents, RuntimeException failure, boolean last) {
    }

    /**
     * Embeds every document of {@code documents}, handing each result to {@code sink} in input order.
     * Exceptions from the iterator (bad input) stop the run after the results before them were delivered.
     */
    public Progress embed(Iterator<String> documents, Consumer<DocumentResult> sink) {
        return embed(documents, sink, p -> { });
    }

    public Progress embed(Iterator<String> documents, Consumer<DocumentResult> sink, Consumer<Progress> progress) {
        BlockingQueue<Window> queue = new ArrayBlockingQueue<>(1);
        Thread reader = new Thread(() -> read(documents, queue), "bert-embed-reader");
        reader.setDaemon(true);
        reader.start();
        long docs = 0;
        long tokens = 0;
        long chunks = 0;
        try {
            while (true) {
                Window w = queue.take();
                if (!w.documents().isEmpty()) {
                    List<Encoding> all = new ArrayList<>();
                    for (List<Encoding> d : w.documents()) {
                        all.addAll(d);
                    }
                    List<Embedding> vectors = embedder.embedEncodings(all);
                    int k = 0;
                    for (int d = 0; d < w.documents().size(); d++) {
                        List<Encoding> windows = w.documents().get(d);
                        DocumentResult r = combine(w.firstIndex() + d, windows, vectors.subList(k, k + windows.size()));
                        k += windows.size();
                        docs++;
                        tokens += r.tokens();
                        chunks += windows.size();
                        sink.accept(r);
                    }
                    progress.accept(new Progress(docs, tokens, chunks));
                }
                if (w.failure() != null) {
                    throw w.failure();
                }
                if (w.last()) {
                    return new Progress(docs, tokens, chunks);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            reader.interrupt();
        }
    }

    private void read(Iterator<String> documents, BlockingQueue<Window> queue) {
        long index = 0;
        try {
            while (true) {
                List<List<Encoding>> window = new ArrayList<>();
                long first = index;
                int tokens = 0;
                RuntimeException failure = null;
                boolean last = false;
                try {
                    while (window.size() < windowDocuments && tokens < windowTokens) {
                        if (!documents.hasNext()) {
                            last = true;
                            break;
                        }
                        List<Encoding> encodings = tokenize(documents.next());
                        for (Encoding e : encodings) {
                            tokens += e.length();
                        }
                        window.add(encodings);
                        index++;
                    }
                } catch (RuntimeException e) {
                    failure = e;
                    last = true;
                }
                queue.put(new Window(first, window, failure, last));
                if (last) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The encodings a document becomes under the policy. */
    public List<Encoding> tokenize(String text) {
        if (policy == LongTextPolicy.TRUNCATE) {
            return List.of(tokenizer.encode(text));
        }
        return tokenizer.encodeWindows(text, embedder.maxLength(), stride);
    }

    private DocumentResult combine(long index, List<Encoding> windows, List<Embedding> vectors) {
        int dim = embedder.dimension();
        List<DocumentResult.Chunk> chunks = new ArrayList<>(windows.size());
        int tokens = 0;
        boolean truncated = false;
        for (int i = 0; i < windows.size(); i++) {
            Encoding e = windows.get(i);
            Embedding v = vectors.get(i);
            tokens += v.tokens();
            truncated |= v.truncated();
            chunks.add(new DocumentResult.Chunk(spanStart(e), spanEnd(e), v.tokens(), v.vector()));
        }
        float[] vector;
        if (windows.size() == 1) {
            vector = vectors.get(0).vector();
        } else {
            // Token-weighted mean of the window vectors, then unit length.
            double[] sum = new double[dim];
            for (int i = 0; i < windows.size(); i++) {
                float[] v = vectors.get(i).vector();
                int weight = vectors.get(i).tokens();
                for (int j = 0; j < dim; j++) {
                    sum[j] += (double) weight * v[j];
                }
            }
            vector = new float[dim];
            for (int j = 0; j < dim; j++) {
                vector[j] = (float) (sum[j] / tokens);
            }
            if (embedder.normalizes()) {
                VectorMath.normalize(vector);
            }
        }
        return new DocumentResult(index, vector, tokens, truncated, chunks);
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

    public LongTextPolicy policy() {
        return policy;
    }
}
