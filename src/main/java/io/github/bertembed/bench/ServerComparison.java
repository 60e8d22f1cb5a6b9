package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
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
 * within a round and their median across rounds are what can be compared. Each level is measured side by side
 * with in-process one-by-one calls of the same texts, slice by slice in turns (see {@link Paired}): one client in
 * slices of {@value #SLICE} texts, so that a latency difference of a fraction of a millisecond is not lost in the
 * machine's drift between two passes, and more clients in slices of {@value #LOAD_SLICE}. When the in-process JVM
 * hosts the server ({@code loadtest --same-jvm}), the lone client's slices take turns with a third side too: the
 * same embedder called over a bare loopback socket ({@link RawSocketEmbedding}), out of process but without HTTP or
 * JSON, so that the served p50 over it is the HTTP and JSON cost alone.
 *
 * <pre>{@code
 * try (ServerComparison c = ServerComparison.start(url, texts, "all-minilm-l6-v2", null, 1, List.of("taskset", "-c", "1"),
 *         InProcessRoundsChild.class.getName())) {
 *     c.warmUp(List.of(1, 32), 20_000);
 *     ServerComparison.Round r = c.round(List.of(1, 32), true);
 * }
 * }</pre>
 */
public final class ServerComparison implements AutoCloseable {
    /**
     * One round: the in-process passes one by one and in calls of 32, and each concurrency level served, side by
     * side with in-process one-by-one calls of the same texts ({@code paired}, in the order of the levels asked).
     */
    public record Round(InProcessRounds.Block oneByOne, InProcessRounds.Block callsOf32, List<Paired> paired) {
        /** Served requests/s at level {@code k} over in-process one-by-one texts/s, of the same slices. */
        public double speedup(int k) {
            return paired.get(k).inProcessSeconds() / paired.get(k).servedSeconds();
        }

        /** Served p50 at level {@code k} minus in-process one-by-one p50 of the same slices, in milliseconds. */
        public double extraP50(int k) {
            return paired.get(k).servedP50() - paired.get(k).inProcessP50();
        }

        /**
         * Served p50 at level {@code k} minus the raw socket's p50 of the same slices (the HTTP and JSON cost), in
         * milliseconds; NaN where the level had no raw-socket side.
         */
        public double extraP50OverSocket(int k) {
            return paired.get(k).servedP50() - paired.get(k).socketP50();
        }
    }

    /**
     * One concurrency level and in-process one-by-one calls of the same texts, slice by slice in turns (which side
     * goes first alternates from slice to slice): the in-process seconds (the sum of the calls), the served
     * seconds (the sum of the slices' wall times), and the p50 of each side's calls in milliseconds; with a raw
     * socket (one client, {@code --same-jvm}), its round trips' p50 too, else NaN.
     */
    public record Paired(int clients, int texts, double inProcessSeconds, double inProcessP50, double servedSeconds,
                         double servedP50, double servedP90, double servedP99, int errors, double socketP50) {
        /** The served side alone: requests answered, seconds and latency percentiles. */
        public ServerLoad.Result served() {
            return new ServerLoad.Result(clients, texts - errors, errors, servedSeconds, servedP50, servedP90,
                    servedP99);
        }
    }

    /*
     * Long enough that switching the core between the two JVMs is a small part of a slice: the first call after a
     * switch costs both sides 1-2 ms more (measured on the 2-core KVM machine, means of each pass in slices of 128 to
     * 512: 3.3-6.8 ms for a slice's first call, 2.4-4.2 for the rest), and at 4 or 32 texts a slice that cost
     * inflated the served side's p50 more than the in-process one (median extra p50 over six passes: +0.68 ms at 4,
     * +0.54 at 32, +0.37 at 128, +0.37 and +0.40 at 256, +0.30 at 512). At about half a second a slice, the turns
     * still come faster than the machine's speed drifts.
     */
    static final int SLICE = 128;

    /*
     * Several batches' worth at 32 clients, so that the first and last batch of a slice, where not every client
     * has a request in, are a small part of it.
     */
    static final int LOAD_SLICE = 256;

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process child;
    private final BufferedReader replies;
    private final Writer commands;
    private String url;
    private int socketPort; // the hosted embedder's raw socket; 0: none
    private ServerLoad load; // set once the in-process side is ready (it may host the server)
    private final int texts;

    private ServerComparison(Process child, int texts) {
        this.child = child;
        this.replies = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        this.texts = texts;
    }

    /**
     * Starts the in-process side (loads the model and warms it up on every text) and waits until it is ready.
     *
     * @param url       the server to measure; null: the in-process JVM hosts one on its own embedder
     *                  ({@link InProcessRounds.Setup#hostServer}), so that both sides share one copy of the model
     *                  and the rounds compare the HTTP path alone
     * @param childMain the main class of the in-process JVM: one that calls {@link InProcessRounds#serve} on its
     *                  standard streams ({@code io.github.bertembed.cli.InProcessRoundsChild})
     */
    public static ServerComparison start(String url, List<String> texts, String model, Path modelsDir, int threads,
                                         List<String> pin, String childMain) throws IOException {
        List<String> command = new ArrayList<>(pin);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-cp",
                System.getProperty("java.class.path"), childMain));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ServerComparison c = new ServerComparison(child, texts.size());
        c.send(JSON.writeValueAsString(new InProcessRounds.Setup(model,
                modelsDir == null ? null : modelsDir.toString(), threads, texts, url == null)));
        String ready = c.replies.readLine();
        JsonNode answer = ready == null ? null : JSON.readTree(ready);
        String served = url != null ? url : answer == null ? null : answer.path("url").asText(null);
        if (answer == null || !answer.path("ready").asBoolean() || served == null) {
            c.close();
            throw new IOException("the in-process side did not start (" + String.join(" ", command) + ")");
        }
        c.url = served;
        c.socketPort = answer.path("socket").asInt(0);
        c.load = new ServerLoad(served, texts);
        return c;
    }

    /** The server the rounds measure: the one given, or the one the in-process JVM hosts. */
    public String url() {
        return url;
    }

    /** Whether the lone client's slices also take turns with the raw socket (the in-process JVM hosts the server). */
    public boolean hasRawSocket() {
        return socketPort > 0;
    }

    /**
     * Warms both sides up on the paths the rounds measure: {@code requests} requests to the server at each level
     * (a lone request runs on its own thread and a loaded server batches, so each level has request-path code of
     * its own for the JIT to compile: on a fresh server at one client the compiler took 16% of the core at first and
     * 2% after a minute), and a quarter as many texts one by one in-process and, where there is one, over the raw
     * socket (the model path is the in-process one; only the socket's own few lines are new to the JIT).
     */
    public void warmUp(List<Integer> levels, int requests) throws IOException, InterruptedException {
        for (int clients : levels) {
            load.run(clients, requests, 0);
        }
        if (hasRawSocket() && levels.contains(1)) {
            try (RawClient raw = new RawClient(socketPort)) {
                for (int sent = 0; sent < requests / 4; sent += texts) {
                    raw.send(0, texts, null);
                }
            }
        }
        for (int embedded = 0; embedded < requests / 4; embedded += texts) {
            ask("one");
        }
    }

    /** One round; {@code inProcessFirst} says which side goes first. */
    public Round round(List<Integer> clients, boolean inProcessFirst) throws IOException, InterruptedException {
        InProcessRounds.Block one = null;
        InProcessRounds.Block calls = null;
        if (inProcessFirst) {
            one = ask("one");
            calls = ask("calls 32");
        }
        List<Paired> paired = new ArrayList<>();
        for (int c : clients) {
            paired.add(paired(c, inProcessFirst));
        }
        if (!inProcessFirst) {
            one = ask("one");
            calls = ask("calls 32");
        }
        return new Round(one, calls, paired);
    }

    /**
     * Every text in-process one by one and served by {@code clients} clients, a slice at a time, in turns; for one
     * client with a raw socket, over it too, the three sides' order rotating from slice to slice.
     */
    private Paired paired(int clients, boolean inProcessFirst) throws IOException, InterruptedException {
        int slice = clients == 1 ? SLICE : LOAD_SLICE;
        Histogram in = new Histogram(60_000_000_000L, 3);
        Histogram out = new Histogram(60_000_000_000L, 3);
        Histogram socket = new Histogram(60_000_000_000L, 3);
        long inNanos = 0;
        long outNanos = 0;
        int errors = 0;
        int sides = clients == 1 && hasRawSocket() ? 3 : 2;
        int first = inProcessFirst ? 0 : 1; // the side that opens the slice: 0 in-process, 1 served, 2 raw socket
        try (ServerLoad.Clients served = load.clients(clients);
             RawClient raw = sides == 3 ? new RawClient(socketPort) : null) {
            for (int from = 0; from < texts; from += slice) {
                int to = Math.min(texts, from + slice);
                for (int turn = 0; turn < sides; turn++) {
                    int side = (first + turn) % sides;
                    if (side == 2) {
                        raw.send(from, to, socket);
                    } else if (side == 0) {
                        long[] nanos = JSON.readValue(askLine("times " + from + " " + to), InProcessRounds.Times.class)
                                .nanos();
                        for (long n : nanos) {
                            in.recordValue(n);
                            inNanos += n;
                        }
                    } else {
                        ServerLoad.Slice s = served.send(from, to);
                        for (long n : s.nanos()) {
                            out.recordValue(n);
                        }
                        outNanos += s.wallNanos();
                        errors += s.errors();
                    }
                }
                first = (first + 1) % sides;
            }
        }
        return new Paired(clients, texts, inNanos / 1e9, in.getValueAtPercentile(50) / 1e6, outNanos / 1e9,
                out.getValueAtPercentile(50) / 1e6, out.getValueAtPercentile(90) / 1e6,
                out.getValueAtPercentile(99) / 1e6, errors,
                sides == 3 ? socket.getValueAtPercentile(50) / 1e6 : Double.NaN);
    }

    /** One connection to {@link RawSocketEmbedding}: a text's index out, its answer line back, timed. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final BufferedReader in;

        RawClient(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        }

        /** Texts {@code from} to {@code to} one at a time; each round trip's nanoseconds into {@code times}. */
        void send(int from, int to, Histogram times) throws IOException {
            for (int i = from; i < to; i++) {
                byte[] line = (i + "\n").getBytes(StandardCharsets.US_ASCII);
                long s = System.nanoTime();
                out.write(line);
                out.flush();
                String reply = in.readLine();
                long took = System.nanoTime() - s;
                if (reply == null || !reply.startsWith("ok ")) {
                    throw new IOException("the raw socket answered " + reply + " to text " + i);
                }
                if (times != null) {
                    times.recordValue(took);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
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
