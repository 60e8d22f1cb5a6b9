package io.github.bertembed.bench;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.batch.LongTextPolicy;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.BertTokenizer;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The benchmark harness: warm-up, then latency percentiles of single texts (short, medium, long), throughput of
 * all documents at several batch sizes, the per-stage breakdown and the encoder's share of the machine's MatMul
 * rate; with peers, the same workloads through langchain4j and a plain onnxruntime + HuggingFace pipeline, in
 * the same run.
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
        try (SentenceEmbedder probe = embedder(32)) {
            folder = probe.folder();
            cls = probe.pooling() == Pooling.CLS;
            flops = EncoderFlops.of(folder.resolve("model.onnx"), probe.dimension());
            // The short text's GEMMs alone, at its own row count: a floor under its latency on this machine.
            int rows = probe.tokenizer().encode(latencyTexts.get(0)).length();
            log.accept("measuring the GEMM rate at " + rows + " rows");
            results.shortTextGemm = MachineRate.shortTextGemm(cores, rows, probe.dimension(), probe.layers(), 200);
        }

        for (int batch : options.batchSizes()) {
            try (SentenceEmbedder e = embedder(batch)) {
                log.accept("bert-embed: throughput at batch " + batch);
                e.embedAll(docs.subList(0, Math.min(200, docs.size())));
                e.resetStageTimes();
                long t0 = System.nanoTime();
                var detailed = e.embedDetailed(docs);
                double seconds = (System.nanoTime() - t0) / 1e9;
                long tokens = detailed.stream().mapToLong(d -> d.tokens()).sum();
                results.throughput.add(new BenchResults.Throughput("bert-embed", options.longText() == LongTextPolicy.TRUNCATE
                        ? "truncate" : "truncate (embedAll)", batch, docs.size(), seconds, docs.size() / seconds, tokens / seconds));
                var st = e.stageTimes();
                double gflops = flops.flops(st.paddedTokens(), st.paddedTokenSeq()) / (st.encoderNanos() / 1e9) / 1e9;
                results.stages.add(new BenchResults.Stages(batch, st.tokenizeNanos() / 1e6, st.inputEmbeddingsNanos() / 1e6,
                        st.encoderNanos() / 1e6, st.poolingNanos() / 1e6, st.javaShare(), gflops,
                        gflops / results.matMulGflops));
                if (batch == 32 || ours32 == null) {
                    ours32 = detailed.stream().map(d -> d.vector()).toList();
                }
            }
        }
        // Our default beside the measured setting, when that is not the default: nothing dropped, long texts chunked.
        if (options.maxLength() != null || options.longText() != LongTextPolicy.CHUNK) {
            try (SentenceEmbedder e = SentenceEmbedder.builder().model(options.model()).modelsDir(options.modelsDir())
                    .threads(options.threads()).batchSize(32).build()) {
                results.throughput.add(documentThroughput(e, LongTextPolicy.CHUNK, docs,
                        "default: max length " + e.maxLength() + ", chunk"));
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
                results.quality.put("cosine to " + options.baseline() + " (min / mean)", cosines(ours32, vectors));
                BenchResults.Throughput mine = results.throughput.stream().filter(t -> t.engine().equals("bert-embed")
                        && t.batchSize() == 32).findFirst().orElse(results.throughput.get(0));
                results.ratios.put("docs/s " + options.model() + " / " + options.baseline(),
                        mine.documentsPerSecond() / (docs.size() / seconds));
            }
        }
        sideBySide(results, docs, latencyTexts, folder, cls, cores, ours32);
        return results;
    }

    private static final List<String> SIZES = List.of("short", "medium", "long");

    /** Documents through {@link DocumentEmbedder}, after a short warm-up. */
    private static BenchResults.Throughput documentThroughput(SentenceEmbedder e, LongTextPolicy policy,
                                                              List<String> docs, String setting) {
        DocumentEmbedder documents = new DocumentEmbedder(e, policy, DocumentEmbedder.defaultStride(e));
        documents.embed(docs.subList(0, Math.min(200, docs.size())).iterator(), r -> { });
        long t0 = System.nanoTime();
        long[] tokens = {0};
        documents.embed(docs.iterator(), r -> tokens[0] += r.tokens());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new BenchResults.Throughput("bert-embed", setting, e.batchSize(), docs.size(), seconds,
                docs.size() / seconds, tokens[0] / seconds);
    }

    /** One engine measured side by side with the others. */
    private record Engine(String name, String setting, int batchSize, BertTokenizer tokenizer,
                          Function<String, float[]> embed, Function<List<String>, List<float[]>> embedAll) {
    }

    /**
     * Our {@link DocumentEmbedder} (the {@code embed --input} path) and, with {@code --compare}, langchain4j and the
     * plain onnxruntime + HuggingFace pipeline: throughput of all documents and single-text latency. The engines
     * alternate, round after round, each round starting with the next engine, so that a change in this shared
     * machine's speed falls on all of them alike instead of on whichever ran last.
     */
    private void sideBySide(BenchResults results, List<String> docs, List<String> latencyTexts, Path folder,
                            boolean cls, int cores, List<float[]> ours32) throws Exception {
        int maxLength = options.maxLength() != null ? options.maxLength() : 128;
        long[] ourTokens = {0};
        try (SentenceEmbedder e = embedder(32);
             LangChain4jPeer l4j = options.compare() ? new LangChain4jPeer(folder, cls) : null;
             PlainOnnxPipeline plain = options.compare() ? new PlainOnnxPipeline(folder, maxLength, 32, cores, cls) : null) {
            DocumentEmbedder documents = new DocumentEmbedder(e, options.longText(), DocumentEmbedder.defaultStride(e));
            List<Engine> engines = new ArrayList<>();
            engines.add(new Engine("bert-embed", "DocumentEmbedder, " + options.longText().name().toLowerCase(),
                    e.batchSize(), e.tokenizer(), e::embed, texts -> {
                        List<float[]> out = new ArrayList<>(texts.size());
                        documents.embed(texts.iterator(), r -> {
                            out.add(r.vector());
                            ourTokens[0] += r.tokens();
                        });
                        return out;
                    }));
            if (l4j != null) {
                engines.add(new Engine("langchain4j", L4J_SETTING, 1, null, l4j::embed, l4j::embedAll));
                engines.add(new Engine("onnxruntime+HF", "sorted batches of 32, " + cores + " threads", 32, null,
                        plain::embed, plain::embedAll));
            }
            int rounds = Math.max(1, options.rounds());
            double[] seconds = new double[engines.size()];
            List<float[]> theirs = null;
            for (Engine engine : engines) {
                engine.embedAll().apply(docs.subList(0, Math.min(200, docs.size())));
            }
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < engines.size(); k++) {
                    int i = (round + k) % engines.size();
                    Engine engine = engines.get(i);
                    log.accept(engine.name() + ": throughput, round " + (round + 1) + " of " + rounds);
                    if (i == 0) {
                        ourTokens[0] = 0;
                    }
                    long t0 = System.nanoTime();
                    List<float[]> vectors = engine.embedAll().apply(docs);
                    seconds[i] += (System.nanoTime() - t0) / 1e9;
                    if (engine.name().equals("langchain4j")) {
                        theirs = vectors;
                    }
                }
            }
            for (int i = 0; i < engines.size(); i++) {
                Engine engine = engines.get(i);
                double perRound = seconds[i] / rounds;
                results.throughput.add(new BenchResults.Throughput(engine.name(), engine.setting(), engine.batchSize(),
                        docs.size(), perRound, docs.size() / perRound, i == 0 ? ourTokens[0] / perRound : Double.NaN));
            }
            if (theirs != null && ours32 != null) {
                results.quality.put("cosine to langchain4j (min / mean)", cosines(ours32, theirs));
            }

            Histogram[][] histograms = new Histogram[engines.size()][SIZES.size()];
            for (Histogram[] row : histograms) {
                for (int s = 0; s < row.length; s++) {
                    row[s] = new Histogram(3_600_000_000L, 3);
                }
            }
            int warmup = Math.max(5, options.warmup() / rounds);
            int samples = Math.max(1, options.iterations() / rounds);
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < engines.size(); k++) {
                    int i = (round + k) % engines.size();
                    log.accept(engines.get(i).name() + ": latency, round " + (round + 1) + " of " + rounds);
                    for (int s = 0; s < SIZES.size(); s++) {
                        sample(engines.get(i).embed(), latencyTexts.get(s), warmup, samples, histograms[i][s]);
                    }
                }
            }
            for (int i = 0; i < engines.size(); i++) {
                Engine engine = engines.get(i);
                for (int s = 0; s < SIZES.size(); s++) {
                    int tokens = engine.tokenizer() == null ? -1 : engine.tokenizer().encode(latencyTexts.get(s)).length();
                    Histogram h = histograms[i][s];
                    results.latency.add(new BenchResults.Latency(engine.name(), SIZES.get(s), tokens,
                            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                            h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount()));
                }
            }
        }
        if (options.compare()) {
            ratios(results);
        }
    }

    private static final String L4J_SETTING = "embedAll (truncates at tokenizer.json's max)";

    private static void ratios(BenchResults results) {
        BenchResults.Throughput ours = results.throughput.stream()
                .filter(t -> t.engine().equals("bert-embed") && t.setting().startsWith("DocumentEmbedder"))
                .findFirst().orElseThrow();
        results.ratios.put("docs/s bert-embed (DocumentEmbedder) / langchain4j embedAll",
                ours.documentsPerSecond() / results.throughput("langchain4j", L4J_SETTING).documentsPerSecond());
        results.ratios.put("docs/s bert-embed (DocumentEmbedder) / onnxruntime+HF",
                ours.documentsPerSecond() / results.throughput.stream().filter(t -> t.engine().equals("onnxruntime+HF"))
                        .findFirst().orElseThrow().documentsPerSecond());
        if (results.shortTextGemm != null) {
            results.ratios.put("short text's GEMMs alone (no other operator) / langchain4j p50",
                    results.shortTextGemm.milliseconds() / p50(results, "langchain4j", "short"));
        }
        for (String size : SIZES) {
            double mine = p50(results, "bert-embed", size);
            results.ratios.put("p50 latency bert-embed / langchain4j, " + size + " text", mine / p50(results, "langchain4j", size));
            results.ratios.put("p50 latency bert-embed / onnxruntime+HF, " + size + " text",
                    mine / p50(results, "onnxruntime+HF", size));
        }
    }

    private static double p50(BenchResults results, String engine, String size) {
        return results.latency.stream().filter(l -> l.engine().equals(engine) && l.text().equals(size))
                .findFirst().orElseThrow().p50();
    }

    private static void sample(Function<String, float[]> embed, String text, int warmup, int samples, Histogram h) {
        for (int i = 0; i < warmup; i++) {
            embed.apply(text);
        }
        for (int i = 0; i < samples; i++) {
            long t = System.nanoTime();
            embed.apply(text);
            h.recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
        }
    }

    /** "min / mean" cosine between two lists of vectors. */
    private static String cosines(List<float[]> a, List<float[]> b) {
        double min = 1;
        double sum = 0;
        for (int i = 0; i < b.size(); i++) {
            double c = VectorMath.cosine(a.get(i), b.get(i));
            min = Math.min(min, c);
            sum += c;
        }
        return String.format("%.6f / %.6f", min, sum / b.size());
    }

    private SentenceEmbedder embedder(int batch) {
        SentenceEmbedder.Builder b = SentenceEmbedder.builder().model(options.model()).modelsDir(options.modelsDir())
                .batchSize(batch).threads(options.threads());
        if (options.maxLength() != null) {
            b.maxLength(options.maxLength());
        }
        return b.build();
    }

    /** A short (~12 tokens), medium (~60) and long (~250, or the max length) text from the corpus. */
    private List<String> latencyTexts(List<String> docs) {
        BertTokenizer t = BertTokenizer.fromFile(io.github.bertembed.Models.tokenizerFile(
                io.github.bertembed.Models.resolve(options.model(), options.modelsDir())));
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
