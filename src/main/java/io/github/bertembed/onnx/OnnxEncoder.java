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
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final java.util.concurrent.atomic.AtomicInteger openNativeObjects = new java.util.concurrent.atomic.AtomicInteger();
    private boolean closed;

    private OnnxEncoder(OrtEnvironment env, OrtSession session) throws OrtException {
        this.env = env;
        this.session = session;
        this.outputName = session.getOutputNames().iterator().next();
        this.packsTokens = "true".equals(session.getMetadata().getCustomMetadata().get(TokenPacking.METADATA_KEY));
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
            return new OnnxEncoder(env, env.createSession(graph.toString(), o));
        } catch (OrtException e) {
            throw new IllegalStateException("onnxruntime cannot load " + graph + ": " + e.getMessage(), e);
        }
    }

    /** Opens a session on a serialized graph. */
    public static OnnxEncoder open(byte[] graph, SessionOptions options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = sessionOptions(options)) {
            return new OnnxEncoder(env, env.createSession(graph, o));
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
            LongBuffer maskBuffer = ByteBuffer.allocateDirect(mask.length * 8).order(ByteOrder.nativeOrder())
                    .asLongBuffer().put(mask);
            maskBuffer.rewind();
            OnnxTensor e = null;
            OnnxTensor m = null;
            OrtSession.Result result = null;
            try {
                e = OnnxTensor.createTensor(env, embeds, new long[] {batch, seq, hidden});
                openNativeObjects.incrementAndGet();
                m = OnnxTensor.createTensor(env, maskBuffer, new long[] {batch, seq});
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
