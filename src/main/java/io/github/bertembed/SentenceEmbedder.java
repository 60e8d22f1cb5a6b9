package io.github.bertembed;

import io.github.bertembed.embedding.InputEmbeddings;
import io.github.bertembed.onnx.EmbeddingLayerGraph;
import io.github.bertembed.onnx.EncoderGraph;
import io.github.bertembed.onnx.OnnxEncoder;
import io.github.bertembed.onnx.OnnxModelFile;
import io.github.bertembed.onnx.SessionOptions;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.BertNormalizer;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
import io.github.bertembed.tokenizer.TruncationStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * Text to sentence vectors: our WordPiece tokenizer, our input embedding layer, the model's transformer layers
 * in onnxruntime, then pooling and L2 normalization.
 *
 * <pre>{@code
 * try (SentenceEmbedder embedder = SentenceEmbedder.builder().model("all-minilm-l6-v2").build()) {
 *     float[] v = embedder.embed("The cat sits on the mat.");          // 384 floats, unit length
 *     List<float[]> all = embedder.embedAll(List.of("one", "two"));   // batched, same vectors
 * }
 * }</pre>
 *
 * <p>A text's vector never depends on the other texts of its batch: fp32 models run in length-sorted batches
 * (padding is masked out), and dynamically quantized int8 models, whose activation scale is computed per run,
 * run one text per run, in parallel across the cores. Texts longer than the maximum length are truncated and
 * {@link Embedding#truncated()} says so.
 *
 * <p>Thread-safe and {@link AutoCloseable}: close it once, when no longer needed; calls after (or during) close
 * fail with {@link IllegalStateException}.
 */
public final class SentenceEmbedder implements AutoCloseable {
    private final ModelLocation location;
    private final ModelSettings settings;
    private final BertTokenizer tokenizer;
    private final InputEmbeddings inputEmbeddings;
    private final OnnxEncoder encoder;
    /** For dynamically quantized models: a one-thread session for the runs that go side by side. */
    private final OnnxEncoder parallelEncoder;
    private final Pooling pooling;
    private final boolean normalize;
    private final int batchSize;
    private final int maxBatchTokens;
    private final boolean perTextRuns;
    private final int parallelism;
    private final ExecutorService workers;
    private final int layers;
    private final LongAdder tokenizeNanos = new LongAdder();
    private final LongAdder inputEmbeddingsNanos = new LongAdder();
    private final LongAdder encoderNanos = new LongAdder();
    private final LongAdder poolingNanos = new LongAdder();
    private final LongAdder encoderRuns = new LongAdder();
    private final LongAdder paddedTokens = new LongAdder();
    private final LongAdder paddedTokenSeq = new LongAdder();

    /**
     * Where time went since the last {@link #resetStageTimes()}, summed over threads: tokenization, the input
     * embedding layer, the encoder, pooling; and the encoder's work: runs, padded tokens, and Σ batch × seq²
     * (for attention FLOPs).
     */
    public record StageTimes(long tokenizeNanos, long inputEmbeddingsNanos, long encoderNanos, long poolingNanos,
                             long encoderRuns, long paddedTokens, long paddedTokenSeq) {
        /** The Java-side share: tokenize + input embeddings + pooling over all four stages. */
        public double javaShare() {
            double java = tokenizeNanos + inputEmbeddingsNanos + poolingNanos;
            return java / (java + encoderNanos);
        }
    }

    public StageTimes stageTimes() {
        return new StageTimes(tokenizeNanos.sum(), inputEmbeddingsNanos.sum(), encoderNanos.sum(), poolingNanos.sum(),
                encoderRuns.sum(), paddedTokens.sum(), paddedTokenSeq.sum());
    }

    public void resetStageTimes() {
        for (LongAdder a : List.of(tokenizeNanos, inputEmbeddingsNanos, encoderNanos, poolingNanos, encoderRuns,
                paddedTokens, paddedTokenSeq)) {
            a.reset();
        }
    }

    private SentenceEmbedder(Builder b, ModelLocation location, ModelSettings settings, BertTokenizer tokenizer,
                             InputEmbeddings inputEmbeddings, OnnxEncoder encoder, OnnxEncoder parallelEncoder,
                             boolean perTextRuns, int parallelism, int layers) {
        this.location = location;
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.inputEmbeddings = inputEmbeddings;
        this.encoder = encoder;
        this.parallelEncoder = parallelEncoder;
        this.pooling = settings.pooling();
        this.normalize = settings.normalize();
        this.batchSize = b.batchSize;
        this.maxBatchTokens = b.maxBatchTokens;
        this.perTextRuns = perTextRuns;
        this.parallelism = parallelism;
        this.layers = layers;
        this.workers = parallelism > 1 ? Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "bert-embed-worker");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The sentence vector of one text. */
    public float[] embed(String text) {
        return embedDetailed(List.of(text), null).get(0).vector();
    }

    /** The sentence vector of a pair of texts ({@code [CLS] A [SEP] B [SEP]}, segment ids 0 and 1). */
    public float[] embed(String text, String pair) {
        return embedDetailed(List.of(text), Arrays.asList(pair)).get(0).vector();
    }

    /** Sentence vectors of many texts, in order. */
    public List<float[]> embedAll(List<String> texts) {
        List<Embedding> detailed = embedDetailed(texts, null);
        List<float[]> out = new ArrayList<>(detailed.size());
        for (Embedding e : detailed) {
            out.add(e.vector());
        }
        return out;
    }

    /** Sentence vectors with token counts and truncation flags, in order. */
    public List<Embedding> embedDetailed(List<String> texts) {
        return embedDetailed(texts, null);
    }

    /**
     * Sentence vectors of texts (and optional pair texts, null entries for none), in order.
     */
    public List<Embedding> embedDetailed(List<String> texts, List<String> pairs) {
        if (encoder.isClosed()) {
            throw new IllegalStateException("the embedder is closed");
        }
        long t0 = System.nanoTime();
        List<Encoding> encodings = pairs == null ? tokenizer.encodeBatch(texts) : tokenizer.encodePairBatch(texts, pairs);
        tokenizeNanos.add(System.nanoTime() - t0);
        return embedEncodings(encodings);
    }

    /**
     * Sentence vectors of already tokenized texts (from {@link #tokenizer()}, or windows of
     * {@link BertTokenizer#encodeWindows}), in order.
     *
     * @throws IllegalArgumentException for an encoding longer than the model's position table
     */
    public List<Embedding> embedEncodings(List<Encoding> encodings) {
        if (encoder.isClosed()) {
            throw new IllegalStateException("the embedder is closed");
        }
        Embedding[] out = new Embedding[encodings.size()];
        if (perTextRuns) {
            runOneByOne(encodings, out);
        } else {
            runInBatches(encodings, out);
        }
        return Arrays.asList(out);
    }

    private void runInBatches(List<Encoding> encodings, Embedding[] out) {
        Integer[] order = new Integer[encodings.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Length-sorted batches keep padding small; results go back to their input positions.
        Arrays.sort(order, (x, y) -> Integer.compare(encodings.get(x).length(), encodings.get(y).length()));
        int end;
        for (int start = 0; start < order.length; start = end) {
            // Up to batchSize texts, and no more padded tokens than the budget (lengths grow along `order`).
            end = start + 1;
            while (end < order.length && end - start < batchSize
                    && (long) (end - start + 1) * encodings.get(order[end]).length() <= maxBatchTokens) {
                end++;
            }
            List<Encoding> batch = new ArrayList<>(end - start);
            for (int k = start; k < end; k++) {
                batch.add(encodings.get(order[k]));
            }
            Embedding[] pooled = run(batch, encoder);
            for (int k = start; k < end; k++) {
                out[order[k]] = pooled[k - start];
            }
        }
    }

    private void runOneByOne(List<Encoding> encodings, Embedding[] out) {
        if (workers == null || encodings.size() == 1) {
            for (int i = 0; i < encodings.size(); i++) {
                out[i] = run(List.of(encodings.get(i)), encoder)[0];
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        int n = encodings.size();
        int chunk = (n + parallelism - 1) / parallelism;
        for (int w = 0; w < parallelism; w++) {
            int from = w * chunk;
            int to = Math.min(n, from + chunk);
            if (from >= to) {
                break;
            }
            futures.add(workers.submit(() -> {
                for (int i = from; i < to; i++) {
                    out[i] = run(List.of(encodings.get(i)), parallelEncoder)[0];
                }
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while embedding", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(c);
            }
        }
    }

    /** One encoder run over a batch. */
    private Embedding[] run(List<Encoding> batch, OnnxEncoder session) {
        int seq = 0;
        for (Encoding e : batch) {
            seq = Math.max(seq, e.realLength());
        }
        int hidden = inputEmbeddings.hidden();
        long t0 = System.nanoTime();
        float[] x = inputEmbeddings.compute(batch, seq);
        long[] mask = new long[batch.size() * seq];
        for (int b = 0; b < batch.size(); b++) {
            int[] m = batch.get(b).attentionMask();
            for (int t = 0; t < Math.min(seq, m.length); t++) {
                mask[b * seq + t] = m[t];
            }
        }
        long t1 = System.nanoTime();
        float[] states = session.run(x, mask, batch.size(), seq, hidden);
        long t2 = System.nanoTime();
        Embedding[] out = new Embedding[batch.size()];
        for (int b = 0; b < batch.size(); b++) {
            float[] v = new float[hidden];
            Encoding e = batch.get(b);
            pooling.pool(states, b, seq, hidden, e.attentionMask(), v);
            if (normalize) {
                VectorMath.normalize(v);
            }
            out[b] = new Embedding(v, e.realLength(), e.truncated());
        }
        long t3 = System.nanoTime();
        inputEmbeddingsNanos.add(t1 - t0);
        encoderNanos.add(t2 - t1);
        poolingNanos.add(t3 - t2);
        encoderRuns.increment();
        paddedTokens.add((long) batch.size() * seq);
        paddedTokenSeq.add((long) batch.size() * seq * seq);
        return out;
    }

    /** The vector size. */
    public int dimension() {
        return inputEmbeddings.hidden();
    }

    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    public InputEmbeddings inputEmbeddings() {
        return inputEmbeddings;
    }

    public Pooling pooling() {
        return pooling;
    }

    public boolean normalizes() {
        return normalize;
    }

    /** The model folder. */
    public Path folder() {
        return location.folder();
    }

    /** Where the model was found, and which known model it is. */
    public ModelLocation location() {
        return location;
    }

    /** Pooling, normalization and maximum length, each with where it came from. */
    public ModelSettings settings() {
        return settings;
    }

    /** Number of transformer layers in the encoder graph. */
    public int layers() {
        return layers;
    }

    /** Maximum tokens per text, special tokens included. */
    public int maxLength() {
        return tokenizer.maxLength();
    }

    /** onnxruntime tensors and results created and not yet freed: zero whenever no call is in flight. */
    public int openNativeObjects() {
        return encoder.openNativeObjects() + (parallelEncoder == null ? 0 : parallelEncoder.openNativeObjects());
    }

    /** Whether each text runs on its own (dynamically quantized models). */
    public boolean runsTextsOneByOne() {
        return perTextRuns;
    }

    public int batchSize() {
        return batchSize;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
        encoder.close();
        if (parallelEncoder != null) {
            parallelEncoder.close();
        }
    }

    // -------------------------------------------------------------------------------------------------------------

    /** Options for a {@link SentenceEmbedder}; only the model is required. */
    public static final class Builder {
        private String model = Models.DEFAULT;
        private Path modelsDir;
        private Pooling pooling;
        private Boolean normalize;
        private Integer maxLength;
        private TruncationStrategy truncation = TruncationStrategy.LONGEST_FIRST;
        private int batchSize = 32;
        private int maxBatchTokens = 1024;
        private SessionOptions session = SessionOptions.defaults();
        private List<Path> cacheDirs;
        private int threads;
        private BertNormalizer vocabNormalizer = BertNormalizer.uncased();
        private boolean fuseAttention = true;
        private ClassLoader classLoader;
        private Path modelCache;

        private Builder() {
        }

        /**
         * Where to look for model jars (default: the thread's context class loader, else this library's). A model
         * artifact on the classpath holds {@code <name>.onnx} and {@code <name>-tokenizer.json} at its root.
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = loader;
            return this;
        }

        /**
         * A folder to try first for the verified copies of models found in jars (default: {@code $BERT_EMBED_CACHE},
         * {@code -Dbertembed.cache}, {@code ~/.cache/bert-embed}, then the temporary folder).
         */
        public Builder modelCache(Path root) {
            this.modelCache = root;
            return this;
        }

        /**
         * Run each fp32 self-attention block as onnxruntime's fused Attention operator (Q, K, V in one matrix) and
         * fold the residual biases into its SkipLayerNormalization (default true): far fewer small operators, which
         * is what short inputs pay for. Vectors stay within 1e-5 of the model's own graph (measured: 1.5e-7);
         * {@code false} runs the model's own operators in their own order. Quantized graphs are left as they are.
         */
        public Builder fuseAttention(boolean fuse) {
            this.fuseAttention = fuse;
            return this;
        }

        /** Normalization when the folder has a vocab.txt instead of a tokenizer.json (default: uncased BERT). */
        public Builder vocabNormalizer(BertNormalizer normalizer) {
            this.vocabNormalizer = normalizer;
            return this;
        }

        /**
         * A model name ({@link Models#KNOWN}: from a models folder or a model jar on the classpath), a folder with
         * model.onnx and tokenizer.json or vocab.txt, or a model jar's path.
         */
        public Builder model(String nameOrFolder) {
            this.model = nameOrFolder;
            return this;
        }

        /** A folder to search first for model names. */
        public Builder modelsDir(Path dir) {
            this.modelsDir = dir;
            return this;
        }

        /**
         * Pooling (default: the folder's sentence-transformers config, else the known model's, else mean; see
         * {@link SentenceEmbedder#settings()}).
         */
        public Builder pooling(Pooling pooling) {
            this.pooling = pooling;
            return this;
        }

        /** L2-normalize vectors (default: the folder's sentence-transformers modules, else the known model's, else true). */
        public Builder normalize(boolean normalize) {
            this.normalize = normalize;
            return this;
        }

        /**
         * Maximum tokens per text, special tokens included (default: sentence-transformers' max_seq_length where
         * the folder has one, else the known model's, else the model's position table size). Longer texts are
         * truncated, and reported so.
         */
        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** How pairs are truncated (default longest_first). */
        public Builder truncation(TruncationStrategy truncation) {
            this.truncation = truncation;
            return this;
        }

        /** Texts per encoder run for fp32 models (default 32). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Most padded tokens (texts × longest) in one encoder run (default 1024). Runs of about a thousand tokens
         * keep onnxruntime's activations small and padding low: on the 2-core benchmark machine they embed
         * 6-8% more documents per second than batches of 32 bounded at 16384 tokens. A longer text runs alone.
         */
        public Builder maxBatchTokens(int tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("max batch tokens must be >= 1, got " + tokens);
            }
            this.maxBatchTokens = tokens;
            return this;
        }

        /** onnxruntime session options (intra-op threads, optimization level, execution provider). */
        public Builder sessionOptions(SessionOptions options) {
            this.session = options;
            return this;
        }

        /**
         * Threads to use in all (default: the cores). fp32 models give them to onnxruntime inside each run;
         * dynamically quantized models run that many single-text runs side by side, one onnxruntime thread each,
         * so the two never multiply.
         */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Folders for the cached encoder graph (default: beside the model, then ~/.cache/bert-embed). */
        public Builder cacheDirs(List<Path> dirs) {
            this.cacheDirs = List.copyOf(dirs);
            return this;
        }

        public SentenceEmbedder build() {
            ModelLocation location = Models.locate(model, modelsDir, classLoader, modelCache);
            try {
                return build(location);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                if (!location.copied()) {
                    throw e; // the messages name the folder's files already
                }
                throw new IllegalArgumentException("model '" + location.name() + "' from " + location.origin() + ": "
                        + e.getMessage(), e);
            }
        }

        private SentenceEmbedder build(ModelLocation location) {
            Path folder = location.folder();
            Path modelFile = folder.resolve("model.onnx");
            if (!Files.isRegularFile(modelFile)) {
                throw new IllegalArgumentException("model folder " + folder + " has no model.onnx"
                        + (Models.isEmpty(folder) ? " (the folder is empty)" : ""));
            }
            Path tokenizerFile = Models.tokenizerFile(folder);
            OnnxModelFile onnx;
            try {
                onnx = OnnxModelFile.read(modelFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
            InputEmbeddings inputs = new InputEmbeddings(layer);
            ModelSettings settings = ModelSettings.decide(pooling, normalize, maxLength,
                    SentenceTransformersConfig.read(folder), location.known(), inputs.maxPositions());
            BertTokenizer tokenizer = BertTokenizer.builder(tokenizerFile).vocabNormalizer(vocabNormalizer)
                    .maxLength(settings.maxLength()).truncation(truncation).build();
            if (tokenizer.vocabularySize() > inputs.vocabularySize()) {
                throw new IllegalArgumentException("the tokenizer (" + tokenizerFile + ") does not match the model: its "
                        + tokenizer.vocabularySize() + " ids exceed the model's token table of "
                        + inputs.vocabularySize() + " rows");
            }

            int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            boolean perText = onnx.isDynamicallyQuantized();
            SessionOptions options = session.intraOpThreads() == 0 ? session.withIntraOpThreads(cores) : session;
            // Dynamically quantized: many texts go one per run, one onnxruntime thread each, `cores` runs side by
            // side; a lone text gets the all-threads session.
            int parallelism = perText ? cores : 1;
            int layers = onnx.attentionLayers();
            // Fusion rewrites fp32 attention only; a quantized graph would be cached twice under two names.
            boolean fuse = fuseAttention && !perText;
            OnnxEncoder encoder;
            OnnxEncoder parallelEncoder = null;
            try {
                Path cut = EncoderGraph.cached(onnx, layer,
                        cacheDirs != null ? cacheDirs : EncoderGraph.defaultCacheDirs(folder), fuse);
                byte[] bytes = cut == null ? EncoderGraph.cut(onnx, layer, fuse) : null;
                encoder = cut != null ? OnnxEncoder.open(cut, options) : OnnxEncoder.open(bytes, options);
                if (perText && parallelism > 1) {
                    SessionOptions one = session.withIntraOpThreads(1);
                    parallelEncoder = cut != null ? OnnxEncoder.open(cut, one) : OnnxEncoder.open(bytes, one);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare the encoder graph: " + e.getMessage(), e);
            }
            return new SentenceEmbedder(this, location, settings, tokenizer, inputs, encoder, parallelEncoder, perText,
                    parallelism, layers);
        }
    }
}
