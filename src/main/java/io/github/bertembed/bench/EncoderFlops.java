package io.github.bertembed.bench;

import ai.onnx.proto.OnnxMl;
import io.github.bertembed.onnx.OnnxModelFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The encoder's arithmetic, read from the model graph: 2·K·N FLOPs per token for every MatMul (or MatMulInteger)
 * against a weight matrix, plus attention's 4·seq·hidden per token and layer (scores and context).
 *
 * @param weightFlopsPerToken FLOPs per token of the weight multiplications
 * @param layers              attention layers (Softmax nodes)
 * @param hidden              hidden size
 */
public record EncoderFlops(long weightFlopsPerToken, int layers, int hidden) {

    public static EncoderFlops of(Path modelFile, int hidden) throws Exception {
        OnnxModelFile model = OnnxModelFile.read(modelFile);
        Map<String, long[]> shapes = new HashMap<>();
        for (OnnxMl.TensorProto t : model.graph().getInitializerList()) {
            shapes.put(t.getName(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
        }
        Map<String, String> dequantized = new HashMap<>();
        for (OnnxMl.NodeProto n : model.graph().getNodeList()) {
            if (n.getOpType().equals("DequantizeLinear") || n.getOpType().equals("Identity")
                    || n.getOpType().equals("Transpose")) {
                dequantized.put(n.getOutput(0), n.getInput(0));
            }
        }
        long flops = 0;
        int layers = 0;
        for (OnnxMl.NodeProto n : model.graph().getNodeList()) {
            String op = n.getOpType();
            if (op.equals("Softmax")) {
                layers++;
            }
            if (op.equals("MatMul") || op.equals("MatMulInteger") || op.equals("Gemm")) {
                String b = n.getInput(1);
                long[] dims = shapes.get(b);
                if (dims == null && dequantized.containsKey(b)) {
                    dims = shapes.get(dequantized.get(b));
                }
                if (dims != null && dims.length == 2) {
                    flops += 2 * dims[0] * dims[1];
                }
            }
        }
        return new EncoderFlops(flops, layers, hidden);
    }

    /** Total FLOPs of encoder runs that processed {@code paddedTokens} tokens with Σ batch·seq² = {@code tokenSeq}. */
    public double flops(long paddedTokens, long tokenSeq) {
        return (double) weightFlopsPerToken * paddedTokens + 4.0 * hidden * layers * tokenSeq;
    }
}
