package io.github.bertembed.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.BuildVersion;
import io.github.bertembed.SentenceEmbedder;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An embedding server that TEI and OpenAI clients speak: TEI's routes ({@code /embed}, {@code /embed_all},
 * {@code /tokenize}, {@code /decode}, {@code /similarity}, {@code /info}, {@code /health}, {@code /metrics}, and
 * TEI's other names: {@code POST /} and {@code /invocations} embed, {@code GET /} and {@code /ping} answer health)
 * and OpenAI's ({@code /v1/embeddings}, also as {@code /embeddings}, and {@code /v1/models}), on Javalin (Jetty 12);
 * the API described at {@code /api-doc/openapi.json} (OpenAPI 3) and {@code /docs} (Swagger UI), as TEI's.
 *
 * <p>The HTTP layer only admits and parses; both protocols' routes call one {@link InferenceService}, which
 * tokenizes and queues, and one {@link EmbeddingBatcher} thread is the only caller of the model.
 * Limits, each with its status and a message naming the setting that changes it: more than
 * {@code maxConcurrentRequests} in flight → 429 with Retry-After; more inputs than {@code maxClientBatchSize} (TEI
 * routes) or {@code maxOpenAiBatchSize} ({@code /v1/embeddings}) → 413; another {@code model} than the served one on
 * {@code /v1/embeddings} → 404 {@code model_not_found} (unless {@code acceptAnyModel}); a text over the maximum
 * length without truncation → 413; a body over {@code maxBodyBytes} → 413; malformed JSON or wrong types → 422; with an API key, anything but
 * {@code Authorization: Bearer KEY} → 401 (the health routes excepted). {@link #close()} stops admitting requests,
 * answers every admitted one, then stops.
 *
 * <pre>{@code
 * try (SentenceEmbedder model = SentenceEmbedder.builder().normalize(false).build();
 *      EmbeddingServer server = EmbeddingServer.start(model, "all-minilm-l6-v2", ServerSettings.defaults())) {
 *     // POST http://127.0.0.1:8080/embed {"inputs": "a fox"}
 * }
 * }</pre>
 */
public final class EmbeddingServer implements AutoCloseable {
    private final Javalin app;
    private final InferenceService service;
    private final ServerMetrics metrics;
    private final ServerSettings settings;
    private final Semaphore permits;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger entered = new AtomicInteger(); // requests past authorization, not yet answered
    private final AtomicLong succeeded = new AtomicLong();
    private final byte[] expectedAuthorization;
    // Schubfach for float output: the shortest decimal that reads back as the same float, about a quarter less
    // time than Float.toString on Java 17 for a 384-value vector.
    private final ObjectMapper json = JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    private volatile boolean draining;
    /** A request attribute: the error answer is written, so Javalin's status mappers leave it as it is. */
    private static final String ANSWERED = "bert-embed.answered";

    private EmbeddingServer(SentenceEmbedder embedder, String modelName, ServerSettings settings,
                            io.github.bertembed.search.VectorIndex index) {
        this.settings = settings;
        this.metrics = new ServerMetrics(embedder.maxLength());
        this.permits = new Semaphore(settings.maxConcurrentRequests());
        this.expectedAuthorization = settings.apiKey() == null ? null
                : ("Bearer " + settings.apiKey()).getBytes(StandardCharsets.UTF_8);
        this.service = new InferenceService(embedder, settings, metrics, inFlight::get);
        TeiRoutes tei = new TeiRoutes(service, settings, modelName, json);
        OpenAiRoutes openAi = new OpenAiRoutes(service, settings, modelName, json);
        SearchRoutes search = new SearchRoutes(service, settings, index, json);
        ApiDocs docs = new ApiDocs(json, BuildVersion.current(), settings.apiKey() != null);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.http.maxRequestSize = settings.maxBodyBytes();
            // No response compression, as TEI: float vectors shrink only about 2x, and deflating them would cost
            // the model's core more than the HTTP exchange itself (most clients send Accept-Encoding: gzip).
            config.http.compressionStrategy = CompressionStrategy.NONE;
            // A route asked with another method is 405, as TEI's (axum) answers it, rather than "not found".
            config.http.prefer405over404 = true;
            // CORS as TEI's: browser pages of any origin (or of the given ones) may call GET and POST routes.
            List<String> origins = settings.corsAllowOrigins();
            config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                if (origins.isEmpty() || origins.contains("*")) {
                    rule.anyHost();
                } else {
                    rule.allowHost(origins.get(0), origins.subList(1, origins.size()).toArray(String[]::new));
                }
            }));
            config.routes.post("/embed", handler("/embed", Body.EMBEDDING, "inputs", tei::embedRoute));
            // TEI's default route for an embedding model, what huggingface_hub's InferenceClient.feature_extraction
            // posts to (the server's URL itself), and SageMaker's name for it.
            config.routes.post("/", handler("/", Body.EMBEDDING, "inputs", tei::embedRoute));
            config.routes.post("/invocations", handler("/invocations", Body.EMBEDDING, "inputs", tei::embedRoute));
            config.routes.post("/embed_all", handler("/embed_all", Body.EMBEDDING, "inputs", tei::embedAllRoute));
            config.routes.post("/tokenize", handler("/tokenize", Body.JSON, null, tei::tokenizeRoute));
            config.routes.post("/decode", handler("/decode", Body.JSON, null, tei::decodeRoute));
            config.routes.post("/similarity", handler("/similarity", Body.EMBEDDING, null, tei::similarityRoute));
            // TEI's routes for other kinds of model answer 424 on an embedding model, as TEI's do.
            config.routes.post("/predict", handler("/predict", Body.EMBEDDING, "inputs", tei::predictRoute));
            config.routes.post("/embed_sparse", handler("/embed_sparse", Body.EMBEDDING, "inputs",
                    tei::embedSparseRoute));
            config.routes.post("/rerank", handler("/rerank", Body.FAILURES_ONLY, null, tei::rerankRoute));
            config.routes.get("/info", handler("/info", Body.NONE, null, body -> tei.info()));
            config.routes.post("/search", handler("/search", Body.JSON, null, search::search));
            config.routes.post("/v1/embeddings", handler("/v1/embeddings", Body.EMBEDDING, "input",
                    openAi::embeddings));
            config.routes.post("/embeddings", handler("/embeddings", Body.EMBEDDING, "input", openAi::embeddings));
            config.routes.get("/v1/models", handler("/v1/models", Body.NONE, null, body -> openAi.models()));
            // TEI answers health on /health, on GET / and on SageMaker's /ping, all without the API key.
            config.routes.get("/health", this::health);
            config.routes.get("/", this::health);
            config.routes.get("/ping", this::health);
            config.routes.get("/metrics", ctx -> {
                if (authorized(ctx)) {
                    ctx.status(200).contentType(metrics.contentType()).result(metrics.scrape());
                } else {
                    error(ctx, "/metrics", unauthorized());
                }
            });
            // The API described where TEI describes its own; open without the key, as a page a browser loads.
            config.routes.get(ApiDocs.DOCUMENT_PATH, ctx -> ctx.status(200).contentType("application/json")
                    .result(docs.document()));
            config.routes.get(ApiDocs.PAGE_PATH, ctx -> {
                if (docs.page() == null) {
                    error(ctx, ApiDocs.PAGE_PATH, new ApiError(404, "Validation", "Swagger UI is not on the classpath "
                            + "(org.webjars:swagger-ui); the API document is at " + ApiDocs.DOCUMENT_PATH, null));
                } else if (ctx.path().endsWith("/")) {
                    // The page's URLs are relative to /docs; under /docs/ they would point into /docs/ itself.
                    ctx.status(301).header("Location", "../docs");
                } else {
                    ctx.status(200).html(docs.page());
                }
            });
            config.staticFiles.enableWebjars(); // Swagger UI's script and style sheet, from its jar
            // In the error shape of the route's family, in place of Javalin's plain-text "Endpoint ... not found".
            // Javalin calls these for every answer of that status, so a route's own 404 (model_not_found) is kept.
            config.routes.error(404, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    error(ctx, "unmatched", new ApiError(404, "Validation", "no route " + ctx.method() + " "
                            + ctx.path(), null));
                }
            });
            config.routes.error(405, ctx -> error(ctx, "unmatched", new ApiError(405, "Validation",
                    "method " + ctx.method() + " not allowed on " + ctx.path(), null)));
        });
    }

    private void health(Context ctx) {
        if (draining) {
            error(ctx, ctx.path(), new ApiError(503, "Unhealthy", "the server is shutting down", null));
        } else {
            ctx.status(200);
        }
    }

    /**
     * Starts a server for {@code embedder}, which must be built with {@code normalize(false)}: requests choose
     * normalization, so the server needs the pooled vectors as they are.
     *
     * @throws IllegalArgumentException for an embedder that normalizes
     */
    public static EmbeddingServer start(SentenceEmbedder embedder, String modelName, ServerSettings settings) {
        return start(embedder, modelName, settings, null);
    }

    /**
     * Starts a server that also answers {@code POST /search} over {@code index}, whose vectors must be the
     * embedder's model's (the caller keeps and closes the index).
     *
     * <pre>{@code
     * try (VectorIndex index = VectorIndex.open(Path.of("fortunes-index"));
     *      EmbeddingServer server = EmbeddingServer.start(model, "all-minilm-l6-v2", settings, index)) {
     *     // POST http://127.0.0.1:8080/search {"query": "a fox", "k": 5}
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException for an embedder that normalizes, or an index of another model
     */
    public static EmbeddingServer start(SentenceEmbedder embedder, String modelName, ServerSettings settings,
                                        io.github.bertembed.search.VectorIndex index) {
        if (index != null) {
            index.requireModel(modelName, embedder.modelSha256(), embedder.dimension());
        }
        if (embedder.normalizes()) {
            throw new IllegalArgumentException("the server needs an embedder built with normalize(false): requests"
                    + " choose normalization (TEI's \"normalize\"), so it takes the pooled vectors as they are");
        }
        EmbeddingServer server = new EmbeddingServer(embedder, modelName, settings, index);
        server.app.start();
        return server;
    }

    /** The bound port (the one chosen when the settings said 0). */
    public int port() {
        return app.port();
    }

    public String url() {
        return "http://" + settings.host() + ":" + port();
    }

    /** Requests answered with 200 so far (the shutdown report; clients can count theirs against it). */
    public long succeeded() {
        return succeeded.get();
    }

    /** The routes registered, as "METHOD /path" (what {@code ApiDocsTest} holds the API document to). */
    List<String> routes() {
        List<String> out = new java.util.ArrayList<>();
        for (var handler : app.unsafe.internalRouter.allHttpHandlers()) {
            out.add(handler.endpoint.method.name() + " " + handler.endpoint.path);
        }
        return out;
    }

    /** Requests admitted and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    private interface Route extends Function<JsonNode, Object> {
    }

    /**
     * What a route reads: nothing, a JSON body, a JSON body of inputs to embed (counted in TEI's metrics), or a JSON
     * body whose refusals TEI counts but not its requests ({@code /rerank}).
     */
    private enum Body { NONE, JSON, EMBEDDING, FAILURES_ONLY }

    /**
     * Admission (auth, draining, body size, concurrency), the route, errors and metrics, in one place.
     *
     * @param inputField the field whose shape is TEI's {@code method} label (a string or one id array: single),
     *                   or null for a route whose requests are always a batch
     */
    private io.javalin.http.Handler handler(String route, Body kind, String inputField, Route body) {
        return ctx -> {
            long t0 = System.nanoTime();
            if (!authorized(ctx)) {
                error(ctx, route, unauthorized());
                return;
            }
            // Counted before the draining check and until the answer is written: shutdown() sets draining, then
            // waits for this count to reach zero, so a request either sees draining or is waited for.
            entered.incrementAndGet();
            try {
                if (draining) {
                    ctx.header("Connection", "close");
                    error(ctx, route, new ApiError(503, "Unhealthy", "the server is shutting down", null));
                    return;
                }
                if (ctx.contentLength() > settings.maxBodyBytes()) {
                    error(ctx, route, new ApiError(413, "Validation", "request body of " + ctx.contentLength()
                            + " bytes is over the limit of " + settings.maxBodyBytes() + " (serve --payload-limit)",
                            null));
                    return;
                }
                if (!permits.tryAcquire()) {
                    ctx.header("Retry-After", "1");
                    // Refused before the body is read, so TEI's failure count only, without a method label.
                    failed(ctx, route, kind == Body.EMBEDDING, new ApiError(429, "Overloaded", "Model is overloaded:"
                            + " more than " + settings.maxConcurrentRequests() + " concurrent requests"
                            + " (serve --max-concurrent-requests)", null));
                    return;
                }
                inFlight.incrementAndGet();
                String method = null; // TEI's label, once the body is an embedding request
                boolean teiCounts = false; // whether TEI counts this request's failure, once its body is read
                try {
                    JsonNode parsed = kind == Body.NONE ? null : parse(ctx);
                    if (kind == Body.EMBEDDING) {
                        method = method(parsed, inputField);
                        metrics.requestCount.labelValues(method).inc();
                    }
                    teiCounts = kind == Body.EMBEDDING || kind == Body.FAILURES_ONLY;
                    Object response = body.apply(parsed);
                    if (response instanceof ComputeStats.Answer answer) { // TEI's x-compute-* and x-*-time
                        answer.stats().headers(System.nanoTime() - t0).forEach(ctx::header);
                        response = answer.body();
                    }
                    // 200 said outright: Javalin's CORS check marks a request from an origin not allowed 400 and lets
                    // it through; as TEI, it is answered, and only its browser is not told it may read the answer.
                    ctx.status(200).contentType("application/json").result(json.writeValueAsBytes(response));
                    metrics.httpRequests.labelValues(route, "200").inc();
                    if (method != null) {
                        metrics.requestSuccess.labelValues(method).inc();
                        metrics.requestDuration.observe((System.nanoTime() - t0) / 1e9);
                    }
                    succeeded.incrementAndGet();
                } catch (ApiError e) {
                    failed(ctx, route, teiCounts, e);
                } catch (HttpResponseException e) {
                    failed(ctx, route, teiCounts, new ApiError(e.getStatus(), "Validation", e.getMessage(), null));
                } catch (RuntimeException e) {
                    failed(ctx, route, teiCounts, new ApiError(500, "Backend", String.valueOf(e.getMessage()), null));
                } finally {
                    metrics.httpDuration.labelValues(route).observe((System.nanoTime() - t0) / 1e9);
                    inFlight.decrementAndGet();
                    permits.release();
                }
            } finally {
                entered.decrementAndGet();
            }
        };
    }

    /** TEI's {@code method} label: "single" for one string (or one array of token ids), else "batch". */
    private static String method(JsonNode body, String inputField) {
        JsonNode in = inputField == null ? null : body.get(inputField);
        boolean single = in != null && (in.isTextual()
                || (in.isArray() && !in.isEmpty() && in.get(0).isIntegralNumber()));
        return single ? "single" : "batch";
    }

    /** The error response, and TEI's failure count when {@code teiCounts} (an embedding request TEI counts). */
    private void failed(Context ctx, String route, boolean teiCounts, ApiError e) {
        if (teiCounts) {
            metrics.requestFailure.labelValues(e.failure()).inc();
        }
        error(ctx, route, e);
    }

    private JsonNode parse(Context ctx) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length > settings.maxBodyBytes()) {
            throw new ApiError(413, "Validation", "request body of " + bytes.length + " bytes is over the limit of "
                    + settings.maxBodyBytes() + " (serve --payload-limit)", null);
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw ApiError.validation("the request body must be a JSON object", null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw ApiError.validation("Failed to parse the request body as JSON: " + e.getOriginalMessage(), null);
        } catch (java.io.IOException e) {
            throw ApiError.validation("Failed to read the request body: " + e.getMessage(), null);
        }
    }

    private boolean authorized(Context ctx) {
        if (expectedAuthorization == null) {
            return true;
        }
        String given = ctx.header("Authorization");
        // Constant time in the key: MessageDigest.isEqual does not stop at the first differing byte.
        return MessageDigest.isEqual(expectedAuthorization,
                (given == null ? "" : given).getBytes(StandardCharsets.UTF_8));
    }

    private static ApiError unauthorized() {
        return new ApiError(401, "Unauthorized", "a valid API key is required: Authorization: Bearer <key>", null);
    }

    /** TEI's {"error", "error_type"}, or OpenAI's {"error": {...}} under /v1 and on /embeddings. */
    private void error(Context ctx, String route, ApiError e) {
        ObjectNode body = json.createObjectNode();
        if (ctx.path().startsWith("/v1/") || ctx.path().equals("/embeddings")) {
            ObjectNode error = body.putObject("error");
            error.put("message", e.getMessage());
            error.put("type", e.openAiType());
            if (e.param() == null) {
                error.putNull("param");
            } else {
                error.put("param", e.param());
            }
            error.put("code", e.openAiCode());
        } else {
            body.put("error", e.getMessage());
            body.put("error_type", e.type());
        }
        if (e.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer");
        }
        ctx.status(e.status()).contentType("application/json").result(body.toString());
        ctx.attribute(ANSWERED, Boolean.TRUE);
        metrics.httpRequests.labelValues(route, Integer.toString(e.status())).inc();
    }

    /**
     * Stops admitting requests (503 with {@code Connection: close}), waits until every admitted request is
     * answered (at most {@code grace}), then stops the HTTP server and the batcher.
     */
    public void shutdown(Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (entered.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            Thread.sleep(100); // the last responses leave Jetty's buffers before the connectors close
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        app.stop();
        service.close();
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(30));
    }
}
