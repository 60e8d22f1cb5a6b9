package io.github.bertembed;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny BERT written as an ONNX graph with random weights, the way PyTorch exports BERT (opset 11): embedding
 * lookups, decomposed LayerNorms, multi-head self-attention with an additive mask, GELU feed-forward. Tests build
 * one in a temporary folder in milliseconds, so most of the suite needs no real model.
 */
public final class TinyBertModel {
    public static final int HIDDEN = 16;
    public static final int HEADS = 2;
    public static final int LAYERS = 2;
    public static final int POSITIONS = 24;

    private final GraphProto.Builder g = GraphProto.newBuilder().setName("tiny-bert");
    private final Random random;
    private int counter;

    private final boolean scaledScores;

    private TinyBertModel(long seed, boolean scaledScores) {
        this.random = new Random(seed);
        this.scaledScores = scaledScores;
    }

    /** The vocabulary: specials, letters, continuation letters and a few words. */
    public static List<String> vocabulary() {
        List<String> v = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "?"));
        for (char c = 'a'; c <= 'z'; c++) {
            v.add(String.valueOf(c));
        }
        for (char c = 'a'; c <= 'z'; c++) {
            v.add("##" + c);
        }
        v.addAll(List.of("the", "cat", "dog", "sat", "on", "mat", "king", "queen", "man", "woman", "##s", "##ing"));
        return v;
    }

    /** Writes model.onnx and vocab.txt into {@code folder}; {@code tokenRows} may exceed or undercut the vocabulary. */
    public static Path write(Path folder, long seed, int tokenRows) throws IOException {
        return write(folder, new TinyBertModel(seed, true).build(tokenRows));
    }

    /**
     * A model whose attention scores are not divided by √(head size), as an export that folded the scale into the
     * query weights: BERT's attention in structure, other arithmetic.
     */
    public static Path writeUnscaled(Path folder) throws IOException {
        return write(folder, new TinyBertModel(7, false).build(vocabulary().size()));
    }

    private static Path write(Path folder, ModelProto model) throws IOException {
        Files.createDirectories(folder);
        Files.write(folder.resolve("model.onnx"), model.toByteArray());
        Files.writeString(folder.resolve("vocab.txt"), String.join("\n", vocabulary()) + "\n", StandardCharsets.UTF_8);
        return folder;
    }

    public static Path write(Path folder) throws IOException {
        return write(folder, 7, vocabulary().size());
    }

    ModelProto build(int vocab) {
        int h = HIDDEN;
        g.addInput(input("input_ids", TensorProto.DataType.INT64_VALUE));
        g.addInput(input("attention_mask", TensorProto.DataType.INT64_VALUE));
        g.addInput(input("token_type_ids", TensorProto.DataType.INT64_VALUE));

        String word = init("embeddings.word_embeddings.weight", randoms(vocab * h, 0.5f), vocab, h);
        String pos = init("embeddings.position_embeddings.weight", randoms(POSITIONS * h, 0.5f), POSITIONS, h);
        String type = init("embeddings.token_type_embeddings.weight", randoms(2 * h, 0.5f), 2, h);
        long[] positionIds = new long[POSITIONS];
        for (int i = 0; i < POSITIONS; i++) {
            positionIds[i] = i;
        }
        g.addInitializer(TensorProto.newBuilder().setName("embeddings.position_ids").addDims(1).addDims(POSITIONS)
                .setDataType(TensorProto.DataType.INT64_VALUE).setRawData(longBytes(positionIds)));

        String shape = node("Shape", List.of("input_ids"));
        String seqLen = node("Gather", List.of(shape, constLongs(new long[] {1}, true)), intAttr("axis", 0));
        String end = node("Unsqueeze", List.of(seqLen), intsAttr("axes", 0));
        String slice = node("Slice", List.of("embeddings.position_ids", constLongs(new long[] {0}, false), end,
                constLongs(new long[] {1}, false), constLongs(new long[] {1}, false)));
        String w = node("Gather", List.of(word, "input_ids"));
        String t = node("Gather", List.of(type, "token_type_ids"));
        String sum = node("Add", List.of(w, t));
        String p = node("Gather", List.of(pos, slice));
        String x = layerNorm(node("Add", List.of(sum, p)), "embeddings.LayerNorm");

        String m = node("Unsqueeze", List.of("attention_mask"), intsAttr("axes", 1, 2));
        String mf = node("Cast", List.of(m), intAttr("to", TensorProto.DataType.FLOAT_VALUE));
        String inverted = node("Sub", List.of(constFloat(1f), mf));
        String additive = node("Mul", List.of(inverted, constFloat(-10000f)));

        for (int layer = 0; layer < LAYERS; layer++) {
            x = transformerLayer(x, additive, "encoder.layer." + layer);
        }
        g.addOutput(ValueInfoProto.newBuilder().setName("last_hidden_state"));
        g.addNode(NodeProto.newBuilder().setOpType("Identity").setName("out").addInput(x).addOutput("last_hidden_state"));
        return ModelProto.newBuilder().setIrVersion(6).setProducerName("bert-embed tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(11)).setGraph(g).build();
    }

    private String transformerLayer(String x, String mask, String name) {
        int h = HIDDEN;
        int dh = h / HEADS;
        String q = heads(linear(x, h, h, name + ".q"), false);
        String k = heads(linear(x, h, h, name + ".k"), true);
        String v = heads(linear(x, h, h, name + ".v"), false);
        String raw = node("MatMul", List.of(q, k));
        String scores = scaledScores ? node("Div", List.of(raw, constFloat((float) Math.sqrt(dh)))) : raw;
        String probs = node("Softmax", List.of(node("Add", List.of(scores, mask))), intAttr("axis", -1));
        String ctx = node("Transpose", List.of(node("MatMul", List.of(probs, v))), intsAttr("perm", 0, 2, 1, 3));
        String merged = node("Reshape", List.of(ctx, constLongs(new long[] {0, 0, h}, false)));
        String attn = layerNorm(node("Add", List.of(linear(merged, h, h, name + ".o"), x)), name + ".ln1");
        String up = linear(attn, h, 2 * h, name + ".up");
        String gelu = node("Mul", List.of(node("Mul", List.of(up, constFloat(0.5f))),
                node("Add", List.of(node("Erf", List.of(node("Div", List.of(up, constFloat(1.4142135f))))),
                        constFloat(1f)))));
        return layerNorm(node("Add", List.of(linear(gelu, 2 * h, h, name + ".down"), attn)), name + ".ln2");
    }

    private String heads(String x, boolean transposeForKeys) {
        String r = node("Reshape", List.of(x, constLongs(new long[] {0, 0, HEADS, HIDDEN / HEADS}, false)));
        return node("Transpose", List.of(r), transposeForKeys ? intsAttr("perm", 0, 2, 3, 1) : intsAttr("perm", 0, 2, 1, 3));
    }

    private String linear(String x, int in, int out, String name) {
        String wName = init(name + ".weight", randoms(in * out, (float) (1 / Math.sqrt(in))), in, out);
        String bName = init(name + ".bias", randoms(out, 0.1f), out);
        // Bias first, as PyTorch exports it (the fused cut must reorder it for onnxruntime).
        return node("Add", List.of(bName, node("MatMul", List.of(x, wName))));
    }

    private String layerNorm(String x, String name) {
        float[] gamma = new float[HIDDEN];
        for (int i = 0; i < HIDDEN; i++) {
            gamma[i] = 1f + (random.nextFloat() - 0.5f) * 0.2f;
        }
        String gName = init(name + ".weight", gamma, HIDDEN);
        String bName = init(name + ".bias", randoms(HIDDEN, 0.1f), HIDDEN);
        String mean = node("ReduceMean", List.of(x), intsAttr("axes", -1));
        String d = node("Sub", List.of(x, mean));
        String var = node("ReduceMean", List.of(node("Pow", List.of(d, constFloat(2f)))), intsAttr("axes", -1));
        String std = node("Sqrt", List.of(node("Add", List.of(var, constFloat(1e-12f)))));
        return node("Add", List.of(node("Mul", List.of(node("Div", List.of(d, std)), gName)), bName));
    }

    private String node(String op, List<String> inputs, AttributeProto... attrs) {
        String out = op.toLowerCase() + "_" + (counter++);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs).addOutput(out);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        g.addNode(n);
        return out;
    }

    private String constFloat(float value) {
        String name = "const_" + (counter++);
        TensorProto t = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(value).build();
        g.addNode(NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(name)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t)));
        return name;
    }

    private String constLongs(long[] values, boolean scalar) {
        String name = "const_" + (counter++);
        TensorProto.Builder t = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE)
                .setRawData(longBytes(values));
        if (!scalar) {
            t.addDims(values.length);
        }
        g.addNode(NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(name)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t)));
        return name;
    }

    private String init(String name, float[] values, long... dims) {
        g.addInitializer(io.github.bertembed.onnx.ExportVariants.floatTensor(name, dims, values));
        return name;
    }

    private float[] randoms(int n, float scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian() * scale;
        }
        return out;
    }

    private static ByteString longBytes(long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return ByteString.copyFrom(b.array());
    }

    private static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static ValueInfoProto input(String name, int type) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch_size"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("sequence_length")).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
    }
}
