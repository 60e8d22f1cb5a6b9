package io.github.bertembed.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * HuggingFace text-embeddings-inference's routes, same request and response shapes: {@code /embed},
 * {@code /embed_all}, {@code /tokenize}, {@code /decode}, {@code /similarity}, {@code /info}, and TEI's 424 on
 * {@code /predict}, {@code /rerank} and {@code /embed_sparse} (routes for other kinds of model). Each takes the
 * parsed body and returns the response body (with TEI's compute figures for its headers, where TEI sends them);
 * the server does admission, errors and metrics.
 */
final class TeiRoutes {
    private final SentenceEmbedder embedder;
    private final EmbeddingBatcher batcher;
    private final RequestInputs inputs;
    private final ServerSettings settings;
    private final ServerMetrics metrics;
    private final String modelName;
    private final ObjectMapper json;

    TeiRoutes(SentenceEmbedder embedder, EmbeddingBatcher batcher, RequestInputs inputs, ServerSettings settings,
              ServerMetrics metrics, String modelName, ObjectMapper json) {
        this.embedder = embedder;
        this.batcher = batcher;
        this.inputs = inputs;
        this.settings = settings;
        this.metrics = metrics;
        this.modelName = modelName;
        this.json = json;
    }

    /** A request's raw pooled vectors, in input order, and what they cost (TEI's response headers). */
    record Embedded(List<Embedding> vectors, ComputeStats stats) {
    }

    /**
     * The raw pooled vectors of a request's {@code Input} (strings, token ids or both): tokenized here, embedded by
     * the batcher.
     */
    Embedded embed(JsonNode input, boolean truncate, boolean fromLeft, String prompt, String field) {
        long t0 = System.nanoTime();
        return embedEncoded(inputs.encodings(input, truncate, fromLeft, prompt, field), t0,
                ComputeStats.characters(input));
    }

    private Embedded embedEncoded(List<Encoding> encodings, long started, long characters) {
        long tokenization = System.nanoTime() - started;
        submitted(encodings);
        EmbeddingBatcher.Done done = ServerCalls.await(batcher.submit(encodings));
        embedded(encodings.size(), started, tokenization, done.queueNanos(), done.inferenceNanos());
        return new Embedded(done.vectors(), new ComputeStats(characters, tokens(encodings), tokenization,
                done.queueNanos(), done.inferenceNanos()));
    }

    private static long tokens(List<Encoding> encodings) {
        long n = 0;
        for (Encoding e : encodings) {
            n += e.realLength();
        }
        return n;
    }

    /** TEI's per-input metrics as inputs go to the model: how many, and each one's length in tokens. */
    private void submitted(List<Encoding> encodings) {
        metrics.embedCount.inc(encodings.size());
        for (Encoding e : encodings) {
            metrics.inputLength.observe(e.realLength());
        }
    }

    /**
     * TEI's times, recorded (as TEI does) once the request's inputs are embedded: per request, and per input
     * ({@code te_embed_*}; a request's inputs travel through the model together, so each has the request's times).
     */
    private void embedded(int inputs, long started, long tokenizationNanos, long queueNanos, long inferenceNanos) {
        double sinceArrival = (System.nanoTime() - started) / 1e9;
        double tokenization = tokenizationNanos / 1e9;
        double queue = queueNanos / 1e9;
        double inference = inferenceNanos / 1e9;
        metrics.embedSuccess.inc(inputs);
        metrics.tokenization.observe(tokenization);
        metrics.queueTime.observe(queue);
        metrics.inferenceTime.observe(inference);
        for (int i = 0; i < inputs; i++) {
            metrics.embedDuration.observe(sinceArrival);
            metrics.embedTokenization.observe(tokenization);
            metrics.embedQueue.observe(queue);
            metrics.embedInference.observe(inference);
        }
    }

    static float[] normalized(float[] pooled) {
        float[] v = pooled.clone();
        VectorMath.normalize(v);
        return v;
    }

    private boolean truncate(JsonNode body) {
        JsonNode t = body.get("truncate");
        if (t == null || t.isNull()) {
            return settings.autoTruncate();
        }
        if (!t.isBoolean()) {
            throw ApiError.validation("`truncate` must be a boolean", "truncate");
        }
        return t.asBoolean();
    }

    private static boolean fromLeft(JsonNode body) {
        JsonNode d = body.get("truncation_direction");
        if (d == null || d.isNull()) {
            return false;
        }
        String s = d.asText();
        if (s.equalsIgnoreCase("right")) {
            return false;
        }
        if (s.equalsIgnoreCase("left")) {
            return true;
        }
        throw ApiError.validation("`truncation_direction` must be Left or Right, got " + d, "truncation_direction");
    }

    private static boolean flag(JsonNode body, String name, boolean otherwise) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return otherwise;
        }
        if (!n.isBoolean()) {
            throw ApiError.validation("`" + name + "` must be a boolean", name);
        }
        return n.asBoolean();
    }

    /**
     * The text TEI's {@code prompt_name} puts before each input: the named prompt of the model's
     * sentence-transformers configuration, or the server's default prompt ("" unless set) when the request names
     * none; a name the model lacks gets TEI's own validation error rather than a vector without the prompt it asked
     * for.
     */
    private String prompt(JsonNode body) {
        JsonNode name = body.get("prompt_name");
        if (name == null || name.isNull()) {
            return settings.defaultPrompt();
        }
        Map<String, String> prompts = embedder.prompts();
        String prompt = prompts.get(name.asText());
        if (prompt == null) {
            throw new ApiError(413, "Validation", "`default-prompt-name` is set to `" + name.asText() + "` but "
                    + (prompts.isEmpty() ? "no prompts were found in the Sentence Transformers configuration"
                    : "it was not found in the Sentence Transformers prompts. Available prompts: "
                    + prompts.keySet()), "prompt_name");
        }
        return prompt;
    }

    Object embedRoute(JsonNode body) {
        boolean normalize = flag(body, "normalize", true);
        int dimensions = dimensions(body);
        Embedded embedded = embed(body.get("inputs"), truncate(body), fromLeft(body), prompt(body), "inputs");
        List<float[]> out = new ArrayList<>(embedded.vectors().size());
        for (Embedding e : embedded.vectors()) {
            // As TEI: the pooled vector cut to its first `dimensions` values (Matryoshka), then normalized.
            float[] v = dimensions < e.vector().length ? Arrays.copyOf(e.vector(), dimensions) : e.vector();
            out.add(normalize ? normalized(v) : v);
        }
        return new ComputeStats.Answer(out, embedded.stats());
    }

    /** TEI's {@code dimensions}: how many of the vector's first values to keep, within the model's dimension. */
    private int dimensions(JsonNode body) {
        JsonNode d = body.get("dimensions");
        if (d == null || d.isNull()) {
            return embedder.dimension();
        }
        if (!d.isIntegralNumber() || d.asLong() < 0) {
            throw ApiError.validation("`dimensions` must be a positive integer, got " + d, "dimensions");
        }
        if (d.asLong() == 0) {
            throw new ApiError(413, "Validation", "`dimensions` should be positive", "dimensions"); // TEI's words
        }
        if (d.asLong() > embedder.dimension()) {
            throw new ApiError(413, "Validation",
                    "`dimensions` should be smaller than the maximum embedding dimension.", "dimensions");
        }
        return d.asInt();
    }

    Object embedAllRoute(JsonNode body) {
        long t0 = System.nanoTime();
        List<Encoding> encodings = inputs.encodings(body.get("inputs"), truncate(body), fromLeft(body), prompt(body),
                "inputs");
        long tokenization = System.nanoTime() - t0;
        submitted(encodings);
        List<float[][]> out = new ArrayList<>();
        long[] inference = {0};
        long waitedFrom = System.nanoTime();
        for (Encoding e : encodings) {
            out.add(batcher.exclusive(() -> { // the model stays one caller's at a time
                long s = System.nanoTime();
                float[][] vectors = embedder.tokenVectors(e);
                inference[0] += System.nanoTime() - s;
                return vectors;
            }));
        }
        long queue = System.nanoTime() - waitedFrom - inference[0];
        embedded(encodings.size(), t0, tokenization, queue, inference[0]);
        return new ComputeStats.Answer(out, new ComputeStats(ComputeStats.characters(body.get("inputs")),
                tokens(encodings), tokenization, queue, inference[0]));
    }

    Object tokenizeRoute(JsonNode body) {
        List<String> texts = inputs.texts(body.get("inputs"), "inputs");
        boolean special = flag(body, "add_special_tokens", true);
        String prompt = prompt(body);
        var tokenizer = special ? inputs.tokenizer() : inputs.tokenizer().toBuilder().addSpecialTokens(false).build();
        ArrayNode out = json.createArrayNode();
        for (String given : texts) {
            String text = prompt + given; // offsets are into the text as tokenized, prompt included, as TEI's
            Encoding e = tokenizer.encode(text);
            ArrayNode tokens = out.addArray();
            for (int i = 0; i < e.length(); i++) {
                ObjectNode t = tokens.addObject();
                t.put("id", e.ids()[i]);
                boolean isSpecial = e.specialTokensMask()[i] == 1;
                t.put("special", isSpecial);
                if (isSpecial) {
                    t.put("text", e.tokens()[i]);
                    t.putNull("start");
                    t.putNull("stop");
                } else {
                    // TEI reports UTF-8 byte offsets into the input, and the input's text between them.
                    int from = e.offsets()[i][0];
                    int to = e.offsets()[i][1];
                    t.put("text", text.substring(from, to));
                    t.put("start", utf8Length(text, 0, from));
                    t.put("stop", utf8Length(text, 0, to));
                }
            }
        }
        return out;
    }

    private static int utf8Length(String s, int from, int to) {
        return s.substring(from, to).getBytes(StandardCharsets.UTF_8).length;
    }

    Object decodeRoute(JsonNode body) {
        JsonNode ids = body.get("ids");
        if (ids == null || !ids.isArray()) {
            throw ApiError.validation("`ids` must be an array of token ids or an array of arrays", "ids");
        }
        boolean skip = flag(body, "skip_special_tokens", true);
        List<JsonNode> sequences = new ArrayList<>();
        if (ids.size() > 0 && ids.get(0).isArray()) {
            ids.forEach(sequences::add);
        } else {
            sequences.add(ids);
        }
        inputs.checkCount(sequences.size(), "ids");
        List<String> out = new ArrayList<>();
        for (JsonNode seq : sequences) {
            int[] a = new int[seq.size()];
            for (int i = 0; i < a.length; i++) {
                if (!seq.get(i).isIntegralNumber()) {
                    throw ApiError.validation("`ids` must hold integers", "ids");
                }
                a[i] = seq.get(i).asInt();
            }
            try {
                out.add(inputs.tokenizer().decode(a, skip));
            } catch (IllegalArgumentException e) {
                throw ApiError.validation(e.getMessage(), "ids");
            }
        }
        return out;
    }

    Object similarityRoute(JsonNode body) {
        JsonNode in = body.get("inputs");
        if (in == null || !in.isObject() || !in.path("source_sentence").isTextual()
                || !in.path("sentences").isArray()) {
            throw ApiError.validation("`inputs` must be {\"source_sentence\": string, \"sentences\": [string]}",
                    "inputs");
        }
        List<String> all = new ArrayList<>();
        all.add(in.get("source_sentence").asText());
        all.addAll(inputs.texts(in.get("sentences"), "sentences")); // strings only, within the client batch size
        // TEI takes truncate, truncation_direction and prompt_name under "parameters" here.
        JsonNode parameters = body.path("parameters");
        JsonNode options = parameters.isObject() ? parameters : body;
        String prompt = prompt(options);
        all.replaceAll(t -> prompt + t);
        long t0 = System.nanoTime();
        Embedded embedded = embedEncoded(inputs.encode(all, truncate(options), fromLeft(options), "inputs"), t0,
                ComputeStats.characters(in));
        List<Embedding> vectors = embedded.vectors();
        float[] source = normalized(vectors.get(0).vector());
        List<Float> scores = new ArrayList<>();
        for (int i = 1; i < vectors.size(); i++) {
            scores.add((float) VectorMath.dot(source, normalized(vectors.get(i).vector())));
        }
        return new ComputeStats.Answer(scores, embedded.stats());
    }

    /** TEI's {@code /predict}, for sequence classifiers: 424 on this embedding model, as TEI's. */
    Object predictRoute(JsonNode body) {
        required(body, "inputs");
        throw ApiError.modelType("Model is not a classifier model");
    }

    /** TEI's {@code /embed_sparse}, for SPLADE models: 424 on this one, as TEI's. */
    Object embedSparseRoute(JsonNode body) {
        required(body, "inputs");
        throw ApiError.modelType("Model is not an embedding model with SPLADE pooling");
    }

    /** TEI's {@code /rerank}, for re-rankers: an empty {@code texts} is 413, else 424 on this model, as TEI's. */
    Object rerankRoute(JsonNode body) {
        required(body, "query");
        JsonNode texts = required(body, "texts");
        if (texts.isArray() && texts.isEmpty()) {
            throw new ApiError(413, "Validation", "`texts` cannot be empty", "texts");
        }
        throw ApiError.modelType("model is not a re-ranker model");
    }

    private static JsonNode required(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            throw ApiError.validation("missing field `" + field + "`", field);
        }
        return n;
    }

    Object info() {
        ObjectNode info = json.createObjectNode();
        info.put("model_id", modelName);
        info.putNull("model_sha");
        info.put("model_dtype", embedder.runsTextsOneByOne() ? "int8" : "float32");
        info.putObject("model_type").putObject("embedding").put("pooling",
                embedder.pooling().name().toLowerCase(java.util.Locale.ROOT));
        info.put("dimension", embedder.dimension());
        info.put("max_concurrent_requests", settings.maxConcurrentRequests());
        info.put("max_input_length", inputs.maxLength());
        info.put("max_batch_tokens", settings.maxBatchTokens());
        info.put("max_batch_requests", settings.maxBatchRequests());
        info.put("max_client_batch_size", settings.maxClientBatchSize());
        info.put("auto_truncate", settings.autoTruncate());
        info.put("tokenization_workers", 0);
        info.put("version", ServerCalls.version());
        info.putNull("sha");
        info.putNull("docker_label");
        return info;
    }
}
