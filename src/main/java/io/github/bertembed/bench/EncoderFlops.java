package io.github.bertembed.bench;

import io.github.bertembed.onnx.OnnxModelFile;

import java.nio.file.Path;

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
        return new EncoderFlops(model.weightFlopsPerToken(), model.attentionLayers(), hidden);
    }

    /** Total FLOPs of encoder runs that processed {@code paddedTokens} tokens with Σ batch·seq² = {@code tokenSeq}. */
    public double flops(long paddedTokens, long tokenSeq) {
        return (double) weightFlopsPerToken * paddedTokens + 4.0 * hidden * layers * tokenSeq;
    }
}
