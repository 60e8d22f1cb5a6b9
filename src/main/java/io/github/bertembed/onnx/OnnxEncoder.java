package io.github.bertembed.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The transformer layers of a model in one onnxruntime session: input embeddings and attention mask in,
 * contextual token vectors out. Thread-safe; {@link #close()} waits for runs in flight, then frees the session
 * once, and later runs fail with {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (OnnxEncoder encoder = OnnxEncoder.open(cutGraph, SessionOptions.defaults())) {
 *     float[] hidden = encoder.run(inputsEmbeds, mask, batch, seq, 384);
 * }
 * }</pre>
 */
public final class OnnxEncoder implements AutoCloseable {
    /** System properties with this prefix become onnxruntime session config entries. */
    public static final String ORT_CONFIG_PREFIX = "bertembed.ort.";
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String outputName;
    private final boolean packsTokens;
    /** The whole model graph (token ids in) rather than the cut encoder (input embeddings in). */
    private final boolean wholeGraph;
    /** Inputs the graph declares as int32 (some exports) rather than int64. */
    private final java.util.Set<String> int32Inputs;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final java.util.concurrent.atomic.AtomicInteger openNativeObjects = new java.util.concurrent.atomic.AtomicInteger();
    private boolean closed;

    private OnnxEncoder(OrtEnvironment env, OrtSession session, String outputName) throws OrtException {
        this.env = env;
        this.session = session;
        this.wholeGraph = outputName != null;
        this.outputName = outputName != null ? outputName : session.getOutputNames().iterator().next();
        this.packsTokens = "true".equals(session.getMetadata().getCustomMetadata().get(TokenPacking.METADATA_KEY));
        this.int32Inputs = new java.util.HashSet<>();
        for (var in : session.getInputInfo().entrySet()) {
            if (in.getValue().getInfo() instanceof ai.onnxruntime.TensorInfo t
                    && t.type == ai.onnxruntime.OnnxJavaType.INT32) {
                int32Inputs.add(in.getKey());
            }
        }
    }

    /**
     * Opens a session on a model's whole graph, for models whose encoder cannot be cut out: it takes token ids and
     * gives the named output's token vectors ({@link #runTokens}).
     */
    public static OnnxEncoder openWholeGraph(OnnxModelFile model, String tokenOutput, SessionOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = sessionOptions(options)) {
            // From the file where there is one, so that external data beside it resolves.
            OrtSession session = java.nio.file.Files.isRegularFile(model.path())
                    ? env.createSession(model.path().toString(), o) : env.createSession(model.proto().toByteArray(), o);
            return new OnnxEncoder(env, session, tokenOutput);
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime cannot load " + model.path() + ": " + e.getMessage(), e);
        }
    }

    /** Whether this session runs the whole model graph on token ids ({@link #runTokens}), not the cut encoder. */
    public boolean wholeGraph() {
        return wholeGraph;
    }

    /**
     * Whether the graph runs its position-wise layers on the real tokens only ({@link TokenPacking}): padding then
     * costs little beyond the attention, and long runs of mixed lengths are cheap.
     */
    public boolean packsTokens() {
        return packsTokens;
    }

    /** Opens a session on a graph file. */
    public static OnnxEncoder open(Path graph, SessionOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = sessionOptions(options)) {
            return new OnnxEncoder(env, env.createSession(graph.toString(), o), null);
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime cannot load " + graph + ": " + e.getMessage(), e);
        }
    }

    /** Opens a session on a serialized graph. */
    public static OnnxEncoder open(byte[] graph, SessionOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = sessionOptions(options)) {
            return new OnnxEncoder(env, env.createSession(graph, o), null);
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime cannot load the encoder graph: " + e.getMessage(), e);
        }
    }

    static OrtSession.SessionOptions sessionOptions(SessionOptions options) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(options.effectiveIntraOpThreads());
        o.setInterOpNumThreads(1);
        o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        o.setOptimizationLevel(switch (options.optimizationLevel().toLowerCase(java.util.Locale.ROOT)) {
            case "none", "disable" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            default -> throw new IllegalArgumentException("unknown optimization level '" + options.optimizationLevel()
                    + "': expected none, basic, extended or all");
        });
        // Expert knobs: -Dbertembed.ort.<onnxruntime session config key>=<value> (e.g. session.intra_op.allow_spinning).
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith(ORT_CONFIG_PREFIX)) {
                o.addConfigEntry(key.substring(ORT_CONFIG_PREFIX.length()), System.getProperty(key));
            }
        }
        switch (options.executionProvider().toLowerCase(java.util.Locale.ROOT)) {
            case "cpu" -> {
            }
            case "cuda" -> o.addCUDA();
            default -> throw new IllegalArgumentException("unknown execution provider '" + options.executionProvider()
                    + "': expected cpu or cuda");
        }
        return o;
    }

    /**
     * Runs the encoder.
     *
     * @param inputsEmbeds [batch, seq, hidden] row-major
     * @param mask         [batch, seq] (1 = token, 0 = padding)
     * @return last_hidden_state [batch, seq, hidden] row-major
     */
    public float[] run(float[] inputsEmbeds, long[] mask, int batch, int seq, int hidden) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the encoder is closed");
            }
            FloatBuffer embeds = ByteBuffer.allocateDirect(inputsEmbeds.length * 4).order(ByteOrder.nativeOrder())
                    .asFloatBuffer().put(inputsEmbeds);
            embeds.rewind();
            OnnxTensor e = null;
            OnnxTensor m = null;
            OrtSession.Result result = null;
            try {
                e = OnnxTensor.createTensor(env, embeds, new long[] {batch, seq, hidden});
                openNativeObjects.incrementAndGet();
                m = integerTensor(EncoderGraph.ATTENTION_MASK, mask, new long[] {batch, seq});
                openNativeObjects.incrementAndGet();
                result = session.run(Map.of(EncoderGraph.INPUTS_EMBEDS, e, EncoderGraph.ATTENTION_MASK, m),
                        java.util.Set.of(outputName));
                openNativeObjects.incrementAndGet();
                FloatBuffer fb = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] hiddenStates = new float[fb.remaining()];
                fb.get(hiddenStates);
                return hiddenStates;
            } catch (OrtException ex) {
                throw new IllegalStateException("onnxruntime failed to run the encoder: " + ex.getMessage(), ex);
            } finally {
                release(result);
                release(m);
                release(e);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Runs the whole model graph ({@link #openWholeGraph}).
     *
     * @param ids   [batch, seq] token ids
     * @param types [batch, seq] segment ids (used where the graph takes them)
     * @param mask  [batch, seq] (1 = token, 0 = padding)
     * @return the token vectors [batch, seq, hidden] row-major
     */
    public float[] runTokens(long[] ids, long[] types, long[] mask, int batch, int seq) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the encoder is closed");
            }
            long[] shape = {batch, seq};
            java.util.List<OnnxTensor> tensors = new java.util.ArrayList<>();
            OrtSession.Result result = null;
            try {
                Map<String, OnnxTensor> inputs = new java.util.HashMap<>();
                for (String name : session.getInputNames()) {
                    long[] values = switch (name) {
                        case "input_ids" -> ids;
                        case "attention_mask" -> mask;
                        case "token_type_ids" -> types;
                        default -> throw new IllegalArgumentException("the model graph takes an input named " + name
                                + "; bert-embed feeds input_ids, attention_mask and token_type_ids");
                    };
                    OnnxTensor t = integerTensor(name, values, shape);
                    openNativeObjects.incrementAndGet();
                    tensors.add(t);
                    inputs.put(name, t);
                }
                result = session.run(inputs, java.util.Set.of(outputName));
                openNativeObjects.incrementAndGet();
                FloatBuffer fb = ((OnnxTensor) result.get(0)).getFloatBuffer(); // float16 outputs widen here
                float[] states = new float[fb.remaining()];
                fb.get(states);
                return states;
            } catch (OrtException ex) {
                throw new IllegalStateException("onnxruntime failed to run the model: " + ex.getMessage(), ex);
            } finally {
                release(result);
                for (OnnxTensor t : tensors) {
                    release(t);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** An id or mask tensor of the integer type the graph declares for that input. */
    private OnnxTensor integerTensor(String name, long[] values, long[] shape) throws OrtException {
        if (int32Inputs.contains(name)) {
            java.nio.IntBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder())
                    .asIntBuffer();
            for (long v : values) {
                b.put((int) v);
            }
            b.rewind();
            return OnnxTensor.createTensor(env, b, shape);
        }
        LongBuffer b = ByteBuffer.allocateDirect(values.length * 8).order(ByteOrder.nativeOrder()).asLongBuffer()
                .put(values);
        b.rewind();
        return OnnxTensor.createTensor(env, b, shape);
    }

    /**
     * Native objects (input tensors, results) this encoder created and has not closed yet: zero between runs.
     * Tests use it to prove nothing leaks.
     */
    public int openNativeObjects() {
        return openNativeObjects.get();
    }

    private void release(AutoCloseable nativeObject) {
        if (nativeObject == null) {
            return;
        }
        try {
            nativeObject.close();
        } catch (Exception ex) {
            throw new IllegalStateException("cannot free an onnxruntime object: " + ex.getMessage(), ex);
        } finally {
            openNativeObjects.decrementAndGet();
        }
    }

    public boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the onnxruntime session failed: " + e.getMessage(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
