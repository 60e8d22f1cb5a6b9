package io.github.bertembed;

import io.github.bertembed.embedding.InputEmbeddings;
import io.github.bertembed.model.CacheRoot;
import io.github.bertembed.model.ModelFolder;
import io.github.bertembed.model.ModelLocation;
import io.github.bertembed.model.ModelSettings;
import io.github.bertembed.model.Models;
import io.github.bertembed.embedding.StaticWordVectors;
import io.github.bertembed.embedding.TokenLookup;
import io.github.bertembed.onnx.EmbeddingLayerGraph;
import io.github.bertembed.onnx.EncoderGraphCache;
import io.github.bertembed.onnx.EncoderRewrite;
import io.github.bertembed.onnx.EncoderSessions;
import io.github.bertembed.onnx.OnnxModelFile;
import io.github.bertembed.onnx.SessionOptions;
import io.github.bertembed.model.DenseModule;
import io.github.bertembed.model.SentenceTransformersConfig;
import io.github.bertembed.pooling.DenseLayer;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.pooling.SentenceHead;
import io.github.bertembed.pooling.TokenWeightedMean;
import io.github.bertembed.tokenizer.BertNormalizer;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
import io.github.bertembed.tokenizer.TokenWindows;
import io.github.bertembed.tokenizer.TruncationStrategy;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntConsumer;

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
 * run one text per run, in parallel across the cores. Texts longer than the maximum length follow the builder's
 * {@link LongTextPolicy} (default: truncated, and {@link Embedding#truncated()} says so).
 *
 * <p>Thread-safe and {@link AutoCloseable}: close it once, when no longer needed; calls after (or during) close
 * fail with {@link IllegalStateException}.
 */
public final class SentenceEmbedder implements AutoCloseable {
    private final ModelLocation location;
    private final ModelSettings settings;
    private final BertTokenizer tokenizer;
    private final InputEmbeddings inputEmbeddings;
    private final Pooling pooling;
    private final boolean normalize;
    private final EncoderRuns runs;
    private final int layers;
    private final Map<String, String> prompts;
    private final StageListener listener;
    private final LongTextPolicy longText;
    private final SentenceHead head;
    private final String modelSha256;

    private SentenceEmbedder(ModelLocation location, ModelSettings settings, BertTokenizer tokenizer,
                             InputEmbeddings inputEmbeddings, EncoderRuns runs, int layers, Map<String, String> prompts,
                             StageListener listener, LongTextPolicy longText, SentenceHead head, String modelSha256) {
        this.location = location;
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.inputEmbeddings = inputEmbeddings;
        this.pooling = settings.pooling();
        this.normalize = settings.normalize();
        this.runs = runs;
        this.layers = layers;
        this.prompts = prompts;
        this.listener = listener;
        this.longText = longText;
        this.head = head;
        this.modelSha256 = modelSha256;
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
     * Sentence vectors of texts (and optional pair texts, null entries for none), in order. A text longer than the
     * maximum length follows the {@link Builder#longText long-text policy}: truncated (the default, and
     * {@link Embedding#truncated()} says so), refused ({@link TextTooLongException}, nothing embedded), or embedded
     * whole as token-weighted windows ({@link LongTextPolicy#CHUNK}; pairs are truncated then, as windows of a pair
     * have no meaning).
     */
    public List<Embedding> embedDetailed(List<String> texts, List<String> pairs) {
        checkOpen();
        if (longText == LongTextPolicy.CHUNK && pairs == null) {
            return embedWhole(texts);
        }
        long t0 = System.nanoTime();
        List<Encoding> encodings = pairs == null ? tokenizer.encodeBatch(texts) : tokenizer.encodePairBatch(texts, pairs);
        listener.tokenized(texts.size(), System.nanoTime() - t0);
        if (longText == LongTextPolicy.REFUSE) {
            for (int i = 0; i < encodings.size(); i++) {
                if (encodings.get(i).truncated()) {
                    BertTokenizer whole = tokenizer.toBuilder().maxLength(0).build();
                    int tokens = whole.encodePairBatch(List.of(texts.get(i)),
                            Arrays.asList(pairs == null ? null : pairs.get(i))).get(0).realLength();
                    throw new TextTooLongException(i, tokens, maxLength());
                }
            }
        }
        return embedEncodings(encodings);
    }

    /** Every text as windows of the maximum length sharing {@link #chunkStride()} tokens, combined per text. */
    private List<Embedding> embedWhole(List<String> texts) {
        long t0 = System.nanoTime();
        List<TokenWindows> windows = new ArrayList<>(texts.size());
        List<Encoding> all = new ArrayList<>(texts.size());
        for (String text : texts) {
            TokenWindows w = tokenizer.windows(text, maxLength(), chunkStride());
            windows.add(w);
            for (int i = 0; i < w.count(); i++) {
                all.add(w.get(i));
            }
        }
        listener.tokenized(texts.size(), System.nanoTime() - t0);
        List<Embedding> vectors = embedEncodings(all);
        List<Embedding> out = new ArrayList<>(texts.size());
        int k = 0;
        for (TokenWindows w : windows) {
            TokenWeightedMean mean = new TokenWeightedMean(dimension());
            for (int i = 0; i < w.count(); i++) {
                Embedding e = vectors.get(k++);
                mean.add(e.vector(), e.tokens());
            }
            out.add(new Embedding(mean.result(normalize), (int) mean.tokens(), false));
        }
        return out;
    }

    /**
     * Sentence vectors of already tokenized texts (from {@link #tokenizer()}, or windows of
     * {@link BertTokenizer#encodeWindows}), in order.
     *
     * @throws IllegalArgumentException for an encoding longer than the model's position table
     */
    public List<Embedding> embedEncodings(List<Encoding> encodings) {
        return embedEncodings(encodings, done -> { });
    }

    /**
     * As {@link #embedEncodings(List)}, telling {@code progress} how many encodings are done after each encoder
     * run (a progress display over a long list moves several times a second).
     */
    public List<Embedding> embedEncodings(List<Encoding> encodings, IntConsumer progress) {
        checkOpen();
        return runs.embed(encodings, progress);
    }

    /**
     * The encoder's contextual vectors of every token of one tokenized text (special tokens included, before
     * pooling): {@code realLength()} rows of the encoder's hidden size. What TEI's {@code /embed_all} returns.
     *
     * <pre>{@code
     * float[][] tokens = embedder.tokenVectors(embedder.tokenizer().encode("a fox"));  // [CLS] a fox [SEP]
     * }</pre>
     */
    public float[][] tokenVectors(Encoding encoding) {
        checkOpen();
        return runs.tokenVectors(encoding);
    }

    private void checkOpen() {
        if (runs.isClosed()) {
            throw new IllegalStateException("the embedder is closed");
        }
    }

    /** The vector size. */
    public int dimension() {
        return head.dimension(inputEmbeddings.hidden());
    }

    /**
     * Which graph runs and why: the encoder cut after the embedding layer (our input embeddings, fused and packed
     * where the model allows), or the model's whole graph where it cannot be cut (then our tokenizer and pooling
     * around it, the same vectors). {@code info} prints it.
     */
    public String encoderPath() {
        return runs.encoderPath();
    }

    /**
     * What follows the encoder: the pooling modes (several are concatenated), the Dense layers and normalization, as
     * the model's sentence-transformers modules say (or the builder chose).
     */
    public SentenceHead head() {
        return head;
    }

    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    public InputEmbeddings inputEmbeddings() {
        return inputEmbeddings;
    }

    /** Words to token ids (no special tokens, no truncation) and ids to tokens, for {@link StaticWordVectors}. */
    public TokenLookup tokenLookup() {
        BertTokenizer plain = tokenizer.toBuilder().addSpecialTokens(false).maxLength(0).build();
        return new TokenLookup() {
            @Override
            public int[] ids(String word) {
                return plain.encode(word).ids();
            }

            @Override
            public String token(int id) {
                return plain.idToToken(id);
            }
        };
    }

    public Pooling pooling() {
        return pooling;
    }

    public boolean normalizes() {
        return normalize;
    }

    /**
     * The SHA-256 of the model's ONNX graph and weights (external data included): what a search index records, so
     * that queries are embedded by the very model its vectors came from.
     */
    public String modelSha256() {
        return modelSha256;
    }

    /** The model folder. */
    public Path folder() {
        return location.folder();
    }

    /** Where the model was found, and which known model it is. */
    public ModelLocation location() {
        return location;
    }

    /**
     * The named prompts of the model's sentence-transformers configuration ({@code config_sentence_transformers.json}
     * {@code "prompts"}): the text a caller puts before an input of that kind. A known model whose folder has none
     * (the langchain4j jars) has the prompts it was trained with (e5: "query: ", "passage: "; bge: its query
     * instruction); otherwise empty when the folder has none.
     *
     * <pre>{@code
     * float[] q = embedder.embed(embedder.prompts().getOrDefault("query", "") + "how do foxes sleep");
     * }</pre>
     */
    public Map<String, String> prompts() {
        return prompts;
    }

    /** Pooling, normalization and maximum length, each with where it came from. */
    public ModelSettings settings() {
        return settings;
    }

    /** What a text longer than {@link #maxLength()} gets (default {@link LongTextPolicy#DEFAULT}). */
    public LongTextPolicy longText() {
        return longText;
    }

    /** Tokens shared by consecutive windows of a long text under CHUNK and CHUNKS: an eighth of a window. */
    public int chunkStride() {
        return (maxLength() - tokenizer.specialTokenCount(false)) / 8;
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
    int openNativeObjects() {
        return runs.openNativeObjects();
    }

    /**
     * Whether the model is dynamically quantized (int8): its activation scale is computed per encoder run, so each
     * text runs on its own, texts side by side across the threads.
     */
    public boolean quantized() {
        return runs.perTextRuns();
    }

    /** Most texts in one encoder run. */
    public int batchSize() {
        return runs.batchSize();
    }

    /**
     * Whether the encoder runs the position-wise layers on the real tokens only ({@link EncoderRewrite#FUSED_PACKED}).
     */
    public boolean packsTokens() {
        return runs.packsTokens();
    }

    @Override
    public void close() {
        runs.close();
    }

    // -------------------------------------------------------------------------------------------------------------

    /** Options for a {@link SentenceEmbedder}; only the model is required. */
    public static final class Builder {
        private String model = Models.DEFAULT;
        private boolean modelChosen;
        private Path modelsDir;
        private Pooling pooling;
        private Boolean normalize;
        private Integer maxLength;
        private TruncationStrategy truncation = TruncationStrategy.LONGEST_FIRST;
        private LongTextPolicy longText = LongTextPolicy.DEFAULT;
        private String onnxFile;
        private io.github.bertembed.model.DownloadProgress downloadProgress = io.github.bertembed.model.DownloadProgress.NONE;
        private int batchSize = 32;
        private int maxRunTokens = 1024;
        private SessionOptions session = SessionOptions.defaults();
        private int threads;
        private BertNormalizer vocabNormalizer = BertNormalizer.uncased();
        private EncoderRewrite rewrite = EncoderRewrite.FUSED_PACKED;
        private ClassLoader classLoader;
        private Path cache;
        private StageListener listener = StageListener.NONE;

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
         * The cache root to try first, for the verified copies of models found in jars and the cut encoder graphs
         * (default: see {@link CacheRoot}: {@code $BERT_EMBED_CACHE}, {@code -Dbertembed.cache},
         * {@code ~/.cache/bert-embed}, then the temporary folder).
         */
        public Builder cache(Path root) {
            this.cache = root;
            return this;
        }

        /**
         * How the encoder graph is rewritten for onnxruntime (default {@link EncoderRewrite#FUSED_PACKED}). Fusion
         * runs each fp32 self-attention block as onnxruntime's fused Attention operator: far fewer small operators,
         * which is what short inputs pay for; packing runs the position-wise layers on the real tokens only, so a
         * run of texts of mixed lengths costs little more than its tokens. Vectors stay within 1e-5 of the model's
         * own graph, and a text's vector is the same bits whatever it runs with. Quantized graphs, and packing on
         * execution providers other than the CPU, stay as they are.
         *
         * <pre>{@code
         * SentenceEmbedder asExported = SentenceEmbedder.builder().encoderGraph(EncoderRewrite.PLAIN).build();
         * }</pre>
         */
        public Builder encoderGraph(EncoderRewrite rewrite) {
            this.rewrite = rewrite;
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
            this.modelChosen = nameOrFolder != null;
            return this;
        }

        /**
         * The model to use when {@link #model} was not called (e.g. the model a search index was built with).
         *
         * <pre>{@code
         * SentenceEmbedder e = builder.defaultModel(manifest.model()).build();
         * }</pre>
         */
        public Builder defaultModel(String nameOrFolder) {
            if (!modelChosen) {
                this.model = nameOrFolder;
            }
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

        /**
         * What {@code embed}, {@code embedAll} and {@code embedDetailed} do with a text longer than the maximum
         * length (default {@link LongTextPolicy#DEFAULT}, truncate). {@link LongTextPolicy#CHUNKS} gives several
         * vectors a text, which these methods cannot return: use {@code batch.DocumentEmbedder} for it.
         *
         * <pre>{@code
         * SentenceEmbedder strict = SentenceEmbedder.builder().longText(LongTextPolicy.REFUSE).build();
         * }</pre>
         */
        public Builder longText(LongTextPolicy policy) {
            if (policy == LongTextPolicy.CHUNKS) {
                throw new IllegalArgumentException("long-text policy chunks gives a vector per window, which embed"
                        + " cannot return: use truncate, refuse or chunk here, and DocumentEmbedder for chunks");
            }
            this.longText = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Told how a model download advances (a Hugging Face id's files, a known model's jar from Maven Central);
         * default: nobody. The CLI draws a progress bar with it.
         */
        public Builder downloadProgress(io.github.bertembed.model.DownloadProgress progress) {
            this.downloadProgress = progress == null ? io.github.bertembed.model.DownloadProgress.NONE : progress;
            return this;
        }

        /**
         * The folder's ONNX file to run, when not {@code model.onnx}: a variant a Hugging Face repo keeps in
         * {@code onnx/}, e.g. {@code model_quantized.onnx} (looked for in the folder, then in {@code onnx/}).
         */
        public Builder onnxFile(String fileName) {
            this.onnxFile = fileName;
            return this;
        }

        /** How pairs are truncated (default longest_first). */
        public Builder truncation(TruncationStrategy truncation) {
            this.truncation = truncation;
            return this;
        }

        /** Most texts in one encoder run (default 32). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Most padded tokens (texts × longest) in one encoder run (default 1024): runs of about a thousand tokens
         * keep onnxruntime's activations small (in cache) and padding low. A longer text runs alone. This bounds
         * each run of one {@code embedAll}; a server's batch of requests ({@code --max-batch-tokens}) is cut into
         * such runs.
         */
        public Builder maxRunTokens(int tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("max run tokens must be >= 1, got " + tokens);
            }
            this.maxRunTokens = tokens;
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

        /** Told what each stage takes (default: nobody). */
        public Builder stageListener(StageListener listener) {
            this.listener = listener;
            return this;
        }

        public SentenceEmbedder build() {
            ModelLocation location = Models.locate(model, modelsDir, classLoader, cache, onnxFile, downloadProgress);
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
            ModelFolder folder = ModelFolder.open(location, onnxFile);
            OnnxModelFile onnx = folder.readGraph();
            EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
            InputEmbeddings inputs = new InputEmbeddings(layer);
            ModelSettings settings = ModelSettings.decide(pooling, normalize, maxLength, folder.sentenceTransformers(),
                    location.known(), inputs.maxPositions());
            SentenceHead head = head(folder, settings);
            BertTokenizer tokenizer = BertTokenizer.builder(folder.tokenizerFile()).vocabNormalizer(vocabNormalizer)
                    .maxLength(settings.maxLength()).truncation(truncation).build();
            int special = tokenizer.specialTokenCount(false);
            if (settings.maxLength() <= special) {
                throw new IllegalArgumentException("max length " + settings.maxLength() + " leaves no room for text"
                        + " beside the " + special + " special tokens; give at least " + (special + 1));
            }
            if (tokenizer.vocabularySize() > inputs.vocabularySize()) {
                throw new IllegalArgumentException("the tokenizer (" + folder.tokenizerFile() + ") does not match the"
                        + " model: its " + tokenizer.vocabularySize() + " ids exceed the model's token table of "
                        + inputs.vocabularySize() + " rows");
            }
            int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
            // Dynamically quantized: many texts go one per run, one onnxruntime thread each, `cores` runs side by
            // side; a lone text gets the all-threads session. Fusion rewrites fp32 attention only, packing runs on
            // the CPU only.
            boolean perText = onnx.isDynamicallyQuantized();
            SessionOptions options = session.intraOpThreads() == 0 ? session.withIntraOpThreads(cores) : session;
            EncoderRewrite graph = perText ? EncoderRewrite.PLAIN
                    : rewrite == EncoderRewrite.FUSED_PACKED && !options.executionProvider().equalsIgnoreCase("cpu")
                    ? EncoderRewrite.FUSED : rewrite;
            EncoderSessions sessions = EncoderSessions.open(onnx, layer, graph,
                    new EncoderGraphCache(CacheRoot.folders(cache, CacheRoot.Kind.ENCODERS)), options,
                    perText && cores > 1 ? EncoderSessions.Parallelism.WITH_SINGLE_THREAD_SESSION
                            : EncoderSessions.Parallelism.ONE_SESSION);
            LengthBuckets buckets = new LengthBuckets(batchSize, maxRunTokens,
                    sessions.main().packsTokens() ? layer.hidden() : 0);
            EncoderRuns runs = new EncoderRuns(inputs, sessions, head, buckets,
                    perText, perText ? cores : 1, listener);
            return new SentenceEmbedder(location, settings, tokenizer, inputs, runs, onnx.attentionLayers(),
                    prompts(folder, location), listener, longText, head, onnx.sha256());
        }

        /** The folder's sentence-transformers prompts; for a known model's jar, which has none, the model's own. */
        private static Map<String, String> prompts(ModelFolder folder, ModelLocation location) {
            Map<String, String> own = folder.sentenceTransformers().prompts();
            return own.isEmpty() && location.known() != null ? location.known().prompts() : own;
        }

        /**
         * The folder's pipeline after the encoder: the caller's pooling, else every mode of its Pooling module (or
         * the settings' one), its Dense modules, and normalization as decided.
         */
        private SentenceHead head(ModelFolder folder, ModelSettings settings) {
            SentenceTransformersConfig st = folder.sentenceTransformers();
            List<Pooling> modes = pooling == null && st.poolingModes().size() > 1 ? st.poolingModes()
                    : List.of(settings.pooling());
            List<DenseLayer> dense = new ArrayList<>();
            for (String module : st.denseModules()) {
                dense.add(DenseModule.read(folder.location().folder().resolve(module)));
            }
            return new SentenceHead(modes, dense, settings.normalize());
        }
    }
}
