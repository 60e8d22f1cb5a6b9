package io.github.bertembed.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.tokenizer.Encoding;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntSupplier;

/**
 * The one inference service behind both protocols, as TEI's {@code Infer}: a request's inputs are tokenized on its
 * own thread under the server's limits, queued for the {@link EmbeddingBatcher} (whose thread is the only caller
 * of the model), awaited, and counted in TEI's metrics. The TEI and OpenAI routes only read their protocol's
 * fields and shape its answers.
 */
final class InferenceService implements AutoCloseable {
    /** A request's raw pooled vectors, in input order, and what they cost (TEI's response headers). */
    record Embedded(List<Embedding> vectors, ComputeStats stats) {
    }

    /** A request's token vectors (per input, one row per token), and what they cost. */
    record TokenVectors(List<float[][]> vectors, ComputeStats stats) {
    }

    private final SentenceEmbedder embedder;
    private final Map<Protocol, RequestInputs> inputs = new EnumMap<>(Protocol.class);
    private final EmbeddingBatcher batcher;
    private final ServerMetrics metrics;

    InferenceService(SentenceEmbedder embedder, ServerSettings settings, ServerMetrics metrics, IntSupplier admitted) {
        this.embedder = embedder;
        this.metrics = metrics;
        for (Protocol p : Protocol.values()) {
            inputs.put(p, new RequestInputs(embedder.tokenizer(), embedder.maxLength(), p.maxInputs(settings), p));
        }
        this.batcher = new EmbeddingBatcher(embedder, settings.maxBatchTokens(), settings.maxBatchRequests(), metrics,
                admitted);
    }

    /** A protocol's reader and tokenizer of request inputs. */
    RequestInputs inputs(Protocol protocol) {
        return inputs.get(protocol);
    }

    /** The model's vector size, pooling, named prompts and number type: what the routes report of it. */
    int dimension() {
        return embedder.dimension();
    }

    String pooling() {
        return embedder.pooling().name().toLowerCase(Locale.ROOT);
    }

    Map<String, String> prompts() {
        return embedder.prompts();
    }

    /** TEI's {@code model_dtype}. */
    String dtype() {
        return embedder.quantized() ? "int8" : "float32";
    }

    /**
     * The raw pooled vectors of a request's input (strings, token ids or both, with a prompt before each text).
     *
     * @param field the request's field, named in validation errors
     */
    Embedded embed(Protocol protocol, JsonNode input, boolean truncate, boolean fromLeft, String prompt,
                   String field) {
        long t0 = System.nanoTime();
        List<Encoding> encodings = inputs(protocol).encodings(input, truncate, fromLeft, prompt, field);
        return pooled(encodings, t0, ComputeStats.characters(input));
    }

    /** The raw pooled vectors of TEI texts (their prompt already before them); {@code characters} as sent. */
    Embedded embedTexts(List<String> texts, boolean truncate, boolean fromLeft, String field, long characters) {
        long t0 = System.nanoTime();
        return pooled(inputs(Protocol.TEI).encode(texts, truncate, fromLeft, field), t0, characters);
    }

    /** Every token's contextual vector of each TEI input ({@code /embed_all}). */
    TokenVectors embedTokens(JsonNode input, boolean truncate, boolean fromLeft, String prompt, String field) {
        long t0 = System.nanoTime();
        List<Encoding> encodings = inputs(Protocol.TEI).encodings(input, truncate, fromLeft, prompt, field);
        long tokenization = System.nanoTime() - t0;
        EmbeddingBatcher.Done done = run(EmbeddingBatcher.Work.TOKEN_VECTORS, encodings, t0, tokenization);
        return new TokenVectors(done.tokenVectors(),
                stats(encodings, tokenization, done, ComputeStats.characters(input)));
    }

    private Embedded pooled(List<Encoding> encodings, long t0, long characters) {
        long tokenization = System.nanoTime() - t0;
        EmbeddingBatcher.Done done = run(EmbeddingBatcher.Work.POOLED, encodings, t0, tokenization);
        return new Embedded(done.pooled(), stats(encodings, tokenization, done, characters));
    }

    private EmbeddingBatcher.Done run(EmbeddingBatcher.Work work, List<Encoding> encodings, long started,
                                      long tokenization) {
        metrics.embedCount.inc(encodings.size());
        for (Encoding e : encodings) {
            metrics.inputLength.observe(e.realLength());
        }
        EmbeddingBatcher.Done done = await(batcher.submit(work, encodings));
        recordTimes(encodings.size(), started, tokenization, done.queueNanos(), done.inferenceNanos());
        return done;
    }

    private static ComputeStats stats(List<Encoding> encodings, long tokenization, EmbeddingBatcher.Done done,
                                      long characters) {
        long tokens = 0;
        int truncated = 0;
        for (Encoding e : encodings) {
            tokens += e.realLength();
            truncated += e.truncated() ? 1 : 0;
        }
        return new ComputeStats(characters, tokens, truncated, tokenization, done.queueNanos(), done.inferenceNanos());
    }

    /**
     * TEI's times, recorded (as TEI does) once the request's inputs are embedded: per request, and per input
     * ({@code te_embed_*}; a request's inputs travel through the model together, so each has the request's times).
     */
    private void recordTimes(int count, long started, long tokenizationNanos, long queueNanos, long inferenceNanos) {
        double sinceArrival = (System.nanoTime() - started) / 1e9;
        double tokenization = tokenizationNanos / 1e9;
        double queue = queueNanos / 1e9;
        double inference = inferenceNanos / 1e9;
        metrics.embedSuccess.inc(count);
        metrics.tokenization.observe(tokenization);
        metrics.queueTime.observe(queue);
        metrics.inferenceTime.observe(inference);
        for (int i = 0; i < count; i++) {
            metrics.embedDuration.observe(sinceArrival);
            metrics.embedTokenization.observe(tokenization);
            metrics.embedQueue.observe(queue);
            metrics.embedInference.observe(inference);
        }
    }

    /** The batcher's answer for a request thread; a model failure becomes TEI's 500 "Backend" error. */
    private static EmbeddingBatcher.Done await(CompletableFuture<EmbeddingBatcher.Done> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "Unhealthy", "interrupted while waiting for the model", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) {
                throw ApiError.validation(cause.getMessage(), null);
            }
            throw new ApiError(500, "Backend", "the model failed: " + cause, null);
        }
    }

    /** Runs every queued request, then stops the model thread. */
    @Override
    public void close() {
        batcher.close();
    }
}
