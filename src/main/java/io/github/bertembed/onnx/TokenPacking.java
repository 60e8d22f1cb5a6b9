package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs the position-wise part of an attention-fused encoder on the real tokens only. A batch of texts arrives
 * padded to its longest, [batch, seq, hidden]; almost all of a layer's arithmetic (the Q, K, V and output
 * projections, the feed-forward network, the layer norms) works row by row, so padding rows there are pure waste:
 * for a few dozen short queries padded to the longest of them, nearly half of all rows. The rewrite gathers the
 * real rows into [1, tokens, hidden] once and keeps them packed through every layer; only the attention itself
 * (scores over each text's keys) runs padded: each layer's fused {@code Attention} becomes the packed Q, K, V
 * projection (one MatMul), a scatter of its rows to the padded layout, and onnxruntime's
 * {@code MultiHeadAttention} on them (bias and key padding mask as before), whose result is packed again. The
 * outputs are scattered back to [batch, seq, hidden]. The indices come from the attention mask, inside the graph:
 * the real rows are {@code NonZero(mask)} in row-major order, and a padded slot reads row {@code CumSum(mask) - 1}
 * (the text's last real row: padded keys are masked, padded outputs are never read).
 *
 * <p>Row-wise operators give each row the same bits whatever rows run beside it, as they already do across
 * batches, and the attention of a text sees only its own rows, so a text's vector stays the same bits whatever it
 * is batched with. The rewrite applies only where every other node is of a kind known to work row by row over the
 * hidden axis; any other graph keeps the padded layout. What packing gains is in docs/benchmarks.md.
 */
final class TokenPacking {
    /** The cut graph's metadata key that says its encoder packs tokens (read back by {@link OnnxEncoder}). */
    static final String METADATA_KEY = "bert-embed.token-packing";

    /** Default-domain operators that work row by row (reductions checked for the axis apart). */
    private static final Set<String> ROW_WISE = Set.of("MatMul", "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Erf",
            "Tanh", "Relu", "Sigmoid", "Gelu", "Constant", "ReduceMean", "LayerNormalization", "Identity");
    private static final String ROWS = "packing.rows"; // [tokens] int64: the real rows of the padded batch
    private static final String SLOTS = "packing.slots"; // [batch * seq] int64: the packed row for each slot
    private static final String PADDED_SHAPE = "packing.padded_shape"; // [batch, seq, hidden]
    private static final String FLAT_SHAPE = "packing.flat_shape"; // [-1, hidden]
    private static final String PACKED_SHAPE = "packing.packed_shape"; // [1, -1, hidden]
    private static final String MINUS_ONE = "packing.minus_one";
    private static final String HIDDEN = "packing.hidden";
    private static final String ONE = "packing.one";
    private static final String ZERO = "packing.zero";
    private static final String INPUT = "packing.inputs_embeds";
    private static final String HIDDEN3 = "packing.hidden3";
    private static final String FLAT3_SHAPE = "packing.flat3_shape"; // [-1, 3 * hidden]
    private static final String PADDED3_SHAPE = "packing.padded3_shape"; // [batch, seq, 3 * hidden]
    private static final String[] OFFSETS = {"packing.q", "packing.k", "packing.v", "packing.qkv_end"};
    private static final String AXIS2 = "packing.axis2";

    private TokenPacking() {
    }

    /** The rewritten nodes, the initializers they add and the shapes of the packed values. */
    record Result(List<NodeProto> nodes, List<TensorProto> initializers, List<ValueInfoProto> valueInfo) {
    }

    /**
     * @param nodes   the cut, attention-fused graph's nodes (only those the outputs need)
     * @param input   the encoder's float input, [batch, seq, hidden]
     * @param mask    the attention mask input, [batch, seq] int64
     * @param outputs the graph's outputs, [batch, seq, hidden]
     * @param opset   the graph's ONNX operator set ({@code CumSum} needs 11)
     * @return the packed graph, or null where some node might not work row by row
     */
    static Result apply(List<NodeProto> nodes, String input, String mask, List<String> outputs, int hidden,
                        long opset) {
        if (opset < 11) {
            return null;
        }
        int attention = 0;
        for (NodeProto n : nodes) {
            boolean fused = n.getOpType().equals("Attention") && n.getDomain().equals("com.microsoft")
                    && n.getInputCount() == 4 && n.getAttributeCount() == 1
                    && n.getAttribute(0).getName().equals("num_heads"); // as AttentionFusion writes it
            boolean maskCast = n.getOpType().equals("Cast") && n.getInput(0).equals(mask);
            if (fused) {
                attention++;
            } else if (!maskCast && (!n.getDomain().isEmpty() || !ROW_WISE.contains(n.getOpType())
                    || n.getInputList().contains(mask) || !lastAxisOnly(n))) {
                return null;
            }
            if (n.getInputList().stream().anyMatch(outputs::contains)) {
                return null; // an output read inside the graph would be read packed by some nodes, padded by others
            }
        }
        if (attention == 0) {
            return null;
        }
        List<NodeProto> out = new ArrayList<>();
        List<ValueInfoProto> packed = new ArrayList<>();
        String flatMask = "packing.mask_flat";
        out.add(node("Reshape", List.of(mask, MINUS_ONE), flatMask));
        out.add(node("NonZero", List.of(flatMask), "packing.nonzero"));
        out.add(node("Reshape", List.of("packing.nonzero", MINUS_ONE), ROWS));
        out.add(node("CumSum", List.of(flatMask, ZERO), "packing.cumsum"));
        // The first slot of a batch is its first text's [CLS], a real row, so no slot reads below row 0.
        out.add(node("Sub", List.of("packing.cumsum", ONE), SLOTS));
        out.add(node("Shape", List.of(mask), "packing.batch_seq"));
        out.add(concat("packing.batch_seq", HIDDEN, PADDED_SHAPE));
        out.add(concat("packing.batch_seq", HIDDEN3, PADDED3_SHAPE));
        out.addAll(pack(input, INPUT, packed, hidden));
        for (NodeProto n : nodes) {
            NodeProto.Builder b = n.toBuilder();
            for (int i = 0; i < b.getInputCount(); i++) {
                if (b.getInput(i).equals(input)) {
                    b.setInput(i, INPUT);
                }
            }
            if (n.getOpType().equals("Attention")) {
                out.addAll(attention(b.build(), packed, hidden));
                continue;
            }
            for (int i = 0; i < b.getOutputCount(); i++) {
                if (outputs.contains(b.getOutput(i))) {
                    b.setOutput(i, b.getOutput(i) + ".packed");
                }
            }
            out.add(b.build());
        }
        for (String o : outputs) {
            out.addAll(unpack(o + ".packed", o));
        }
        List<TensorProto> constants = List.of(longs(MINUS_ONE, -1), longs(HIDDEN, hidden), scalar(ONE, 1),
                scalar(ZERO, 0), longs(FLAT_SHAPE, -1, hidden), longs(PACKED_SHAPE, 1, -1, hidden),
                longs(HIDDEN3, 3L * hidden), longs(FLAT3_SHAPE, -1, 3L * hidden), longs(OFFSETS[0], 0),
                longs(OFFSETS[1], hidden), longs(OFFSETS[2], 2L * hidden), longs(OFFSETS[3], 3L * hidden),
                longs(AXIS2, 2));
        return new Result(out, constants, packed);
    }

    /**
     * A fused {@code Attention(x, Wqkv, bqkv, mask)} on packed x: the projection on the real rows, then the padded
     * layout for {@code MultiHeadAttention}, which adds the same bias and applies the same key padding mask, with
     * the same default scale (1 / sqrt(head size)).
     */
    private static List<NodeProto> attention(NodeProto fused, List<ValueInfoProto> shapes, int hidden) {
        String name = fused.getOutput(0);
        List<NodeProto> out = new ArrayList<>();
        out.add(node("MatMul", List.of(fused.getInput(0), fused.getInput(1)), name + ".qkv"));
        out.add(node("Reshape", List.of(name + ".qkv", FLAT3_SHAPE), name + ".qkv.flat"));
        out.add(gather(name + ".qkv.flat", SLOTS, name + ".qkv.slots"));
        out.add(node("Reshape", List.of(name + ".qkv.slots", PADDED3_SHAPE), name + ".qkv.padded"));
        String[] part = {name + ".q", name + ".k", name + ".v"};
        for (int p = 0; p < 3; p++) {
            out.add(node("Slice", List.of(name + ".qkv.padded", OFFSETS[p], OFFSETS[p + 1], AXIS2), part[p]));
        }
        out.add(NodeProto.newBuilder().setOpType("MultiHeadAttention").setDomain("com.microsoft")
                .setName(name + ".attention").addInput(part[0]).addInput(part[1]).addInput(part[2])
                .addInput(fused.getInput(2)).addInput(fused.getInput(3)).addOutput(name + ".padded")
                .addAttribute(fused.getAttribute(0)).build());
        out.addAll(pack(name + ".padded", name, shapes, hidden));
        return out;
    }

    /** Reductions must be over the last (hidden) axis, which packing keeps. */
    private static boolean lastAxisOnly(NodeProto n) {
        if (!n.getOpType().equals("ReduceMean") && !n.getOpType().equals("LayerNormalization")) {
            return true;
        }
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("axes")) {
                return a.getIntsCount() == 1 && (a.getInts(0) == -1 || a.getInts(0) == 2);
            }
            if (a.getName().equals("axis")) {
                return a.getI() == -1 || a.getI() == 2;
            }
        }
        // ReduceMean without axes reduces everything; LayerNormalization's default axis is -1.
        return n.getOpType().equals("LayerNormalization");
    }

    /** [batch, seq, hidden] → the real rows, [1, tokens, hidden]. */
    private static List<NodeProto> pack(String padded, String packedName, List<ValueInfoProto> shapes, int hidden) {
        // One symbolic length for every packed value, so onnxruntime sees residual Adds of equal shapes and fuses
        // them with their layer norms (SkipLayerNormalization) as it does in the padded graph.
        shapes.add(ValueInfoProto.newBuilder().setName(packedName).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(
                        TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(1))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("packed_tokens"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(hidden))))).build());
        return List.of(node("Reshape", List.of(padded, FLAT_SHAPE), packedName + ".flat"),
                gather(packedName + ".flat", ROWS, packedName + ".rows"),
                node("Reshape", List.of(packedName + ".rows", PACKED_SHAPE), packedName));
    }

    /** [1, tokens, hidden] → [batch, seq, hidden], each padded slot a copy of its text's last row. */
    private static List<NodeProto> unpack(String packed, String paddedName) {
        return List.of(node("Reshape", List.of(packed, FLAT_SHAPE), paddedName + ".flat"),
                gather(paddedName + ".flat", SLOTS, paddedName + ".slots"),
                node("Reshape", List.of(paddedName + ".slots", PADDED_SHAPE), paddedName));
    }

    private static NodeProto gather(String data, String indices, String output) {
        return alongAxis0(node("Gather", List.of(data, indices), output));
    }

    private static NodeProto concat(String a, String b, String output) {
        return alongAxis0(node("Concat", List.of(a, b), output));
    }

    private static NodeProto alongAxis0(NodeProto n) {
        return n.toBuilder().addAttribute(AttributeProto.newBuilder().setName("axis")
                .setType(AttributeProto.AttributeType.INT).setI(0)).build();
    }

    private static NodeProto node(String op, List<String> inputs, String output) {
        return NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output).build();
    }

    private static TensorProto longs(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).setRawData(com.google.protobuf.ByteString.copyFrom(b.array())).build();
    }

    private static TensorProto scalar(String name, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .setRawData(com.google.protobuf.ByteString.copyFrom(b.array())).build();
    }
}
