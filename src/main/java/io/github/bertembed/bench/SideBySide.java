package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.pooling.VectorMath;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * bert-embed's {@code embed --input} path and, with {@code --compare}, langchain4j and the plain onnxruntime +
 * HuggingFace pipeline: throughput of all documents and single-text latency, each engine in a JVM of its own
 * ({@link PeerProcess}), as a user would run two programs. The engines take turns, round after round, each round
 * starting with the next engine, so that a change in this shared machine's speed falls on all of them alike.
 * Besides the embedding time, the whole process is timed (JVM start, model load, embedding), as a user's
 * stopwatch would.
 */
final class SideBySide {
    static final List<String> SIZES = List.of("short", "medium", "long");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Bench.Options options;
    private final Consumer<String> log;
    private final Path folder;
    private final boolean cls;

    SideBySide(Bench.Options options, Consumer<String> log, Path folder, boolean cls) {
        this.options = options;
        this.log = log;
        this.folder = folder;
        this.cls = cls;
    }

    /** @param documents how many documents each engine embeds (the corpus bench already read) */
    void run(BenchResults results, int documents, List<String> latencyTexts, List<float[]> ours) throws Exception {
        List<String> engines = new ArrayList<>(List.of(BertEmbedPeer.NAME));
        if (options.compare()) {
            engines.addAll(List.of(LangChain4jPeer.NAME, PlainOnnxPipeline.NAME));
        }
        int rounds = Math.max(1, options.rounds());
        Map<String, BenchResults.Throughput> embedding = new HashMap<>();
        Map<String, BenchResults.Throughput> wholeProcess = new HashMap<>();
        Path work = Files.createTempDirectory("bert-embed-bench");
        try {
            double[] seconds = new double[engines.size()];
            double[] wall = new double[engines.size()];
            long[] tokens = new long[engines.size()];
            PeerProcess.Response[] last = new PeerProcess.Response[engines.size()];
            Path theirVectors = work.resolve("langchain4j.vectors");
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < engines.size(); k++) {
                    int i = (round + k) % engines.size();
                    log.accept(engines.get(i) + ": throughput, round " + (round + 1) + " of " + rounds);
                    boolean keep = round == 0 && engines.get(i).equals(LangChain4jPeer.NAME);
                    long t0 = System.nanoTime();
                    last[i] = measure(work, request(engines.get(i), true, List.of(), keep ? theirVectors : null));
                    wall[i] += (System.nanoTime() - t0) / 1e9;
                    seconds[i] += last[i].seconds();
                    tokens[i] = last[i].tokens();
                }
            }
            for (int i = 0; i < engines.size(); i++) {
                double perRound = seconds[i] / rounds;
                double whole = wall[i] / rounds;
                embedding.put(engines.get(i), new BenchResults.Throughput(engines.get(i), last[i].setting(),
                        last[i].batchSize(), documents, perRound, documents / perRound, tokens[i] < 0 ? Double.NaN : tokens[i] / perRound));
                wholeProcess.put(engines.get(i), new BenchResults.Throughput(engines.get(i),
                        WHOLE_PROCESS,
                        last[i].batchSize(), documents, whole, documents / whole, Double.NaN));
                results.peers.put(engines.get(i), new double[]{documents / perRound, documents / whole});
                results.throughput.add(embedding.get(engines.get(i)));
                results.throughput.add(wholeProcess.get(engines.get(i)));
            }
            if (Files.exists(theirVectors) && ours != null) {
                results.quality.put("cosine to langchain4j (min / mean)", cosines(ours, PeerProcess.read(theirVectors)));
            }

