package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.bench.BenchCorpus;
import io.github.bertembed.bench.InProcessRounds;
import io.github.bertembed.bench.ServerComparison;
import io.github.bertembed.bench.ServerLoad;
import io.github.bertembed.bench.ShortQueries;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code loadtest}: a server under N concurrent clients, or the same texts embedded in-process for comparison. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, description = "Drive a running server (POST /embed,"
        + " one short query a request) with 1, 4, 16, 64 concurrent clients: requests/s and latency p50/p90/p99;"
        + " or, with --in-process, embed the same queries in this process (one by one, in calls of 32, all at"
        + " once) for comparison. Pin each side: taskset -c 1 for the server, -c 0 for the clients.")
final class LoadTestCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", description = "The server (e.g. http://127.0.0.1:8080).")
    String url;

    @Option(names = "--in-process", description = "Embed the queries in this process instead.")
    boolean inProcess;

    @Mixin
    ModelOptions model;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Model threads with --in-process (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--clients", split = ",", defaultValue = "1,4,16,64", paramLabel = "N,N,...",
            description = "Concurrency levels (default ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--requests", defaultValue = "2048", paramLabel = "N",
            description = "Requests per level (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--warmup", defaultValue = "20000", paramLabel = "N",
            description = "Requests sent before the first measured level (default ${DEFAULT-VALUE}: a JVM server"
                    + " reaches its steady speed only after its request path has been compiled, some ten thousand"
                    + " requests): at the highest --clients level, and with --rounds at every level (and a quarter"
                    + " as many texts in-process). Each level then starts with 4 requests a client.")
    int warmup;

    @Option(names = "--queries", defaultValue = "1024", paramLabel = "N",
            description = "Distinct short queries, 2-7 words from the corpus (default ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--whole-texts", description = "Send the corpus's texts whole (longer texts) instead of short"
            + " queries cut from them.")
    boolean wholeTexts;

    @Option(names = "--corpus", paramLabel = "FILE", description = "Corpus (default tests/corpora/fortunes-en.jsonl.gz).")
    Path corpus;

    @Option(names = "--plot", paramLabel = "FILE", description = "A PNG of throughput and latency against clients.")
    Path plot;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "0", description = "With --url or --same-jvm: N"
            + " rounds in which each --clients level sends the queries in slices, in turns with the same slices"
            + " embedded in-process one by one (in a JVM of its own, see --pin); prints each round and the median"
            + " ratios (default: no in-process side).")
    int rounds;

    @Option(names = "--same-jvm", description = "With --rounds, instead of --url: the in-process JVM also serves HTTP"
            + " (as serve --auto-truncate, every other limit at its default) on its own embedder, so that both sides"
            + " share one JVM and one copy of the model, and what differs between them is the HTTP path; the lone"
            + " client's slices also take turns with the same embedder over a bare loopback socket (a line in, the"
            + " text embedded, a line out), whose p50 the served one is also given over: the HTTP and JSON cost.")
    boolean sameJvm;

    @Option(names = "--pin", paramLabel = "COMMAND", description = "With --rounds: the command that pins the"
            + " in-process JVM where the server runs, e.g. \"taskset -c 1\" (default: none).")
    String pin;

    @Override
    public Integer call() throws Exception {
        if (sameJvm && (url != null || rounds < 1 || inProcess)) {
            System.err.println("loadtest: --same-jvm goes with --rounds and without --url (it hosts the server)");
            return Main.BAD_INPUT;
        }
        if (url == null && !sameJvm && !inProcess) {
            System.err.println("loadtest: give --url of a running server, or --in-process");
            return Main.BAD_INPUT;
        }
        List<String> read = BenchCorpus.read(corpus != null ? corpus : BenchCorpus.defaultCorpus(), 20_000);
        List<String> texts = wholeTexts ? read.subList(0, Math.min(queries, read.size()))
                : ShortQueries.from(read, queries);
        if (inProcess) {
            return inProcess(texts);
        }
        if (rounds > 0) {
            return compare(texts);
        }
        ServerLoad load = new ServerLoad(url, texts);
        List<ServerLoad.Result> results = new ArrayList<>();
        System.out.printf("%8s %10s %9s %9s %9s %7s%n", "clients", "requests/s", "p50 ms", "p90 ms", "p99 ms",
                "errors");
        load.run(Collections.max(clients), warmup, 0);
        for (int c : clients) {
            ServerLoad.Result r = load.run(c, requests, 4 * c);
            results.add(r);
            System.out.printf("%8d %10.1f %9.2f %9.2f %9.2f %7d%n", c, r.requestsPerSecond(), r.p50(), r.p90(),
                    r.p99(), r.errors());
        }
        if (plot != null) {
            plot(results, plot);
            System.out.println("plot: " + plot);
        }
        return 0;
    }

    private int inProcess(List<String> texts) {
        try (SentenceEmbedder e = SentenceEmbedder.builder().model(model.model).modelsDir(model.modelsDir)
                .threads(threads).build()) {
            for (int round = 0; round < 2; round++) { // the first round warms up
                InProcessRounds.Block one = InProcessRounds.oneByOne(e, texts);
                InProcessRounds.Block by32 = InProcessRounds.inCalls(e, texts, 32);
                InProcessRounds.Block all = InProcessRounds.inCalls(e, texts, texts.size());
                if (round == 1) {
                    System.out.printf("in-process, %d threads, %d %s: one by one %.1f texts/s (p50 %.2f ms,"
                                    + " p99 %.2f ms); embedAll of 32 %.1f texts/s; embedAll of all %.1f texts/s%n",
                            threads, texts.size(), what(), one.textsPerSecond(), one.p50(), one.p99(),
                            by32.textsPerSecond(), all.textsPerSecond());
                }
            }
        }
        return 0;
    }

    private String what() {
        return wholeTexts ? "whole texts" : "short queries";
    }

    /** In-process and served in turns, round by round; the medians of the per-round ratios. */
    private int compare(List<String> texts) throws Exception {
        List<String> pinCommand = pin == null || pin.isBlank() ? List.of() : List.of(pin.trim().split("\\s+"));
        try (ServerComparison c = ServerComparison.start(url, texts, model.model,
                model.modelsDir, threads, pinCommand, InProcessRoundsChild.class.getName())) {
            c.warmUp(clients, warmup);
            System.out.printf("%d %s, in-process (%s, %d threads) and served%s, in turns:%n", texts.size(), what(),
                    pinCommand.isEmpty() ? "not pinned" : String.join(" ", pinCommand), threads,
                    sameJvm ? " from the same JVM and embedder (" + c.url() + ")" : "");
            StringBuilder head = new StringBuilder(String.format("%5s %22s %22s", "round", "in-process 1x1 /s, p50",
                    "embedAll(32) texts/s"));
            for (int k : clients) {
                head.append(String.format(" | %30s %26s", k + " clients req/s, p50, p99", "beside it: in-process /s, p50"));
                if (k == 1 && c.hasRawSocket()) {
                    head.append(String.format(" %16s", "raw socket p50"));
                }
            }
            System.out.println(head);
            List<ServerComparison.Round> done = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                ServerComparison.Round round = c.round(clients, r % 2 == 0);
                done.add(round);
                StringBuilder line = new StringBuilder(String.format("%5d %12.1f %6.2f ms %22.1f", r + 1,
                        round.oneByOne().textsPerSecond(), round.oneByOne().p50(), round.callsOf32().textsPerSecond()));
                for (int k = 0; k < clients.size(); k++) {
                    ServerComparison.Paired p = round.paired().get(k);
                    ServerLoad.Result s = p.served();
                    line.append(String.format(" | %11.1f %6.2f ms %6.2f ms %16.1f %6.2f ms", s.requestsPerSecond(),
                            s.p50(), s.p99(), p.texts() / p.inProcessSeconds(), p.inProcessP50()));
                    if (!Double.isNaN(p.socketP50())) {
                        line.append(String.format(" %13.2f ms", p.socketP50()));
                    }
                }
                System.out.println(line);
            }
            for (int k = 0; k < clients.size(); k++) {
                int level = k;
                double[] each = done.stream().mapToDouble(r -> r.speedup(level)).sorted().toArray();
                double speedup = ServerComparison.median(each);
                double extraP50 = ServerComparison.median(done.stream().mapToDouble(r -> r.extraP50(level)).toArray());
                String overSocket = "";
                if (!Double.isNaN(done.get(0).paired().get(k).socketP50())) {
                    double[] http = done.stream().mapToDouble(r -> r.extraP50OverSocket(level)).sorted().toArray();
                    overSocket = String.format(", %+.2f ms over the same embedder called over a raw socket (the HTTP"
                            + " and JSON cost; rounds %+.2f to %+.2f)", ServerComparison.median(http), http[0],
                            http[http.length - 1]);
                }
                System.out.printf("median of %d rounds, %d clients: %.2fx in-process one-by-one throughput"
                        + " (rounds %.2f to %.2f); p50 %+.2f ms over in-process one by one%s%n", rounds, clients.get(k),
                        speedup, each[0], each[each.length - 1], extraP50, overSocket);
            }
        }
        return 0;
    }

    private static void plot(List<ServerLoad.Result> results, Path file) throws java.io.IOException {
        List<Double> x = new ArrayList<>();
        List<Double> rate = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (ServerLoad.Result r : results) {
            x.add((double) r.clients());
            rate.add(r.requestsPerSecond());
            p50.add(r.p50());
            p99.add(r.p99());
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title("Server under load: one short query a request")
                .xAxisTitle("concurrent clients").yAxisTitle("requests/s  |  ms").build();
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true)
                .setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.addSeries("requests/s", x, rate);
        chart.addSeries("p50 latency (ms)", x, p50);
        chart.addSeries("p99 latency (ms)", x, p99);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
