package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.onnx.EncoderRewrite;
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

    @Option(names = "--encoder-graph", paramLabel = "REWRITE", defaultValue = "fused_packed",
            description = "How the encoder graph runs: fused_packed (default: attention as onnxruntime's fused"
            + " operator, the other layers on the real tokens only), fused (the layers padded), plain (the model's"
            + " own operators).")
    EncoderRewrite encoderGraph;

    @Option(names = "--max-run-tokens", paramLabel = "N", defaultValue = "1024",
            description = "Most padded tokens (texts x the longest) in one encoder run (default ${DEFAULT-VALUE}).")
    int maxRunTokens;

    @Option(names = "--onnx-file", paramLabel = "NAME", description = "The model folder's ONNX file to run, when not"
            + " model.onnx: e.g. model_quantized.onnx or model_O4.onnx from a Hugging Face repo's onnx/ folder.")
    String onnxFile;

    SentenceEmbedder open() {
        SentenceEmbedder.Builder b = SentenceEmbedder.builder().model(model.model).modelsDir(model.modelsDir)
                .onnxFile(onnxFile).downloadProgress(DownloadBar.onTerminal())
                .batchSize(batchSize).threads(threads).encoderGraph(encoderGraph).maxRunTokens(maxRunTokens)
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
