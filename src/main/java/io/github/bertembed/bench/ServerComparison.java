package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A served and an in-process embedder measured in turns, round after round, in one run: the same texts one by one
 * in a JVM of its own ({@link InProcessRounds}, started with {@code pin}, e.g. {@code taskset -c 1}, where the
 * server is pinned), then sent to the server by 1, 32, ... concurrent clients ({@link ServerLoad}); the next
 * round starts with the other side. On a shared machine whose speed drifts by ±15% over seconds, ratios taken
 * within a round and their median across rounds are what can be compared. One client is measured side by side
 * with the in-process calls in slices of {@value #SLICE} texts, in turns (see {@link Paired}), so that a
 * latency difference of a fraction of a millisecond is not lost in the machine's drift between two passes.
 *
 * <pre>{@code
 * try (ServerComparison c = ServerComparison.start(url, texts, "all-minilm-l6-v2", null, 1, List.of("taskset", "-c", "1"),
 *         InProcessRoundsChild.class.getName())) {
 *     c.warmUp(32, 20_000);
 *     ServerComparison.Round r = c.round(List.of(1, 32), true);
 * }
 * }</pre>
 */
public final class ServerComparison implements AutoCloseable {
    /**
     * One round: the in-process pass one by one, in calls of 32, and each concurrency level served; the level of
     * one client is {@code alone}, measured side by side with in-process calls.
     */
    public record Round(InProcessRounds.Block oneByOne, InProcessRounds.Block callsOf32, List<ServerLoad.Result> served,
                        Paired alone) {
        /** Served requests/s at level {@code k} over in-process one-by-one texts/s (of the same slices, alone). */
        public double speedup(int k) {
            if (served.get(k).clients() == 1 && alone != null) {
                return alone.inProcessSeconds() / alone.servedSeconds();
            }
            return served.get(k).requestsPerSecond() / oneByOne.textsPerSecond();
        }

        /** Served p50 at level {@code k} minus in-process one-by-one p50, in milliseconds. */
        public double extraP50(int k) {
            if (served.get(k).clients() == 1 && alone != null) {
                return alone.servedP50() - alone.inProcessP50();
            }
            return served.get(k).p50() - oneByOne.p50();
        }
    }

    /**
     * One client and in-process calls of the same texts, slice by slice in turns (which side goes first alternates
     * from slice to slice): seconds in all (the sum of the calls) and p50 of each side in milliseconds.
     */
    public record Paired(int texts, double inProcessSeconds, double inProcessP50, double servedSeconds,
                         double servedP50, double servedP99) {
    }

    /*
     * Long enough that switching the core between the two JVMs is a small part of a slice: the first call after a
     * switch costs both sides 1-2 ms more (measured on the 2-core KVM machine: 3.6-6.1 ms against 2.4-3.3 for the
     * rest of the slice), and at 4 or 32 texts a slice that cost inflated the served side's p50 more than the
     * in-process one (median extra p50 over six passes: +0.68 ms at 4, +0.54 at 32, +0.37 at 128 and 256, +0.30 at
     * 512). At about half a second a slice, the turns still come faster than the machine's speed drifts.
     */
    static final int SLICE = 128;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process child;
    private final BufferedReader replies;
    private final Writer commands;
    private final ServerLoad load;
    private final int texts;
    private final ServerLoad.OneClient alone;

    private ServerComparison(Process child, ServerLoad load, int texts) {
        this.alone = load.oneClient();
        this.child = child;
        this.replies = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        this.load = load;
        this.texts = texts;
    }

    /**
     * Starts the in-process side (loads the model and warms it up on every text) and waits until it is ready.
     *
     * @param childMain the main class of the in-process JVM: one that calls {@link InProcessRounds#serve} on its
     *                  standard streams ({@code io.github.bertembed.cli.InProcessRoundsChild})
     */
    public static ServerComparison start(String url, List<String> texts, String model, Path modelsDir, int threads,
                                         List<String> pin, String childMain) throws IOException {
        List<String> command = new ArrayList<>(pin);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-cp",
                System.getProperty("java.class.path"), childMain));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ServerComparison c = new ServerComparison(child, new ServerLoad(url, texts), texts.size());
        c.send(JSON.writeValueAsString(new InProcessRounds.Setup(model,
                modelsDir == null ? null : modelsDir.toString(), threads, texts)));
        String ready = c.replies.readLine();
        if (ready == null || !ready.contains("ready")) {
            c.close();
            throw new IOException("the in-process side did not start (" + String.join(" ", command) + ")");
        }
        return c;
    }

    /** Sends {@code requests} requests from {@code clients} clients to warm the server up (its JIT, connections). */
    public void warmUp(int clients, int requests) throws InterruptedException {
        load.run(clients, requests, 0);
    }

    /** One round; {@code inProcessFirst} says which side goes first. */
    public Round round(List<Integer> clients, boolean inProcessFirst) throws IOException, InterruptedException {
        InProcessRounds.Block one = null;
        InProcessRounds.Block calls = null;
        if (inProcessFirst) {
            one = ask("one");
            calls = ask("calls 32");
        }
        List<ServerLoad.Result> served = new ArrayList<>();
        Paired paired = null;
        for (int c : clients) {
            if (c == 1) {
                paired = paired(inProcessFirst);
                served.add(new ServerLoad.Result(1, paired.texts(), 0, paired.servedSeconds(), paired.servedP50(),
                        Double.NaN, paired.servedP99()));
            } else {
                served.add(load.run(c, texts, 4 * c)); // a few requests per client first: its connection
            }
        }
        if (!inProcessFirst) {
            one = ask("one");
            calls = ask("calls 32");
        }
        return new Round(one, calls, served, paired);
    }

    /** Every text in-process and served by one client, {@value #SLICE} at a time, in turns. */
    private Paired paired(boolean inProcessFirst) throws IOException {
        Histogram in = new Histogram(60_000_000_000L, 3);
        Histogram out = new Histogram(60_000_000_000L, 3);
        long inNanos = 0;
        long outNanos = 0;
        boolean inFirst = inProcessFirst;
        for (int from = 0; from < texts; from += SLICE) {
            int to = Math.min(texts, from + SLICE);
            for (int side = 0; side < 2; side++) {
                boolean inProcess = (side == 0) == inFirst;
                long[] nanos = inProcess
                        ? JSON.readValue(askLine("times " + from + " " + to), InProcessRounds.Times.class).nanos()
                        : alone.send(from, to);
                long sum = 0;
                for (long n : nanos) {
                    (inProcess ? in : out).recordValue(n);
                    sum += n;
                }
                if (inProcess) {
                    inNanos += sum;
                } else {
                    outNanos += sum;
                }
            }
            inFirst = !inFirst;
        }
        return new Paired(texts, inNanos / 1e9, in.getValueAtPercentile(50) / 1e6, outNanos / 1e9,
                out.getValueAtPercentile(50) / 1e6, out.getValueAtPercentile(99) / 1e6);
    }

    /** The median of values. */
    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private InProcessRounds.Block ask(String command) throws IOException {
        return JSON.readValue(askLine(command), InProcessRounds.Block.class);
    }

    private String askLine(String command) throws IOException {
        send(command);
        String reply = replies.readLine();
        if (reply == null) {
            throw new IOException("the in-process side ended before answering " + command);
        }
        return reply;
    }

    private void send(String line) throws IOException {
        commands.write(line);
        commands.write('\n');
        commands.flush();
    }

    @Override
    public void close() {
        try {
            alone.close();
        } catch (IOException e) {
            // the connection is gone already
        }
        try {
            send("quit");
        } catch (IOException e) {
            // it has ended already
        }
        try {
            if (!child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            child.destroyForcibly();
        }
    }
}
