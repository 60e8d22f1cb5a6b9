package io.github.bertembed.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives an embedding server ({@code POST /embed}, one text a request, TEI's shape) with N concurrent clients,
 * each sending the texts in turn over its own keep-alive connection, and measures throughput and latency
 * percentiles. The client is Apache HttpClient's classic (blocking) one: a request is one thread's write and read,
 * with no hand-offs between threads, so what the figures show is the server's cost. Run the clients on other cores
 * than the server ({@code taskset}), or the two compete for them.
 *
 * <pre>{@code
 * ServerLoad.Result r = new ServerLoad("http://127.0.0.1:8080", queries).run(16, 2000, 1024);
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
    private final List<byte[]> bodies = new ArrayList<>();

    public ServerLoad(String url, List<String> texts) {
        this.url = url.replaceAll("/+$", "") + "/embed";
        ObjectMapper json = new ObjectMapper();
        for (String t : texts) {
            try {
                bodies.add(json.writeValueAsBytes(Map.of("inputs", t)));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * {@code clients} threads sending {@code requests} single-text requests in all, after {@code warmup} requests
     * at the same concurrency (connections, the server's JIT).
     */
    public Result run(int clients, int requests, int warmup) throws InterruptedException {
        try (Clients c = new Clients(clients)) {
            c.send(0, Math.max(warmup, clients));
            Slice s = c.send(0, requests);
            Histogram latency = histogram(s.nanos());
            return new Result(clients, requests - s.errors(), s.errors(), s.wallNanos() / 1e9,
                    latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
                    latency.getValueAtPercentile(99) / 1e6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Texts sent by {@link Clients}: each answered request's nanoseconds, the wall time, errors. */
    private record Slice(long[] nanos, long wallNanos, int errors) {
    }

    /** {@code clients} clients, each on its own keep-alive connection. */
    private final class Clients implements AutoCloseable {
        private final int clients;
        private final CloseableHttpClient http;

        private Clients(int clients) {
            this.clients = clients;
            this.http = HttpClients.custom().setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(clients).setMaxConnPerRoute(clients).build()).build();
        }

        /** Sends texts {@code from} to {@code to} (exclusive), one request each, the clients sharing them out. */
        Slice send(int from, int to) throws InterruptedException {
            List<Long> nanos = new ArrayList<>(to - from);
            long t0 = System.nanoTime();
            int errors = ServerLoad.this.send(http, clients, from, to, nanos);
            long wall = System.nanoTime() - t0;
            return new Slice(nanos.stream().mapToLong(Long::longValue).toArray(), wall, errors);
        }

        @Override
        public void close() throws IOException {
            http.close();
        }
    }

    /** Nanoseconds in a histogram (of up to a minute each, three significant digits). */
    private static Histogram histogram(long[] nanos) {
        Histogram h = new Histogram(60_000_000_000L, 3);
        for (long n : nanos) {
            h.recordValue(n);
        }
        return h;
    }

    /** Texts {@code from} to {@code to} sent by {@code clients} threads; answered requests' times go to nanos. */
    private int send(CloseableHttpClient http, int clients, int from, int to, List<Long> nanos)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicInteger errors = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < Math.min(clients, to - from); c++) {
            Thread t = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                    HttpPost post = new HttpPost(url);
                    post.setEntity(new ByteArrayEntity(bodies.get(i % bodies.size()), ContentType.APPLICATION_JSON));
                    long s = System.nanoTime();
                    try {
                        int status = http.execute(post, response -> {
                            EntityUtils.consume(response.getEntity()); // the whole body, as a client reads it
                            return response.getCode();
                        });
                        long took = System.nanoTime() - s;
                        if (status != 200) {
                            errors.incrementAndGet();
                        } else if (nanos != null) {
                            synchronized (nanos) {
                                nanos.add(took);
                            }
                        }
                    } catch (IOException e) {
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
