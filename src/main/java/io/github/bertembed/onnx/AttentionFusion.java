package io.github.bertembed.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
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
    private final GraphIndex index;
    private final AttentionPattern pattern;

    private AttentionFusion(List<NodeProto> nodes, Collection<TensorProto> initializers) {
        this.nodes = nodes;
        this.index = new GraphIndex(nodes, initializers);
        this.pattern = new AttentionPattern(index);
    }

    /** The result: the new node list, the initializers to add, and how many blocks were fused. */
    record Result(List<NodeProto> nodes, List<TensorProto> newInitializers, int fused) {
    }

    static Result apply(List<NodeProto> nodes, Collection<TensorProto> initializers, String attentionMask) {
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
            AttentionPattern.Block b = pattern.match(softmax);
            if (b == null) {
                continue;
            }
            String prefix = "fused_attention_" + fused;
            added.add(concatWeights(prefix + ".qkv.weight", b.weights()));
            added.add(concatBiases(prefix + ".qkv.bias", b.biases()));
            NodeProto attention = NodeProto.newBuilder().setOpType("Attention").setDomain("com.microsoft")
                    .setName(prefix).addInput(b.input()).addInput(prefix + ".qkv.weight").addInput(prefix + ".qkv.bias")
                    .addInput(MASK_INT32).addOutput(b.output())
                    .addAttribute(AttributeProto.newBuilder().setName("num_heads")
                            .setType(AttributeProto.AttributeType.INT).setI(b.heads()))
                    .build();
            replacements.put(index.producer(b.output()), attention);
            for (NodeProto p : b.projections()) {
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
                out.add(ResidualBiasOrder.biasLast(n, index)); // what the fused blocks no longer use is pruned by the caller
            }
        }
        return new Result(out, added, fused);
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
