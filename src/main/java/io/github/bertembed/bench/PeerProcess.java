package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.LongTextPolicy;

import java.io.DataOutputStream;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine measured in a JVM of its own, as a user's program would run it: {@code bench} starts one per engine,
 * round and measurement, so no engine shares a JVM (JIT, heap, idle onnxruntime threads) with another. Reads a
 * {@link Request} as JSON and writes a {@link Response}.
 *
 * <pre>{@code
 * java -cp bert-embed.jar io.github.bertembed.bench.PeerProcess request.json response.json
 * }</pre>
 */
public final class PeerProcess {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerProcess() {
    }

    /**
     * What to measure.
     *
     * @param peer         {@link BertEmbedPeer#NAME}, {@link LangChain4jPeer#NAME} or {@link PlainOnnxPipeline#NAME}
     * @param folder       the model folder (the peers read its files)
     * @param cls          CLS pooling (else mean)
     * @param throughput   all documents once (else the latency of each latency text)
     * @param vectorsOut   where to write the vectors of a throughput run (float32, little-endian), or null
     */
    public record Request(String peer, String model, String modelsDir, String folder, boolean cls, Integer maxLength,
                          String longText, int threads, String corpus, int documents, boolean throughput,
                          List<String> latencyTexts, int warmup, int samples, String vectorsOut) {
    }

    /**
     * What was measured.
     *
     * @param loadSeconds   from the start of {@link #measure} until the engine was ready
     * @param seconds       embedding all documents (throughput)
     * @param tokens        tokens the model saw, or -1
     * @param latencyMicros per latency text, each call's time in microseconds
     * @param textTokens    per latency text, its tokens, or -1
     */
    public record Response(String setting, int batchSize, double loadSeconds, double seconds, long tokens,
                           List<long[]> latencyMicros, List<Integer> textTokens) {
    }

    public static void main(String[] args) throws Exception {
        Request request = JSON.readValue(Path.of(args[0]).toFile(), Request.class);
        JSON.writeValue(Path.of(args[1]).toFile(), measure(request));
    }

    /** Opens the engine, measures, closes it. */
    public static Response measure(Request r) throws Exception {
        long t0 = System.nanoTime();
        try (Peer peer = open(r)) {
            double load = (System.nanoTime() - t0) / 1e9;
            if (r.throughput()) {
                List<String> docs = BenchCorpus.read(Path.of(r.corpus()), r.documents());
                long t1 = System.nanoTime();
                List<float[]> vectors = peer.embedAll(docs);
                double seconds = (System.nanoTime() - t1) / 1e9;
                if (r.vectorsOut() != null) {
                    write(vectors, Path.of(r.vectorsOut()));
                }
                return new Response(peer.setting(), peer.batchSize(), load, seconds, peer.lastTokens(), List.of(), List.of());
            }
            List<long[]> micros = new ArrayList<>();
            List<Integer> tokens = new ArrayList<>();
            for (String text : r.latencyTexts()) {
                for (int i = 0; i < r.warmup(); i++) {
                    peer.embed(text);
                }
                long[] m = new long[r.samples()];
                for (int i = 0; i < m.length; i++) {
                    long t = System.nanoTime();
                    peer.embed(text);
                    m[i] = Math.max(1, (System.nanoTime() - t) / 1000);
                }
                micros.add(m);
                tokens.add(peer.tokens(text));
            }
            return new Response(peer.setting(), peer.batchSize(), load, 0, -1, micros, tokens);
        }
    }

    private static Peer open(Request r) throws Exception {
        Path folder = Path.of(r.folder());
        int cores = r.threads() > 0 ? r.threads() : Runtime.getRuntime().availableProcessors();
        return switch (r.peer()) {
            case BertEmbedPeer.NAME -> {
                SentenceEmbedder.Builder b = SentenceEmbedder.builder().model(r.model())
                        .modelsDir(r.modelsDir() == null ? null : Path.of(r.modelsDir())).threads(r.threads()).batchSize(32);
                if (r.maxLength() != null) {
                    b.maxLength(r.maxLength());
                }
                yield new BertEmbedPeer(b.build(), LongTextPolicy.valueOf(r.longText()));
            }
            case LangChain4jPeer.NAME -> new LangChain4jPeer(folder, r.cls());
            case PlainOnnxPipeline.NAME -> new PlainOnnxPipeline(folder, r.maxLength() != null ? r.maxLength() : 128, 32,
                    cores, r.cls());
            default -> throw new IllegalArgumentException("unknown engine " + r.peer());
        };
    }

    private static void write(List<float[]> vectors, Path file) throws Exception {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(vectors.size());
            out.writeInt(vectors.isEmpty() ? 0 : vectors.get(0).length);
            for (float[] v : vectors) {
                for (float f : v) {
                    out.writeFloat(f);
                }
            }
        }
    }

    /** The vectors a throughput run wrote. */
    static List<float[]> read(Path file) throws Exception {
        try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            int d = in.readInt();
            List<float[]> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                float[] v = new float[d];
                for (int k = 0; k < d; k++) {
                    v[k] = in.readFloat();
                }
                out.add(v);
            }
            return out;
        }
    }
}
