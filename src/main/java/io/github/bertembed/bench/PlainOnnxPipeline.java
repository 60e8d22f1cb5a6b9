package io.github.bertembed.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a careful user writes by hand: HuggingFace tokenizers (DJL) truncating at max length, the full ONNX graph
 * in one onnxruntime session with `threads` intra-op threads, length-sorted batches, masked mean (or CLS)
 * pooling, L2 normalization.
 */
public final class PlainOnnxPipeline implements Peer {
    public static final String NAME = "onnxruntime+HF";
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int batchSize;
    private final boolean cls;
    private final int threads;

    public PlainOnnxPipeline(Path folder, int maxLength, int batchSize, int threads, boolean cls) throws Exception {
        try {
            this.tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(folder.resolve("tokenizer.json"))
                    .optTruncation(true).optMaxLength(maxLength).optPadding(false).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(folder.resolve("model.onnx").toString(), o);
        }
        this.batchSize = batchSize;
        this.cls = cls;
        this.threads = threads;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String setting() {
        return "sorted batches of " + batchSize + ", " + threads + " threads";
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        Encoding[] encodings = new Encoding[texts.size()];
        for (int i = 0; i < encodings.length; i++) {
            encodings[i] = tokenizer.encode(texts.get(i));
        }
        Integer[] order = new Integer[encodings.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(encodings[a].getIds().length, encodings[b].getIds().length));
        float[][] out = new float[encodings.length][];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            int n = end - start;
            int seq = encodings[order[end - 1]].getIds().length;
            long[] ids = new long[n * seq];
            long[] mask = new long[n * seq];
            long[] types = new long[n * seq];
            for (int b = 0; b < n; b++) {
                Encoding e = encodings[order[start + b]];
                System.arraycopy(e.getIds(), 0, ids, b * seq, e.getIds().length);
                System.arraycopy(e.getAttentionMask(), 0, mask, b * seq, e.getIds().length);
                System.arraycopy(e.getTypeIds(), 0, types, b * seq, e.getIds().length);
            }
            long[] shape = {n, seq};
            try (OnnxTensor i = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                 OnnxTensor m = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                 OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape)) {
                Map<String, OnnxTensor> in = new HashMap<>();
                in.put("input_ids", i);
                in.put("attention_mask", m);
                in.put("token_type_ids", t);
                try (OrtSession.Result r = session.run(in)) {
                    float[] h = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
                    int d = h.length / (n * seq);
                    for (int b = 0; b < n; b++) {
                        out[order[start + b]] = pool(h, b, seq, d, mask);
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return new ArrayList<>(Arrays.asList(out));
    }

    private float[] pool(float[] h, int b, int seq, int d, long[] mask) {
        float[] v = new float[d];
        int count = 0;
        for (int t = 0; t < (cls ? 1 : seq); t++) {
            if (mask[b * seq + t] == 0) {
                continue;
            }
            count++;
            for (int i = 0; i < d; i++) {
                v[i] += h[(b * seq + t) * d + i];
            }
        }
        double norm = 0;
        for (int i = 0; i < d; i++) {
            v[i] /= count;
            norm += v[i] * v[i];
        }
        for (int i = 0; i < d; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    @Override
    public void close() throws Exception {
        session.close();
        tokenizer.close();
    }
}