            Histogram[][] histograms = new Histogram[engines.size()][SIZES.size()];
            int[][] textTokens = new int[engines.size()][SIZES.size()];
            for (Histogram[] row : histograms) {
                for (int s = 0; s < row.length; s++) {
                    row[s] = new Histogram(3_600_000_000L, 3);
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (int k = 0; k < engines.size(); k++) {
                    int i = (round + k) % engines.size();
                    log.accept(engines.get(i) + ": latency, round " + (round + 1) + " of " + rounds);
                    PeerProcess.Response r = measure(work, request(engines.get(i), false, latencyTexts, null));
                    for (int s = 0; s < SIZES.size(); s++) {
                        for (long micros : r.latencyMicros().get(s)) {
                            histograms[i][s].recordValue(micros);
                        }
                        textTokens[i][s] = r.textTokens().get(s);
                    }
                }
            }
            for (int i = 0; i < engines.size(); i++) {
                for (int s = 0; s < SIZES.size(); s++) {
                    Histogram h = histograms[i][s];
                    results.latency.add(new BenchResults.Latency(engines.get(i), SIZES.get(s), textTokens[i][s],
                            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                            h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount()));
                }
            }
        } finally {
            try (var files = Files.list(work)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(work);
        }
        if (options.compare()) {
            ratios(results, embedding, wholeProcess);
        }
    }

    static final String WHOLE_PROCESS = "whole process: JVM start, model load, embedding";

    private PeerProcess.Request request(String peer, boolean throughput, List<String> latencyTexts, Path vectorsOut) {
        int rounds = Math.max(1, options.rounds());
        return new PeerProcess.Request(peer, options.model(), options.modelsDir() == null ? null : options.modelsDir().toString(),
                folder.toString(), cls, options.maxLength(), options.longText().name(), options.threads(),
                options.corpus().toString(), options.documents(), throughput, latencyTexts,
                // Every measurement starts a cold JVM, so each gets the whole warm-up.
                options.warmup(),
                Math.max(1, options.iterations() / rounds),
                vectorsOut == null ? null : vectorsOut.toString());
    }

    /** One measurement in a child JVM. */
    private PeerProcess.Response measure(Path work, PeerProcess.Request request) throws Exception {
        Path in = Files.createTempFile(work, "request", ".json");
        Path out = Files.createTempFile(work, "response", ".json");
        JSON.writeValue(in.toFile(), request);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-cp", System.getProperty("java.class.path"), PeerProcess.class.getName(), in.toString(), out.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (p.waitFor() != 0) {
            throw new IOException(request.peer() + " failed in its own JVM (exit " + p.exitValue() + ")");
        }
        return JSON.readValue(out.toFile(), PeerProcess.Response.class);
    }

    private static void ratios(BenchResults results, Map<String, BenchResults.Throughput> embedding,
                               Map<String, BenchResults.Throughput> wholeProcess) {
        double ours = embedding.get(BertEmbedPeer.NAME).documentsPerSecond();
        results.ratios.put("docs/s bert-embed / langchain4j, embedding", ours
                / embedding.get(LangChain4jPeer.NAME).documentsPerSecond());
        results.ratios.put("docs/s bert-embed / langchain4j, " + wholeProcess.get(BertEmbedPeer.NAME).setting(),
                wholeProcess.get(BertEmbedPeer.NAME)
                .documentsPerSecond() / wholeProcess.get(LangChain4jPeer.NAME).documentsPerSecond());
        results.ratios.put("docs/s bert-embed / onnxruntime+HF, embedding", ours
                / embedding.get(PlainOnnxPipeline.NAME).documentsPerSecond());
        for (String size : SIZES) {
            double mine = p50(results, BertEmbedPeer.NAME, size);
            results.ratios.put("p50 latency bert-embed / langchain4j, " + size + " text", mine / p50(results, LangChain4jPeer.NAME, size));
            results.ratios.put("p50 latency bert-embed / onnxruntime+HF, " + size + " text",
                    mine / p50(results, PlainOnnxPipeline.NAME, size));
        }
    }

    private static double p50(BenchResults results, String engine, String size) {
        return results.latency.stream().filter(l -> l.engine().equals(engine) && l.text().equals(size))
                .findFirst().orElseThrow().p50();
    }

    /** "min / mean" cosine between two lists of vectors. */
    static String cosines(List<float[]> a, List<float[]> b) {
        double min = 1;
        double sum = 0;
        for (int i = 0; i < b.size(); i++) {
            double c = VectorMath.cosine(a.get(i), b.get(i));
            min = Math.min(min, c);
            sum += c;
        }
        return String.format("%.6f / %.6f", min, sum / b.size());
    }
}
