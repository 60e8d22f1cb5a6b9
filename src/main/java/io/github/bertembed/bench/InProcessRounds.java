package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The in-process side of {@link ServerComparison}: a JVM of its own (pinned where the server is pinned) that holds
 * an embedder and, on each command read from standard input, embeds the texts and answers with a JSON line. It
 * sleeps between commands, so it and the server take turns on the same core without sharing a JVM (or, when it
 * hosts the server itself, sharing this JVM and its embedder).
 *
 * <p>Protocol: the first line is a {@link Setup}; it answers {@code {"ready": true}} after a warm-up (every text
 * one by one, then in calls of 32), with the {@code "url"} of the server it hosts on the same embedder when the
 * setup asks for one ({@link Setup#hostServer}: {@code loadtest --same-jvm}), and then also the {@code "socket"} port
 * of the same embedder behind a bare loopback socket ({@link RawSocketEmbedding}). Then {@code one} embeds every text one
 * by one ({@link Block}: seconds and latency percentiles), {@code calls N} embeds them in calls of N texts (seconds), {@code times FROM TO} embeds
 * texts FROM to TO (exclusive) one by one and answers each one's nanoseconds ({@link Times}), {@code quit} ends it.
 */
public final class InProcessRounds {
    /**
     * What to load and embed.
     *
     * @param hostServer also serve HTTP from this JVM, on the same embedder (see {@link Hosted}), so that the
     *                   served and in-process sides share one copy of the model and differ only by the HTTP path
     */
    public record Setup(String model, String modelsDir, int threads, List<String> texts, boolean hostServer) {
        /** A setup without a hosted server. */
        public Setup(String model, String modelsDir, int threads, List<String> texts) {
            this(model, modelsDir, threads, texts, false);
        }
    }

    /** A server this JVM runs beside its in-process calls, on their embedder: its address, and how to stop it. */
    public record Hosted(String url, AutoCloseable server) {
    }

    /** One pass over the texts: seconds in all and per-call latency percentiles in milliseconds (null in calls). */
    public record Block(int texts, double seconds, Double p50, Double p90, Double p99) {
        public double textsPerSecond() {
            return texts / seconds;
        }
    }

    /** The nanoseconds of each text of a slice, embedded one by one. */
    public record Times(long[] nanos) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private InProcessRounds() {
    }

    /**
     * Answers the parent's commands read from {@code input} on {@code output}, one JSON line each, until
     * {@code quit} or the end of the input: the whole life of the child JVM ({@code cli.InProcessRoundsChild} calls it
     * on its standard streams, which are pipes to the parent, never a terminal).
     * When the setup asks for a hosted server, {@code host} is started on the embedder (built as a server's, without
     * normalization: requests choose it) and stopped at the end; the bench package knows no server, so the CLI's
     * child main passes it.
     */
    public static void serve(InputStream input, OutputStream output, Function<SentenceEmbedder, Hosted> host)
            throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(output, StandardCharsets.UTF_8);
        Setup setup = JSON.readValue(in.readLine(), Setup.class);
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().model(setup.model())
                .modelsDir(setup.modelsDir() == null ? null : Path.of(setup.modelsDir())).threads(setup.threads())
                .normalize(!setup.hostServer()).build()) {
            Hosted hosted = setup.hostServer() ? host.apply(embedder) : null;
            try (RawSocketEmbedding raw = setup.hostServer() ? new RawSocketEmbedding(embedder, setup.texts())
                    : null) {
                commands(in, out, embedder, setup.texts(), hosted, raw);
            } finally {
                if (hosted != null) {
                    hosted.server().close();
                }
            }
        }
    }

    private static void commands(BufferedReader in, Writer out, SentenceEmbedder embedder, List<String> texts,
                                 Hosted hosted, RawSocketEmbedding raw) throws IOException {
        oneByOne(embedder, texts);
        inCalls(embedder, texts, 32);
        answer(out, hosted == null ? "{\"ready\": true}"
                : "{\"ready\": true, \"url\": " + JSON.writeValueAsString(hosted.url()) + ", \"socket\": "
                + raw.port() + "}");
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            Object answer;
            if (line.startsWith("calls ")) {
                answer = inCalls(embedder, texts, Integer.parseInt(line.substring(6).trim()));
            } else if (line.startsWith("times ")) {
                String[] range = line.substring(6).trim().split("\\s+");
                answer = times(embedder, texts.subList(Integer.parseInt(range[0]), Integer.parseInt(range[1])));
            } else {
                answer = oneByOne(embedder, texts);
            }
            answer(out, JSON.writeValueAsString(answer));
        }
    }

    private static void answer(Writer out, String line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }

    /** Every text embedded alone, one call each. */
    public static Block oneByOne(SentenceEmbedder embedder, List<String> texts) {
        Histogram latency = new Histogram(60_000_000_000L, 3);
        long t0 = System.nanoTime();
        for (String t : texts) {
            long s = System.nanoTime();
            embedder.embed(t);
            latency.recordValue(System.nanoTime() - s);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Block(texts.size(), seconds, latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(90) / 1e6, latency.getValueAtPercentile(99) / 1e6);
    }

    /** Each text embedded alone: its nanoseconds. */
    public static Times times(SentenceEmbedder embedder, List<String> texts) {
        long[] nanos = new long[texts.size()];
        for (int i = 0; i < nanos.length; i++) {
            long s = System.nanoTime();
            embedder.embed(texts.get(i));
            nanos[i] = System.nanoTime() - s;
        }
        return new Times(nanos);
    }

    /** The texts embedded in calls of {@code size} texts. */
    public static Block inCalls(SentenceEmbedder embedder, List<String> texts, int size) {
        long t0 = System.nanoTime();
        for (int i = 0; i < texts.size(); i += size) {
            embedder.embedAll(texts.subList(i, Math.min(texts.size(), i + size)));
        }
        return new Block(texts.size(), (System.nanoTime() - t0) / 1e9, null, null, null);
    }
}
