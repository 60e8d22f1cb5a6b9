package io.github.bertembed;

import io.github.bertembed.embedding.InputEmbeddings;
import io.github.bertembed.onnx.EncoderSessions;
import io.github.bertembed.onnx.OnnxEncoder;
import io.github.bertembed.pooling.SentenceHead;
import io.github.bertembed.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Tokenized texts through the input embedding layer, the encoder and pooling: fp32 models in length-sorted runs
 * ({@link LengthBuckets}), dynamically quantized models one text per run, side by side on {@link TextWorkers}
 * (their activation scale is computed per run, so a run of one keeps a text's vector independent of its
 * partners). Thread-safe; owns the encoder sessions.
 */
final class EncoderRuns implements AutoCloseable {
    private final InputEmbeddings inputEmbeddings;
    private final EncoderSessions sessions;
    private final SentenceHead head;
    private final LengthBuckets buckets;
    private final boolean perTextRuns;
    /** For dynamically quantized models on more than one thread; else null. */
    private final TextWorkers workers;
    private final StageListener listener;

    EncoderRuns(InputEmbeddings inputEmbeddings, EncoderSessions sessions, SentenceHead head,
                LengthBuckets buckets, boolean perTextRuns, int parallelism, StageListener listener) {
        this.inputEmbeddings = inputEmbeddings;
        this.sessions = sessions;
        this.head = head;
        this.buckets = buckets;
        this.perTextRuns = perTextRuns;
        this.workers = perTextRuns && parallelism > 1 ? new TextWorkers(parallelism) : null;
        this.listener = listener;
    }

    /** Pooled vectors in input order; {@code progress} hears the number done after each run. */
    List<Embedding> embed(List<Encoding> encodings, IntConsumer progress) {
        Embedding[] out = new Embedding[encodings.size()];
        if (!perTextRuns) {
            int done = 0;
            for (int[] run : buckets.runs(encodings)) {
                List<Encoding> batch = new ArrayList<>(run.length);
                for (int i : run) {
                    batch.add(encodings.get(i));
                }
                Embedding[] pooled = run(batch, sessions.main());
                for (int k = 0; k < run.length; k++) {
                    out[run[k]] = pooled[k];
                }
                done += run.length;
                progress.accept(done);
            }
        } else if (workers == null || encodings.size() == 1) {
            for (int i = 0; i < out.length; i++) {
                out[i] = run(List.of(encodings.get(i)), sessions.main())[0]; // a lone text gets all threads
                progress.accept(i + 1);
            }
        } else {
            workers.forEach(out.length, i -> out[i] = run(List.of(encodings.get(i)), sessions.single())[0]);
            progress.accept(out.length);
        }
        return Arrays.asList(out);
    }

    /** Every token's contextual vector of one encoding, padding left out. */
    float[][] tokenVectors(Encoding encoding) {
        int seq = encoding.length();
        int hidden = inputEmbeddings.hidden();
        if (seq > inputEmbeddings.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + seq + " tokens is longer than the model's position "
                    + "table (" + inputEmbeddings.maxPositions() + "); truncate or chunk it");
        }
        float[] states = encode(List.of(encoding), seq, sessions.main(), new long[1]);
        float[][] out = new float[encoding.realLength()][];
        for (int t = 0; t < out.length; t++) {
            out[t] = Arrays.copyOfRange(states, t * hidden, (t + 1) * hidden); // padding comes last
        }
        return out;
    }

    /** One encoder run over a batch: input embeddings, the encoder, pooling. */
    private Embedding[] run(List<Encoding> batch, OnnxEncoder session) {
        int seq = 0;
        for (Encoding e : batch) {
            seq = Math.max(seq, e.realLength());
        }
        int hidden = inputEmbeddings.hidden();
        long t0 = System.nanoTime();
        long[] inputsDone = new long[1];
        float[] states = encode(batch, seq, session, inputsDone);
        long t1 = inputsDone[0];
        long t2 = System.nanoTime();
        Embedding[] out = new Embedding[batch.size()];
        for (int b = 0; b < batch.size(); b++) {
            Encoding e = batch.get(b);
            float[] v = head.vector(states, b, seq, hidden, e.attentionMask());
            out[b] = new Embedding(v, e.realLength(), e.truncated());
        }
        listener.encoderRun(new StageListener.EncoderRun(batch.size(), seq, t1 - t0, t2 - t1,
                System.nanoTime() - t2));
        return out;
    }

    /**
     * The token vectors [batch, seq, hidden] of a batch padded to {@code seq}: our input embeddings into the cut
     * encoder, or the token ids into the whole graph where the model could not be cut. {@code inputsDone[0]} gets
     * the time the inputs were ready.
     */
    private float[] encode(List<Encoding> batch, int seq, OnnxEncoder session, long[] inputsDone) {
        int hidden = inputEmbeddings.hidden();
        int n = batch.size();
        long[] mask = new long[n * seq];
        for (int b = 0; b < n; b++) {
            int[] m = batch.get(b).attentionMask();
            for (int t = 0; t < Math.min(seq, m.length); t++) {
                mask[b * seq + t] = m[t];
            }
        }
        if (session.wholeGraph()) {
            long[] ids = new long[n * seq];
            long[] types = new long[n * seq];
            for (int b = 0; b < n; b++) {
                Encoding e = batch.get(b);
                for (int t = 0; t < Math.min(seq, e.length()); t++) {
                    ids[b * seq + t] = e.ids()[t];
                    types[b * seq + t] = e.typeIds()[t];
                }
            }
            inputsDone[0] = System.nanoTime();
            float[] states = session.runTokens(ids, types, mask, n, seq);
            if (states.length != n * seq * hidden) {
                throw new IllegalStateException("the model graph gave " + states.length + " values for " + n + " × "
                        + seq + " tokens of hidden size " + hidden);
            }
            return states;
        }
        float[] x = new float[n * seq * hidden];
        for (int b = 0; b < n; b++) {
            Encoding e = batch.get(b);
            inputEmbeddings.compute(e.ids(), e.typeIds(), e.attentionMask(), x, b * seq * hidden);
        }
        inputsDone[0] = System.nanoTime();
        return session.run(x, mask, n, seq, hidden);
    }

    /** Which graph runs, and why. */
    String encoderPath() {
        return sessions.path();
    }

    boolean perTextRuns() {
        return perTextRuns;
    }

    int batchSize() {
        return buckets.batchSize();
    }

    boolean packsTokens() {
        return sessions.main().packsTokens();
    }

    int openNativeObjects() {
        return sessions.openNativeObjects();
    }

    boolean isClosed() {
        return sessions.isClosed();
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.close();
        }
        sessions.close();
    }
}
