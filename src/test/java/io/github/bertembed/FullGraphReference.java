package io.github.bertembed;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.bertembed.tokenizer.Encoding;

import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference: the model's own, uncut ONNX graph run by onnxruntime, one text per run, with the pooling written
 * out here independently of our pooling package. Optionally exposes an inner value (the embedding LayerNorm
 * output) as an extra graph output.
 */
public final class FullGraphReference implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String extraOutput;

    public FullGraphReference(Path modelFile, String extraOutput) throws Exception {
        this.extraOutput = extraOutput;
        byte[] bytes = Files.readAllBytes(modelFile);
        if (extraOutput != null) {
            com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE);
            OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(in);
            OnnxMl.GraphProto g = m.getGraph().toBuilder()
                    .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(extraOutput)).build();
            bytes = m.toBuilder().setGraph(g).build().toByteArray();
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            String level = System.getProperty("refopt");
            if (level != null) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(level));
            }
            // From the path when nothing is added, so external data files beside the model resolve.
            session = extraOutput == null ? env.createSession(modelFile.toString(), o) : env.createSession(bytes, o);
        }
    }

    /** [seq, hidden] of an output for one encoding (unpadded). */
    public float[] run(Encoding e, String output) throws OrtException {
        int n = e.length();
        long[] ids = new long[n];
        long[] mask = new long[n];
        long[] types = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = e.ids()[i];
            mask[i] = e.attentionMask()[i];
            types[i] = e.typeIds()[i];
        }
        long[] shape = {1, n};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OnnxTensor a = input("input_ids", ids, shape);
             OnnxTensor b = input("attention_mask", mask, shape);
             OnnxTensor c = input("token_type_ids", types, shape)) {
            inputs.put("input_ids", a);
            inputs.put("attention_mask", b);
            if (session.getInputNames().contains("token_type_ids")) {
                inputs.put("token_type_ids", c);
            }
            try (OrtSession.Result r = session.run(inputs, java.util.Set.of(output))) {
                var fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        }
    }

    /** An input tensor of the type the graph declares for it (int64, or int32 for such exports). */
    private OnnxTensor input(String name, long[] values, long[] shape) throws OrtException {
        var info = session.getInputInfo().get(name);
        if (info != null && ((ai.onnxruntime.TensorInfo) info.getInfo()).type == ai.onnxruntime.OnnxJavaType.INT32) {
            return OnnxTensor.createTensor(env, java.nio.IntBuffer.wrap(java.util.Arrays.stream(values)
                    .mapToInt(v -> (int) v).toArray()), shape);
        }
        return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
    }

    /** The reference sentence vector: mean over all (unpadded) tokens or the first token, L2-normalized. */
    public float[] sentence(Encoding e, boolean cls) throws OrtException {
        return sentence(e, cls ? "cls" : "mean");
    }

    /**
     * The reference sentence vector, L2-normalized, pooled as sentence-transformers does: "mean" over all
     * (unpadded) tokens, "cls" the first token, "max" the element-wise maximum over all tokens.
     */
    public float[] sentence(Encoding e, String mode) throws OrtException {
        return sentence(e, mode, "last_hidden_state");
    }

    /** As {@link #sentence(Encoding, String)}, pooling the graph output of that name. */
    public float[] sentence(Encoding e, String mode, String tokenOutput) throws OrtException {
        float[] h = run(e, tokenOutput);
        int n = e.length();
        int d = h.length / n;
        float[] v = new float[d];
        switch (mode) {
            case "cls" -> System.arraycopy(h, 0, v, 0, d);
            case "max" -> {
                java.util.Arrays.fill(v, Float.NEGATIVE_INFINITY);
                for (int t = 0; t < n; t++) {
                    for (int i = 0; i < d; i++) {
                        v[i] = Math.max(v[i], h[t * d + i]);
                    }
                }
            }
            case "mean" -> {
                for (int t = 0; t < n; t++) {
                    for (int i = 0; i < d; i++) {
                        v[i] += h[t * d + i];
                    }
                }
                for (int i = 0; i < d; i++) {
                    v[i] /= n;
                }
            }
            default -> throw new IllegalArgumentException(mode);
        }
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float norm = (float) Math.sqrt(s);
        for (int i = 0; i < d; i++) {
            v[i] /= norm;
        }
        return v;
    }

    public String extraOutput() {
        return extraOutput;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
