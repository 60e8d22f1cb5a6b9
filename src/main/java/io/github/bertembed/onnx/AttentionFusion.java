package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites each fp32 self-attention block of a BERT graph (three projections, head reshapes and transposes,
 * scaled scores, additive mask, softmax, context, merge) into onnxruntime's fused {@code com.microsoft.Attention}
 * operator, with Q, K and V weights concatenated into one matrix. About twenty small operators per layer become
 * one, which is what dominates the time of short inputs. In a graph with fused blocks, residual bias Adds are
 * also written bias-second, so that onnxruntime folds them into SkipLayerNormalization. Blocks that do not match
 * the pattern (quantized graphs, unusual exports) are left as they are.
 */
final class AttentionFusion {
    static final String MASK_INT32 = "attention_mask_int32";

    private final List<NodeProto> nodes;
    private final Map<String, TensorProto> initializers;
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<String, TensorProto> constants = new HashMap<>();

    private AttentionFusion(List<NodeProto> nodes, Map<String, TensorProto> initializers) {
        this.nodes = nodes;
        this.initializers = initializers;
        for (NodeProto n : nodes) {
            for (String o : n.getOutputList()) {
                producers.put(o, n);
            }
            for (String i : n.getInputList()) {
                consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
            }
            if (n.getOpType().equals("Constant")) {
                for (AttributeProto a : n.getAttributeList()) {
                    if (a.getName().equals("value")) {
                        constants.put(n.getOutput(0), a.getT());
                    }
                }
            }
        }
    }

    /** The result: the new node list, the initializers to add, and how many blocks were fused. */
    record Result(List<NodeProto> nodes, List<TensorProto> newInitializers, int fused) {
    }

    static Result apply(List<NodeProto> nodes, Map<String, TensorProto> initializers, String attentionMask) {
        return new AttentionFusion(nodes, initializers).run(attentionMask);
    }

