package io.github.bertembed.bench;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.StageListener;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.LongTextPolicy;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.tokenizer.BertTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The benchmark harness: warm-up, then latency percentiles of single texts (short, medium, long), throughput of
 * all documents at several batch sizes, the per-stage breakdown and the encoder's share of the machine's MatMul
 * rate; with peers, the same workloads through langchain4j and a plain onnxruntime + HuggingFace pipeline, in
 * the same run, each engine in a JVM of its own ({@link SideBySide}).
 *
 * <pre>{@code
 * BenchResults r = new Bench(options, System.err::println).run();
 * System.out.print(r.markdown());
 * }</pre>
 */
public final class Bench {
    /** What to measure. */
    public record Options(String model, Path modelsDir, Path corpus, int documents, List<Integer> batchSizes,
                          int threads, int iterations, int warmup, boolean compare, Integer maxLength,
                          LongTextPolicy longText, String baseline, int rounds) {
    }

    private final Options options;
    private final Consumer<String> log;

    public Bench(Options options, Consumer<String> log) {
        this.options = options;
        this.log = log;
    }

    public BenchResults run() throws Exception {
        BenchResults results = new BenchResults();
        List<String> docs = BenchCorpus.read(options.corpus(), options.documents());
        int cores = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
        results.machine.put("cpu", MachineRate.cpuName());
        results.machine.put("cores", Runtime.getRuntime().availableProcessors());
        results.machine.put("threads", cores);
        results.machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        results.machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        results.machine.put("model", options.model());
        results.machine.put("corpus", options.corpus() + " (" + docs.size() + " documents)");
        results.machine.put("max length", options.maxLength() == null ? "model default" : options.maxLength());
        results.machine.put("long texts", options.longText().name().toLowerCase());

        log.accept("measuring the MatMul rate");
        results.matMulGflops = MachineRate.matMulGflops(cores, 20);

        Path folder;
        boolean cls;
        EncoderFlops flops;
        List<float[]> ours32 = null;
        List<String> latencyTexts = latencyTexts(docs);
        try (SentenceEmbedder probe = embedder(32, StageListener.NONE)) {
            folder = probe.folder();
            cls = probe.pooling() == Pooling.CLS;
            flops = EncoderFlops.of(folder.resolve("model.onnx"), probe.inputEmbeddings().hidden());
        }

        for (int batch : options.batchSizes()) {
            StageClock clock = new StageClock();
            try (SentenceEmbedder e = embedder(batch, clock)) {
                log.accept("bert-embed: throughput at batch " + batch);
                e.embedAll(docs.subList(0, Math.min(200, docs.size())));
                clock.reset();
                long t0 = System.nanoTime();
                var detailed = e.embedDetailed(docs);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long tokens = detailed.stream().mapToLong(d -> d.tokens()).sum();
                results.throughput.add(new BenchResults.Throughput(BertEmbedPeer.NAME, options.longText() == LongTextPolicy.TRUNCATE
                        ? "truncate" : "truncate (embedAll)", batch, docs.size(), seconds, docs.size() / seconds, tokens / seconds));
                StageClock.Times st = clock.read();
                double gflops = flops.flops(st.paddedTokens(), st.paddedTokenSeq()) / (st.encoderNanos() / 1e9) / 1e9;
                results.stages.add(new BenchResults.Stages(batch, st.tokenizeNanos() / 1e6, st.inputEmbeddingsNanos() / 1e6,
                        st.encoderNanos() / 1e6, st.poolingNanos() / 1e6, st.javaShare(), gflops,
                        gflops / results.matMulGflops));
                if (batch == 32 || ours32 == null) {
                    ours32 = detailed.stream().map(d -> d.vector()).toList();
                }
            }
        }
        // Our defaults beside the measured setting, when that is not them: the model's maximum length, truncation.
        if (options.maxLength() != null || options.longText() != LongTextPolicy.DEFAULT) {
            try (SentenceEmbedder e = SentenceEmbedder.builder().model(options.model()).modelsDir(options.modelsDir())
                    .threads(options.threads()).batchSize(32).build()) {
                results.throughput.add(documentThroughput(e, LongTextPolicy.DEFAULT, docs,
                        "default: max length " + e.maxLength() + ", " + LongTextPolicy.DEFAULT.flagValue()));
            }
        }

        if (options.baseline() != null && ours32 != null) {
            SentenceEmbedder.Builder b = SentenceEmbedder.builder().model(options.baseline()).modelsDir(options.modelsDir())
                    .batchSize(32).threads(options.threads());
            if (options.maxLength() != null) {
                b.maxLength(options.maxLength());
            }
            try (SentenceEmbedder base = b.build()) {
                log.accept("baseline " + options.baseline() + ": throughput");
                base.embedAll(docs.subList(0, Math.min(200, docs.size())));
                long t0 = System.nanoTime();
                List<float[]> vectors = base.embedAll(docs);
                double seconds = (System.nanoTime() - t0) / 1e9;
                results.throughput.add(new BenchResults.Throughput("bert-embed " + options.baseline(), "baseline", 32,
                        docs.size(), seconds, docs.size() / seconds, Double.NaN));
                results.quality.put("cosine to " + options.baseline() + " (min / mean)", SideBySide.cosines(ours32, vectors));
                BenchResults.Throughput mine = results.throughput.stream().filter(t -> t.engine().equals(BertEmbedPeer.NAME)
                        && t.batchSize() == 32).findFirst().orElse(results.throughput.get(0));
                results.ratios.put("docs/s " + options.model() + " / " + options.baseline(),
                        mine.documentsPerSecond() / (docs.size() / seconds));
            }
        }
        new SideBySide(options, log, folder, cls).run(results, docs.size(), latencyTexts, ours32);
        return results;
    }

