package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.onnx.SessionOptions;
import io.github.bertembed.pooling.Pooling;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of the commands that run the model. */
final class EmbedderOptions {
    @Mixin
    ModelOptions model;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Maximum tokens per text (default: the model's sentence-transformers max_seq_length,"
                    + " else the known model's, else its position table size; 'info' says which).")
    Integer maxLength;

    @Option(names = "--pooling", paramLabel = "MODE", description = "mean, cls or max (default: the model's own).")
    Pooling pooling;

    @Option(names = "--no-normalize", description = "Do not L2-normalize the vectors.")
    boolean noNormalize;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Texts per encoder run; default ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--threads", paramLabel = "N", description = "Threads in all (default: the cores).")
    int threads;

    @Option(names = "--optimization", paramLabel = "LEVEL", defaultValue = "all",
            description = "onnxruntime graph optimization: none, basic, extended, all (default).")
    String optimization;

    @Option(names = "--provider", paramLabel = "EP", defaultValue = "cpu",
            description = "Execution provider: cpu (default) or cuda (build with -Pcuda).")
    String provider;

    @Option(names = "--fuse-attention", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run attention as onnxruntime's fused Attention operator, residual biases folded into"
            + " SkipLayerNormalization (fp32 models; default). --no-fuse-attention runs the model's own operators.")
    boolean fuseAttention;

    @Option(names = "--pack-tokens", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With fused attention on the CPU, run each layer's projections, feed-forward network and"
            + " layer norms on the real tokens only, not the padding (default). --no-pack-tokens runs them padded.")
    boolean packTokens;

    @Option(names = "--max-batch-tokens", paramLabel = "N", defaultValue = "1024",
            description = "Most padded tokens in one encoder run (default 1024).")
    int maxBatchTokens;

    SentenceEmbedder open() {
        SentenceEmbedder.Builder b = SentenceEmbedder.builder().model(model.model).modelsDir(model.modelsDir)
                .batchSize(batchSize).threads(threads).fuseAttention(fuseAttention).packTokens(packTokens)
                .maxBatchTokens(maxBatchTokens)
                .sessionOptions(new SessionOptions(0, optimization, provider));
        if (maxLength != null) {
            b.maxLength(maxLength);
        }
        if (noNormalize) {
            b.normalize(false);
        }
        if (pooling != null) {
            b.pooling(pooling);
        }
        return b.build();
    }
}
