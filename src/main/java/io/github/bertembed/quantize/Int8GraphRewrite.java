package io.github.bertembed.quantize;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.github.bertembed.onnx.OnnxModelFile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a BERT-family graph's weight MatMuls to int8: each weight matrix [K, N] becomes int8 with one scale per
 * output column (symmetric, max |w| / 127), and each activation row (each token) is quantized with a scale of its
 * own, computed in the graph (symmetric int8 shifted to uint8 by a constant zero point of 128, as MatMulInteger takes
 * it on x86). A token's result then depends on that token's row alone: the same text gives the same bits whatever its
 * batch partners, so int8 models run batched like fp32. Tensors read by several MatMuls (Q, K and V read one
 * LayerNorm output) are quantized once.
 *
 * <pre>{@code
 * Int8GraphRewrite.Result r = Int8GraphRewrite.apply(encoderGraph, 6, Set.of());
 * Files.write(out, r.model().toByteArray());
 * }</pre>
 */
public final class Int8GraphRewrite {
    private static final float QMAX = 127f;

    private Int8GraphRewrite() {
    }

    /**
     * The rewritten model.
     *
     * @param model      the int8 model
     * @param quantized  weight MatMuls rewritten
     * @param keptFp32   weight MatMuls left in fp32 (the layers asked)
     * @param int8Bytes  bytes of int8 weights written
     */
    public record Result(ModelProto model, int quantized, int keptFp32, long int8Bytes) {
    }

