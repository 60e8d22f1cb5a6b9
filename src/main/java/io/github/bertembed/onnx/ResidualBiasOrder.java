package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/** Residual bias Adds written bias-second, for onnxruntime's SkipLayerNormalization fusion. */
final class ResidualBiasOrder {
    private ResidualBiasOrder() {
    }

    /**
     * {@code Add(bias, x)} as {@code Add(x, bias)}: the same sum (IEEE addition commutes), but onnxruntime's
     * SkipLayerNormalization fusion only folds a bias that comes second, and PyTorch exports put it first. With
     * the bias folded, the two residual blocks of a layer lose their separate bias Adds.
     */
    static NodeProto biasLast(NodeProto n, GraphIndex index) {
        if (!n.getOpType().equals("Add") || n.getInputCount() != 2) {
            return n;
        }
        TensorProto first = index.initializer(n.getInput(0));
        if (first == null || first.getDimsCount() != 1 || index.constant(n.getInput(1)) != null) {
            return n;
        }
        return n.toBuilder().setInput(0, n.getInput(1)).setInput(1, n.getInput(0)).build();
    }
}
