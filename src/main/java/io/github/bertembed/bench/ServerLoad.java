package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives an embedding server ({@code POST /embed}, one text a request, TEI's shape) with N concurrent clients,
 * each sending the texts in turn, and measures throughput and latency percentiles. Run the clients on other
 * cores than the server ({@code taskset}), or the two compete for them.
 *
 * <pre>{@code
 * ServerLoad.Result r = new ServerLoad("http://127.0.0.1:8080", queries).run(16, 2000);
 * }</pre>
 */
public final class ServerLoad {
    /** One concurrency level: requests answered, seconds, and latency percentiles in milliseconds. */
    public record Result(int clients, int requests, int errors, double seconds, double p50, double p90,
                         double p99) {
        public double requestsPerSecond() {
            return requests / seconds;
        }
    }

    private final String url;
    private final List<String> texts;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    public ServerLoad(String url, List<String> texts) {
        this.url = url.replaceAll("/+$", "");
        this.texts = texts;
    }

    /** {@code clients} threads sending {@code requests} single-text requests in all (after a warm-up of 50 each). */
    public Result run(int clients, int requests) throws InterruptedException {
        send(clients, clients * 50, null); // warm-up: connections, the server's JIT
        Histogram latency = new Histogram(60_000_000_000L, 3);
        long t0 = System.nanoTime();
        int errors = send(clients, requests, latency);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(clients, requests, errors, seconds, latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(90) / 1e6, latency.getValueAtPercentile(99) / 1e6);
    }

    private int send(int clients, int requests, Histogram latency) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                    try {
                        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/embed"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                                        Map.of("inputs", texts.get(i % texts.size()))))).build();
                        long s = System.nanoTime();
                        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        long took = System.nanoTime() - s;
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        } else if (latency != null) {
                            synchronized (latency) {
                                latency.recordValue(took);
                            }
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return errors.get();
    }
}
