package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.List;

/**
 * Finds fp32 self-attention blocks as PyTorch exports BERT: from each Softmax, the three projections (MatMul by a
 * weight, Add a bias, head Reshape and Transpose) of one input, the scaled scores with the additive mask, the
 * context and the head merge. A block that differs in any part (quantized weights, other layouts) is no match.
 */
final class AttentionPattern {
    private final GraphIndex index;

    AttentionPattern(GraphIndex index) {
        this.index = index;
    }

    /** One attention block's parts. */
    record Block(String input, TensorProto[] weights, TensorProto[] biases, List<NodeProto> projections,
                         String output, int heads) {
    }

    /**
     * From a Softmax: probs · V ← Transpose ← Reshape ← Add(bias) ← MatMul(x, Wv); scores ← (Div|Mul)? ←
     * MatMul(Q, Kᵀ) with Q and K built the same way from the same x; context → Transpose → Reshape (the output).
     */
    Block match(NodeProto softmax) {
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
        NodeProto node = index.producer(softmax.getInput(0));
        if (node == null || !node.getOpType().equals("Add")) {
            return null;
        }
        NodeProto scores = null;
        for (String in : node.getInputList()) {
            NodeProto p = index.producer(in);
            while (p != null && (p.getOpType().equals("Div") || p.getOpType().equals("Mul"))
                    && index.constantNode(p.getInput(1)) != null) {
                p = index.producer(p.getInput(0));
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
        NodeProto transpose = index.producer(value);
        if (transpose == null || !transpose.getOpType().equals("Transpose")) {
            return null;
        }
        NodeProto reshape = index.producer(transpose.getInput(0));
        if (reshape == null || !reshape.getOpType().equals("Reshape")) {
            return null;
        }
        NodeProto add = index.producer(reshape.getInput(0));
        if (add == null || !add.getOpType().equals("Add")) {
            return null;
        }
        TensorProto bias = null;
        NodeProto matMul = null;
        for (String in : add.getInputList()) {
            if (index.initializer(in) != null) {
                bias = index.initializer(in);
            } else if (index.producer(in) != null && index.producer(in).getOpType().equals("MatMul")) {
                matMul = index.producer(in);
            }
        }
        if (bias == null || matMul == null || index.initializer(matMul.getInput(1)) == null) {
            return null;
        }
        TensorProto weight = index.initializer(matMul.getInput(1));
        if (weight.getDataType() != TensorProto.DataType.FLOAT_VALUE || weight.getDimsCount() != 2
                || bias.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return null;
        }
        // The projection's result must feed only this head reshape (and shape queries of it).
        for (NodeProto c : index.consumers(add.getOutput(0))) {
            if (c != reshape && !c.getOpType().equals("Shape")) {
                return null;
            }
        }
        return new Projection(matMul.getInput(0), weight, bias, matMul, add, reshape, transpose);
    }

    /** The head size from a head-split Reshape's target shape: [.., .., heads, headSize]. */
    private int headSize(NodeProto reshape) {
        String shape = reshape.getInput(1);
        TensorProto t = index.constant(shape);
        if (t != null) {
            long[] dims = OnnxModelFile.longs(t);
            return dims.length == 4 ? (int) dims[3] : -1;
        }
        NodeProto concat = index.producer(shape);
        if (concat != null && concat.getOpType().equals("Concat") && concat.getInputCount() == 4) {
            TensorProto last = index.constantNode(concat.getInput(3));
            if (last != null) {
                return (int) OnnxModelFile.longs(last)[0];
            }
        }
        return -1;
    }

    /** The one consumer of a value that is not a Shape query (exports compute reshape targets from shapes). */
    private NodeProto single(String value, String op) {
        NodeProto found = null;
        for (NodeProto c : index.consumers(value)) {
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
}