    /**
     * Rewrites every weight MatMul (second input a 2-D float initializer), except those of {@code keepFp32Layers}
     * (0-based; the graph's weight MatMuls in order, {@code layers} equal groups).
     *
     * @throws IllegalArgumentException for a graph with no weight MatMul, or whose weight MatMuls do not divide
     *                                  into the layers
     */
    public static Result apply(ModelProto source, int layers, Set<Integer> keepFp32Layers) {
        GraphProto g = source.getGraph();
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        long weightMatMuls = g.getNodeList().stream().filter(n -> n.getOpType().equals("MatMul")
                && initializers.containsKey(n.getInput(1)) && initializers.get(n.getInput(1)).getDimsCount() == 2).count();
        if (weightMatMuls == 0 || layers < 1 || weightMatMuls % layers != 0) {
            throw new IllegalArgumentException("the graph's " + weightMatMuls + " weight MatMuls do not divide into its "
                    + layers + " layers");
        }
        int perLayer = (int) (weightMatMuls / layers);
        long opset = source.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty()
                || o.getDomain().equals("ai.onnx")).mapToLong(o -> o.getVersion()).max().orElse(11);
        GraphProto.Builder out = g.toBuilder().clearNode();
        out.addInitializer(scalar("int8_qmax", QMAX));
        out.addInitializer(TensorProto.newBuilder().setName("int8_zero_point").setDataType(TensorProto.DataType.UINT8_VALUE)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) 128})).build());
        out.addInitializer(scalar("int8_one", 1f));
        out.addInitializer(scalar("int8_tiny", Float.MIN_NORMAL));
        if (opset >= 18) {
            out.addInitializer(TensorProto.newBuilder().setName("int8_last_axis").setDataType(TensorProto.DataType.INT64_VALUE)
                    .addDims(1).addInt64Data(-1).build());
        }
        Map<String, String[]> quantizedActivations = new HashMap<>();
        Set<String> replacedWeights = new java.util.HashSet<>();
        int index = 0;
        int quantized = 0;
        int kept = 0;
        long bytes = 0;
        for (NodeProto n : g.getNodeList()) {
            TensorProto w = n.getOpType().equals("MatMul") ? initializers.get(n.getInput(1)) : null;
            if (w == null || w.getDimsCount() != 2 || w.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                out.addNode(n);
                continue;
            }
            int layer = index++ / perLayer;
            if (keepFp32Layers.contains(layer)) {
                out.addNode(n);
                kept++;
                continue;
            }
            String x = n.getInput(0);
            String[] q = quantizedActivations.get(x);
            if (q == null) {
                q = quantizeRows(out, x, opset);
                quantizedActivations.put(x, q);
            }
            String prefix = "int8_" + n.getOutput(0).replaceAll("[^A-Za-z0-9_]", "_");
            Weights weights = weights(w, prefix);
            out.addInitializer(weights.values());
            out.addInitializer(weights.scales());
            bytes += weights.values().getRawData().size();
            replacedWeights.add(w.getName());
            // onnxruntime's MatMulIntegerToFloat: exact int32 sums times the column scales in one kernel; the
            // row (token) scale follows.
            out.addNode(node("MatMulIntegerToFloat", prefix + "_mm", List.of(q[0], weights.values().getName(),
                    "int8_one", weights.scales().getName(), "int8_zero_point"), prefix + "_colscaled").toBuilder()
                    .setDomain("com.microsoft").build());
            out.addNode(node("Mul", prefix + "_row", List.of(prefix + "_colscaled", q[1]), n.getOutput(0)));
            quantized++;
        }
        if (quantized == 0) {
            throw new IllegalArgumentException("every layer was kept in fp32: nothing to quantize");
        }
        // The fp32 weights that only the rewritten MatMuls read go.
        Set<String> stillRead = new java.util.HashSet<>();
        for (NodeProto n : out.getNodeList()) {
            stillRead.addAll(n.getInputList());
        }
        List<TensorProto> keep = new ArrayList<>();
        for (TensorProto t : out.getInitializerList()) {
            if (!replacedWeights.contains(t.getName()) || stillRead.contains(t.getName())) {
                keep.add(t);
            }
        }
        out.clearInitializer().addAllInitializer(keep);
        ModelProto.Builder model = source.toBuilder().setGraph(out);
        if (model.getOpsetImportList().stream().noneMatch(o -> o.getDomain().equals("com.microsoft"))) {
            model.addOpsetImport(ai.onnx.proto.OnnxMl.OperatorSetIdProto.newBuilder().setDomain("com.microsoft")
                    .setVersion(1));
        }
        return new Result(model.build(), quantized, kept, bytes);
    }

    /**
     * Nodes quantizing {@code x}'s last axis row by row: {uint8 values, float scale per row [.., 1]}. scale =
     * max(max |row| / 127, tiny); q = saturate(round_half_even(x / scale) + 128), in [1, 255] (QuantizeLinear with
     * scale 1 and zero point 128 rounds, shifts and casts in one pass).
     */
    private static String[] quantizeRows(GraphProto.Builder out, String x, long opset) {
        String p = "int8_act_" + x.replaceAll("[^A-Za-z0-9_]", "_");
        out.addNode(node("Abs", p + "_abs", List.of(x), p + "_abs"));
        out.addNode(reduce(opset, "ReduceMax", p + "_absmax", p + "_abs"));
        out.addNode(node("Div", p + "_scale0", List.of(p + "_absmax", "int8_qmax"), p + "_scale0"));
        out.addNode(node("Max", p + "_scale", List.of(p + "_scale0", "int8_tiny"), p + "_scale"));
        out.addNode(node("Div", p + "_div", List.of(x, p + "_scale"), p + "_div"));
        out.addNode(node("QuantizeLinear", p + "_u8", List.of(p + "_div", "int8_one", "int8_zero_point"), p + "_u8"));
        return new String[] {p + "_u8", p + "_scale"};
    }

    /** A reduction over the last axis keeping it (axes an attribute before opset 18, an input from 18). */
    private static NodeProto reduce(long opset, String op, String name, String x) {
        // keepdims: the scale stays [.., 1] and broadcasts over the row
        NodeProto.Builder b = node(op, name, opset >= 18 ? List.of(x, "int8_last_axis") : List.of(x), name).toBuilder()
                .addAttribute(intAttribute("keepdims", 1));
        if (opset < 18) {
            b.addAttribute(AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS).addInts(-1));
        }
        return b.build();
    }

    private record Weights(TensorProto values, TensorProto scales) {
    }

    /** Per output column: scale = max |w[:, n]| / 127, q = round(w / scale) in [-127, 127]. */
    static Weights weights(TensorProto w, String prefix) {
        int k = (int) w.getDims(0);
        int n = (int) w.getDims(1);
        float[] f = OnnxModelFile.floats(w);
        float[] scales = new float[n];
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < n; c++) {
                scales[c] = Math.max(scales[c], Math.abs(f[r * n + c]));
            }
        }
        for (int c = 0; c < n; c++) {
            scales[c] = scales[c] == 0 ? 1f : scales[c] / QMAX;
        }
        byte[] q = new byte[k * n];
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < n; c++) {
                q[r * n + c] = (byte) Math.max(-127, Math.min(127, Math.round(f[r * n + c] / scales[c])));
            }
        }
        ByteBuffer s = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : scales) {
            s.putFloat(v);
        }
        return new Weights(TensorProto.newBuilder().setName(prefix + "_w").setDataType(TensorProto.DataType.INT8_VALUE)
                .addDims(k).addDims(n).setRawData(ByteString.copyFrom(q)).build(),
                TensorProto.newBuilder().setName(prefix + "_w_scale").setDataType(TensorProto.DataType.FLOAT_VALUE)
                        .addDims(n).setRawData(ByteString.copyFrom(s.array())).build());
    }

    private static NodeProto node(String op, String name, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).build();
    }

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static TensorProto scalar(String name, float value) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(value)
                .build();
    }
}