    /** Documents through {@link DocumentEmbedder}, after a short warm-up. */
    private static BenchResults.Throughput documentThroughput(SentenceEmbedder e, LongTextPolicy policy,
                                                              List<String> docs, String setting) {
        DocumentEmbedder documents = new DocumentEmbedder(e, policy, DocumentEmbedder.defaultStride(e));
        documents.embed(docs.subList(0, Math.min(200, docs.size())).iterator(), r -> { });
        long t0 = System.nanoTime();
        long[] tokens = {0};
        documents.embed(docs.iterator(), r -> tokens[0] += r.tokens());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new BenchResults.Throughput(BertEmbedPeer.NAME, setting, e.batchSize(), docs.size(), seconds,
                docs.size() / seconds, tokens[0] / seconds);
    }

    private SentenceEmbedder embedder(int batch, StageListener listener) {
        SentenceEmbedder.Builder b = SentenceEmbedder.builder().model(options.model()).modelsDir(options.modelsDir())
                .batchSize(batch).threads(options.threads()).stageListener(listener);
        if (options.maxLength() != null) {
            b.maxLength(options.maxLength());
        }
        return b.build();
    }

    /** A short (~12 tokens), medium (~60) and long (~250, or the max length) text from the corpus. */
    private List<String> latencyTexts(List<String> docs) {
        BertTokenizer t = BertTokenizer.fromFile(io.github.bertembed.model.Models.tokenizerFile(
                io.github.bertembed.model.Models.resolve(options.model(), options.modelsDir())));
        int[] lengths = docs.stream().mapToInt(d -> t.encode(d).length()).toArray();
        List<String> out = new ArrayList<>();
        for (int target : new int[] {12, 60, 250}) {
            int best = 0;
            for (int i = 1; i < lengths.length; i++) {
                if (Math.abs(lengths[i] - target) < Math.abs(lengths[best] - target)) {
                    best = i;
                }
            }
            out.add(docs.get(best));
        }
        return out;
    }
}
