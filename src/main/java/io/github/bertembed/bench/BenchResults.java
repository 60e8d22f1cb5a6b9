package io.github.bertembed.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one bench run measured; serialized as JSON and rendered as Markdown and a chart. */
public final class BenchResults {
    /** Latency percentiles of single-text embedding, milliseconds. */
    public record Latency(String engine, String text, int tokens, double p50, double p90, double p99, double max,
                          long samples) {
    }

    /** Throughput of embedding all documents. */
    public record Throughput(String engine, String setting, int batchSize, int documents, double seconds,
                             double documentsPerSecond, double tokensPerSecond) {
    }

    /** Where our time went at one batch size. */
    public record Stages(int batchSize, double tokenizeMs, double inputEmbeddingsMs, double encoderMs,
                         double poolingMs, double javaShare, double encoderGflops, double efficiency) {
    }

    /** The encoder's weight matrices applied to the short text's rows only: GEMM rate and time. */
    public final Map<String, Object> machine = new LinkedHashMap<>();
    public final List<Latency> latency = new ArrayList<>();
    public final List<Throughput> throughput = new ArrayList<>();
    public final List<Stages> stages = new ArrayList<>();
    /** With peers side by side: each engine's documents/s embedding only, and as a whole process, in run order. */
    public final Map<String, double[]> peers = new LinkedHashMap<>();
    public final Map<String, Double> ratios = new LinkedHashMap<>();
    public final Map<String, Object> quality = new LinkedHashMap<>();
    public double matMulGflops;

    /** The run as Markdown tables. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("## Machine\n\n");
        machine.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        sb.append(String.format("- onnxruntime fp32 MatMul 4096×384 @ 384×1536: %.1f GFLOP/s%n", matMulGflops));
        sb.append("\n## Throughput (all documents)\n\n| engine | setting | batch | docs | s | docs/s | tokens/s |\n|---|---|---|---|---|---|---|\n");
        for (Throughput t : throughput) {
            sb.append(String.format("| %s | %s | %d | %d | %.2f | %.1f | %.0f |%n", t.engine(), t.setting(),
                    t.batchSize(), t.documents(), t.seconds(), t.documentsPerSecond(), t.tokensPerSecond()));
        }
        sb.append("\n## Latency, one text per call (ms)\n\n| engine | text | tokens | p50 | p90 | p99 | max | n |\n|---|---|---|---|---|---|---|---|\n");
        for (Latency l : latency) {
            sb.append(String.format("| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %d |%n", l.engine(), l.text(),
                    l.tokens(), l.p50(), l.p90(), l.p99(), l.max(), l.samples()));
        }
        sb.append("\n## Stages (bert-embed, all documents)\n\n| batch | tokenize ms | input embeddings ms | encoder ms | pooling ms | Java share | encoder GFLOP/s | of MatMul rate |\n|---|---|---|---|---|---|---|---|\n");
        for (Stages s : stages) {
            sb.append(String.format("| %d | %.0f | %.0f | %.0f | %.0f | %.1f%% | %.1f | %.1f%% |%n", s.batchSize(),
                    s.tokenizeMs(), s.inputEmbeddingsMs(), s.encoderMs(), s.poolingMs(), 100 * s.javaShare(),
                    s.encoderGflops(), 100 * s.efficiency()));
        }
        if (!ratios.isEmpty()) {
            sb.append("\n## Ratios (same run)\n\n");
            ratios.forEach((k, v) -> sb.append(String.format("- %s: %.2f×%n", k, v)));
        }
        if (!quality.isEmpty()) {
            sb.append("\n## Quality\n\n");
            quality.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        }
        return sb.toString();
    }
}
