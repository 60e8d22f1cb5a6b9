package io.github.bertembed.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What {@code GET /metrics} shows, in Prometheus text format (names after TEI's {@code te_*} metrics): requests by
 * route and status, request durations, the queue, batch sizes and tokens, tokenization and inference time.
 * One registry per server, so two servers in one JVM (tests) do not mix.
 */
final class ServerMetrics {
    private static final double[] SECONDS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10};
    private final PrometheusRegistry registry = new PrometheusRegistry();
    final Counter requests = Counter.builder().name("te_request_count").help("requests by route and status")
            .labelNames("route", "status").register(registry);
    final Histogram requestDuration = Histogram.builder().name("te_request_duration_seconds")
            .help("request duration, arrival to response").labelNames("route").classicUpperBounds(SECONDS)
            .classicOnly().register(registry);
    final Counter inputs = Counter.builder().name("te_request_inputs").help("inputs embedded").register(registry);
    final Gauge queueSize = Gauge.builder().name("te_queue_size").help("inputs waiting for the model")
            .register(registry);
    final Histogram batchSize = Histogram.builder().name("te_batch_next_size").help("inputs per call of the model")
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).classicOnly().register(registry);
    final Histogram batchTokens = Histogram.builder().name("te_batch_next_tokens")
            .help("real tokens per call of the model")
            .classicUpperBounds(16, 64, 256, 1024, 4096, 16384, 65536).classicOnly().register(registry);
    final Histogram tokenization = Histogram.builder().name("te_request_tokenization_duration_seconds")
            .help("tokenization time per request").classicUpperBounds(SECONDS).classicOnly().register(registry);
    final Histogram inference = Histogram.builder().name("te_batch_inference_duration_seconds")
            .help("model time per batch").classicUpperBounds(SECONDS).classicOnly().register(registry);
    final Histogram queueTime = Histogram.builder().name("te_request_queue_duration_seconds")
            .help("time an input waited for the model").classicUpperBounds(SECONDS).classicOnly().register(registry);
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

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
}