    private Result run(String attentionMask) {
        Set<NodeProto> removed = new HashSet<>();
        Map<NodeProto, NodeProto> replacements = new HashMap<>();
        List<TensorProto> added = new ArrayList<>();
        int fused = 0;
        for (NodeProto softmax : nodes) {
            if (!softmax.getOpType().equals("Softmax")) {
                continue;
            }
            Block b = match(softmax);
            if (b == null) {
                continue;
            }
            String prefix = "fused_attention_" + fused;
            added.add(concatWeights(prefix + ".qkv.weight", b.weights));
            added.add(concatBiases(prefix + ".qkv.bias", b.biases));
            NodeProto attention = NodeProto.newBuilder().setOpType("Attention").setDomain("com.microsoft")
                    .setName(prefix).addInput(b.input).addInput(prefix + ".qkv.weight").addInput(prefix + ".qkv.bias")
                    .addInput(MASK_INT32).addOutput(b.output)
                    .addAttribute(AttributeProto.newBuilder().setName("num_heads")
                            .setType(AttributeProto.AttributeType.INT).setI(b.heads))
                    .build();
            replacements.put(producers.get(b.output), attention);
            for (NodeProto p : b.projections) {
                removed.add(p);
            }
            fused++;
        }
        if (fused == 0) {
            return new Result(nodes, List.of(), 0);
        }
        List<NodeProto> out = new ArrayList<>();
        out.add(NodeProto.newBuilder().setOpType("Cast").setName("mask_to_int32").addInput(attentionMask)
                .addOutput(MASK_INT32).addAttribute(AttributeProto.newBuilder().setName("to")
                        .setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.INT32_VALUE)).build());
        for (NodeProto n : nodes) {
            if (replacements.containsKey(n)) {
                out.add(replacements.get(n));
            } else if (!removed.contains(n)) {
                out.add(biasLast(n)); // what the fused blocks no longer use is pruned by the caller
            }
        }
        return new Result(out, added, fused);
    }

    /**
     * {@code Add(bias, x)} as {@code Add(x, bias)}: the same sum (IEEE addition commutes), but onnxruntime's
     * SkipLayerNormalization fusion only folds a bias that comes second, and PyTorch exports put it first. With
     * the bias folded, the two residual blocks of a layer lose their separate bias Adds.
     */
    private NodeProto biasLast(NodeProto n) {
        if (!n.getOpType().equals("Add") || n.getInputCount() != 2) {
            return n;
        }
        TensorProto first = initializers.get(n.getInput(0));
        if (first == null || first.getDimsCount() != 1 || initializers.containsKey(n.getInput(1))
                || constants.containsKey(n.getInput(1))) {
            return n;
        }
        return n.toBuilder().setInput(0, n.getInput(1)).setInput(1, n.getInput(0)).build();
    }

    /** One attention block's parts. */
    private record Block(String input, TensorProto[] weights, TensorProto[] biases, List<NodeProto> projections,
                         String output, int heads) {
    }

    /**
     * From a Softmax: probs · V ← Transpose ← Reshape ← Add(bias) ← MatMul(x, Wv); scores ← (Div|Mul)? ←
     * MatMul(Q, Kᵀ) with Q and K built the same way from the same x; context → Transpose → Reshape (the output).
     */
    private Block match(NodeProto softmax) {
        NodeProto context = single(softmax.getOutput(0), "MatMul");
        if (context == null || !context.getInput(0).equals(softmax.getOutput(0))) {
            return null;
        }
        NodeProto transposeOut = single(context.getOutput(0), "Transpose");
        NodeProto reshapeOut = transposeOut == null ? null : single(transposeOut.getOutput(0), "Reshape");
        if (reshapeOut == null) {
            return null;
        }
        Projection v = projection(context.getInput(1));
        // Walk back from the softmax to the scores MatMul: Add(mask), then optionally Div/Mul by the scale.
        NodeProto node = producers.get(softmax.getInput(0));
        if (node == null || !node.getOpType().equals("Add")) {
            return null;
        }
        NodeProto scores = null;
        for (String in : node.getInputList()) {
            NodeProto p = producers.get(in);
            while (p != null && (p.getOpType().equals("Div") || p.getOpType().equals("Mul"))
                    && constants.containsKey(p.getInput(1))) {
                p = producers.get(p.getInput(0));
            }
            if (p != null && p.getOpType().equals("MatMul")) {
                scores = p;
            }
        }
        if (scores == null || v == null) {
            return null;
        }
        Projection q = projection(scores.getInput(0));
        Projection k = projection(scores.getInput(1));
        if (q == null || k == null || !q.input.equals(k.input) || !q.input.equals(v.input)) {
            return null;
        }
        if (!isPermutation(q.transpose, 0, 2, 1, 3) || !isPermutation(k.transpose, 0, 2, 3, 1)
                || !isPermutation(v.transpose, 0, 2, 1, 3) || !isPermutation(transposeOut, 0, 2, 1, 3)) {
            return null;
        }
        int hidden = (int) q.weight.getDims(1);
        int headSize = headSize(k.reshape);
        if (headSize <= 0 || hidden % headSize != 0) {
            return null;
        }
        return new Block(q.input, new TensorProto[] {q.weight, k.weight, v.weight},
                new TensorProto[] {q.bias, k.bias, v.bias},
                List.of(q.matMul, q.add, k.matMul, k.add, v.matMul, v.add), reshapeOut.getOutput(0), hidden / headSize);
    }

    private record Projection(String input, TensorProto weight, TensorProto bias, NodeProto matMul, NodeProto add,
                              NodeProto reshape, NodeProto transpose) {
    }

    /** value ← Transpose ← Reshape ← Add(bias, ·) ← MatMul(x, W), W and bias float initializers. */
    private Projection projection(String value) {
        NodeProto transpose = producers.get(value);
        if (transpose == null || !transpose.getOpType().equals("Transpose")) {
            return null;
        }
        NodeProto reshape = producers.get(transpose.getInput(0));
        if (reshape == null || !reshape.getOpType().equals("Reshape")) {
            return null;
        }
        NodeProto add = producers.get(reshape.getInput(0));
        if (add == null || !add.getOpType().equals("Add")) {
            return null;
        }
        TensorProto bias = null;
        NodeProto matMul = null;
        for (String in : add.getInputList()) {
            if (initializers.containsKey(in)) {
                bias = initializers.get(in);
            } else if (producers.get(in) != null && producers.get(in).getOpType().equals("MatMul")) {
                matMul = producers.get(in);
            }
        }
        if (bias == null || matMul == null || !initializers.containsKey(matMul.getInput(1))) {
            return null;
        }
        TensorProto weight = initializers.get(matMul.getInput(1));
        if (weight.getDataType() != TensorProto.DataType.FLOAT_VALUE || weight.getDimsCount() != 2
                || bias.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return null;
        }
        // The projection's result must feed only this head reshape (and shape queries of it).
        for (NodeProto c : consumers.getOrDefault(add.getOutput(0), List.of())) {
            if (c != reshape && !c.getOpType().equals("Shape")) {
                return null;
            }
        }
        return new Projection(matMul.getInput(0), weight, bias, matMul, add, reshape, transpose);
    }

    /** The head size from a head-split Reshape's target shape: [.., .., heads, headSize]. */
    private int headSize(NodeProto reshape) {
        String shape = reshape.getInput(1);
        TensorProto t = constants.containsKey(shape) ? constants.get(shape) : initializers.get(shape);
        if (t != null) {
            long[] dims = OnnxModelFile.longs(t);
            return dims.length == 4 ? (int) dims[3] : -1;
        }
        NodeProto concat = producers.get(shape);
        if (concat != null && concat.getOpType().equals("Concat") && concat.getInputCount() == 4) {
            TensorProto last = constants.get(concat.getInput(3));
            if (last != null) {
                return (int) OnnxModelFile.longs(last)[0];
            }
        }
        return -1;
    }

    /** The one consumer of a value that is not a Shape query (exports compute reshape targets from shapes). */
    private NodeProto single(String value, String op) {
        NodeProto found = null;
        for (NodeProto c : consumers.getOrDefault(value, List.of())) {
            if (c.getOpType().equals("Shape")) {
                continue;
            }
            if (found != null || !c.getOpType().equals(op)) {
                return null;
            }
            found = c;
        }
        return found;
    }

    private static boolean isPermutation(NodeProto transpose, long... perm) {
        for (AttributeProto a : transpose.getAttributeList()) {
            if (a.getName().equals("perm")) {
                if (a.getIntsCount() != perm.length) {
                    return false;
                }
                for (int i = 0; i < perm.length; i++) {
                    if (a.getInts(i) != perm[i]) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    private static TensorProto concatWeights(String name, TensorProto[] w) {
        int rows = (int) w[0].getDims(0);
        int cols = (int) w[0].getDims(1);
        float[][] f = {OnnxModelFile.floats(w[0]), OnnxModelFile.floats(w[1]), OnnxModelFile.floats(w[2])};
        ByteBuffer b = ByteBuffer.allocate(rows * cols * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            for (float[] part : f) {
                for (int c = 0; c < cols; c++) {
                    b.putFloat(part[r * cols + c]);
                }
            }
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(rows).addDims(3L * cols).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static TensorProto concatBiases(String name, TensorProto[] bias) {
        ByteBuffer b = ByteBuffer.allocate(bias.length * bias[0].getDims(0) > 0 ? (int) (3 * bias[0].getDims(0) * 4) : 0)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (TensorProto t : bias) {
            for (float v : OnnxModelFile.floats(t)) {
                b.putFloat(v);
            }
        }
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(3 * bias[0].getDims(0)).setRawData(ByteString.copyFrom(b.array())).build();
    }
}
