package io.github.bertembed.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code GET /metrics} shows, in Prometheus text format. TEI's own metrics under TEI's own names, labels and
 * buckets, so that a dashboard or script written for TEI reads this server unchanged: {@code te_request_count},
 * {@code te_request_success} ({@code method} single or batch), {@code te_request_failure} ({@code err}),
 * {@code te_embed_count}, {@code te_embed_success}, the {@code te_request_duration}, {@code _tokenization_},
 * {@code _queue_} and {@code _inference_duration} histograms (seconds, successful requests) and their per-input
 * {@code te_embed_*} twins,
 * {@code te_request_input_length}, {@code te_queue_size}, {@code te_batch_next_size} and
 * {@code te_batch_next_tokens}. Beside them, bert-embed's own for every route: {@code bert_embed_http_requests_total}
 * by route and status, {@code bert_embed_http_request_duration_seconds} by route, and
 * {@code bert_embed_batch_inference_duration_seconds}. One registry per server, so two servers in one JVM (tests) do
 * not mix.
 */
final class ServerMetrics {
    /** TEI's duration buckets: 15 µs growing by half each step, 35 of them (to about 15 s). */
    private static final double[] TEI_SECONDS = geometric(0.00001 * 1.5, 1.5, 35);
    private static final double[] SECONDS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10};
    private final PrometheusRegistry registry = new PrometheusRegistry();

    final Counter requestCount = teCounter("te_request_count", "embedding requests received, by input shape",
            "method");
    final Counter requestSuccess = teCounter("te_request_success", "embedding requests answered, by input shape",
            "method");
    final Counter requestFailure = teCounter("te_request_failure", "embedding requests refused, by cause", "err");
    final Counter embedCount = teCounter("te_embed_count", "inputs submitted for embedding");
    final Counter embedSuccess = teCounter("te_embed_success", "inputs embedded");
    final Histogram requestDuration = teHistogram("te_request_duration", "successful request, arrival to response");
    final Histogram tokenization = teHistogram("te_request_tokenization_duration", "tokenization time per request");
    final Histogram queueTime = teHistogram("te_request_queue_duration", "time a request waited for the model");
    final Histogram inferenceTime = teHistogram("te_request_inference_duration",
            "model time of the call a request ran in");
    final Histogram embedDuration = teHistogram("te_embed_duration", "per input: arrival to embedded");
    final Histogram embedTokenization = teHistogram("te_embed_tokenization_duration", "per input: tokenization");
    final Histogram embedQueue = teHistogram("te_embed_queue_duration", "per input: wait for the model");
    final Histogram embedInference = teHistogram("te_embed_inference_duration", "per input: model time");
    final Histogram inputLength;
    final Gauge queueSize = Gauge.builder().name("te_queue_size").help("inputs waiting for the model")
            .register(registry);
    final Histogram batchSize = Histogram.builder().name("te_batch_next_size").help("inputs per call of the model")
            .classicUpperBounds(geometric(1, 2, 13)).classicOnly().register(registry);
    final Histogram batchTokens = Histogram.builder().name("te_batch_next_tokens")
            .help("real tokens per call of the model").classicUpperBounds(geometric(1, 2, 21)).classicOnly()
            .register(registry);

    final Counter httpRequests = Counter.builder().name("bert_embed_http_requests_total")
            .help("HTTP requests by route and status").labelNames("route", "status").register(registry);
    final Histogram httpDuration = Histogram.builder().name("bert_embed_http_request_duration_seconds")
            .help("HTTP request duration by route, arrival to response, errors included").labelNames("route")
            .classicUpperBounds(SECONDS).classicOnly().register(registry);
    final Histogram batchInference = Histogram.builder().name("bert_embed_batch_inference_duration_seconds")
            .help("model time per call").classicUpperBounds(SECONDS).classicOnly().register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** @param maxInputLength the model's maximum input length in tokens (TEI's input length buckets stop there) */
    ServerMetrics(int maxInputLength) {
        List<Double> lengths = new ArrayList<>();
        for (double b = 1; b <= maxInputLength && lengths.size() < 20; b *= 2) {
            lengths.add(b);
        }
        inputLength = Histogram.builder().name("te_request_input_length").help("tokens per input")
                .classicUpperBounds(lengths.stream().mapToDouble(Double::doubleValue).toArray()).classicOnly()
                .register(registry);
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A counter shown under exactly {@code name}, as TEI's exporter shows its counters. The Prometheus client
     * writes a counter as {@code name_total}, which a query for TEI's {@code te_request_count} would not find, so
     * the counter counts and a collector shows its values as an untyped metric of that name.
     */
    private Counter teCounter(String name, String help, String... labels) {
        Counter counter = Counter.builder().name(name).help(help).labelNames(labels).build();
        registry.register(() -> {
            UnknownSnapshot.Builder shown = UnknownSnapshot.builder().name(name).help(help);
            for (CounterSnapshot.CounterDataPointSnapshot p : counter.collect().getDataPoints()) {
                shown.dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder().labels(p.getLabels())
                        .value(p.getValue()).build());
            }
            return shown.build();
        });
        return counter;
    }

    private Histogram teHistogram(String name, String help) {
        return Histogram.builder().name(name).help(help).classicUpperBounds(TEI_SECONDS).classicOnly()
                .register(registry);
    }

    private static double[] geometric(double first, double factor, int count) {
        double[] bounds = new double[count];
        double b = first;
        for (int i = 0; i < count; i++) {
            bounds[i] = b;
            b *= factor;
        }
        return bounds;
    }
}
