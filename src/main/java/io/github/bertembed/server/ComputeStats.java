package io.github.bertembed.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one request cost, as TEI reports it in its response headers: the inputs' characters and tokens, and the
 * time spent tokenizing, waiting for the model and in the model (a request's inputs travel through the model
 * together here, so TEI's per-input average is the request's own time).
 *
 * <pre>{@code
 * ComputeStats stats = new ComputeStats(ComputeStats.characters(inputs), tokens, truncated, tokenization, queue,
 *         inference);
 * stats.headers(System.nanoTime() - started).forEach(ctx::header); // x-compute-time: 4, x-compute-tokens: 7, ...
 * }</pre>
 *
 * @param characters        Unicode code points of the inputs as sent (a token id counts one), before any prompt
 * @param tokens            tokens the model ran, special tokens and prompt included (OpenAI's prompt_tokens)
 * @param truncated         inputs that lost tokens to the maximum length
 * @param tokenizationNanos time reading and tokenizing the inputs
 * @param queueNanos        time waiting for the model
 * @param inferenceNanos    time of the model call the inputs ran in
 */
record ComputeStats(long characters, long tokens, int truncated, long tokenizationNanos, long queueNanos,
                    long inferenceNanos) {
    /** A route's response body with the figures for its headers. */
    record Answer(Object body, ComputeStats stats) {
    }

    /**
     * TEI's headers, whole milliseconds as TEI writes them: {@code x-compute-time} and {@code x-total-time} (both
     * the time since the request arrived), {@code x-compute-characters}, {@code x-compute-tokens},
     * {@code x-tokenization-time}, {@code x-queue-time}, {@code x-inference-time}; {@code x-compute-type} says
     * {@code cpu} (TEI writes {@code gpu+optimized} whatever it runs on). Ours beside them:
     * {@code x-compute-truncated}, the inputs truncated to the maximum length (0 when none was).
     */
    Map<String, String> headers(long totalNanos) {
        Map<String, String> h = new LinkedHashMap<>();
        String total = Long.toString(millis(totalNanos));
        h.put("x-compute-type", "cpu");
        h.put("x-compute-time", total);
        h.put("x-compute-characters", Long.toString(characters));
        h.put("x-compute-tokens", Long.toString(tokens));
        h.put("x-compute-truncated", Integer.toString(truncated));
        h.put("x-total-time", total);
        h.put("x-tokenization-time", Long.toString(millis(tokenizationNanos)));
        h.put("x-queue-time", Long.toString(millis(queueNanos)));
        h.put("x-inference-time", Long.toString(millis(inferenceNanos)));
        return h;
    }

    private static long millis(long nanos) {
        return Math.max(0, nanos) / 1_000_000; // truncated, as Rust's Duration::as_millis
    }

    /**
     * TEI's character count of an input field: a string's code points (Rust's {@code chars().count()}), one for
     * each token id, summed over an array.
     */
    static long characters(JsonNode input) {
        if (input == null) {
            return 0;
        }
        if (input.isTextual()) {
            String s = input.asText();
            return s.codePointCount(0, s.length());
        }
        if (input.isIntegralNumber()) {
            return 1;
        }
        long n = 0;
        if (input.isArray() || input.isObject()) {
            for (JsonNode item : input) {
                n += characters(item);
            }
        }
        return n;
    }
}
