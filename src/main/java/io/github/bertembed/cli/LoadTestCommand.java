package io.github.bertembed.cli;

import io.github.bertembed.bench.BenchCorpus;
import io.github.bertembed.bench.ServerLoad;
import io.github.bertembed.bench.ServerLoadPlot;
import io.github.bertembed.bench.ShortQueries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code loadtest}: a running server under N concurrent clients. */
@Command(name = "loadtest", mixinStandardHelpOptions = true, description = "Drive a running server (POST /embed,"
        + " one short query a request) with 1, 4, 16, 64 concurrent clients: requests/s and latency p50/p90/p99,"
        + " and a plot. Pin each side to its own cores (e.g. taskset -c 1 for the server, -c 0 for the clients).")
final class LoadTestCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", description = "The server (e.g. http://127.0.0.1:8080).")
    String url;

    @Option(names = "--clients", split = ",", defaultValue = "1,4,16,64", paramLabel = "N,N,...",
            description = "Concurrency levels (default ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--requests", defaultValue = "2048", paramLabel = "N",
            description = "Requests per level (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--warmup", defaultValue = "20000", paramLabel = "N",
            description = "Requests sent before the first measured level (default ${DEFAULT-VALUE}: a JVM server"
                    + " reaches its steady speed only after its request path has been compiled, some ten thousand"
                    + " requests), at the highest --clients level. Each level then starts with 4 requests a client.")
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

    @Override
    public Integer call() throws Exception {
        if (url == null) {
            System.err.println("loadtest: give --url of a running server");
            return Main.BAD_INPUT;
        }
        List<String> read = BenchCorpus.read(corpus != null ? corpus : BenchCorpus.defaultCorpus(), 20_000);
        List<String> texts = wholeTexts ? read.subList(0, Math.min(queries, read.size()))
                : ShortQueries.from(read, queries);
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
            ServerLoadPlot.write(results, servedModel(), plot);
            System.out.println("plot: " + plot);
        }
        return 0;
    }

    /** The served model's name, from its /info (TEI's model_id), for the plot's title. */
    private String servedModel() {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/info")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("model_id").asText("a model");
        } catch (java.io.IOException | RuntimeException e) {
            return "a model";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "a model";
        }
    }
}
