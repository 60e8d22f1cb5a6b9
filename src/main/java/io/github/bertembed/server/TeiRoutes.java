package io.github.bertembed.server;

import io.github.bertembed.LongTextPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.BuildVersion;
import io.github.bertembed.Embedding;
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
    private final InferenceService service;
    private final ServerSettings settings;
    private final String modelName;
    private final ObjectMapper json;

    TeiRoutes(InferenceService service, ServerSettings settings, String modelName, ObjectMapper json) {
        this.service = service;
        this.settings = settings;
        this.modelName = modelName;
        this.json = json;
    }

    private boolean truncate(JsonNode body) {
        return truncate(body, settings);
    }

    /** TEI's {@code truncate}: a boolean, by default the server's policy. */
    static boolean truncate(JsonNode body, ServerSettings settings) {
        JsonNode t = body.get("truncate");
        if (t == null || t.isNull()) {
            return settings.longText() == LongTextPolicy.TRUNCATE;
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
        Map<String, String> prompts = service.prompts();
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
        InferenceService.Embedded embedded = service.embed(Protocol.TEI, body.get("inputs"), truncate(body),
                fromLeft(body), prompt(body), "inputs");
        List<float[]> out = new ArrayList<>(embedded.vectors().size());
        for (Embedding e : embedded.vectors()) {
            // As TEI: the pooled vector cut to its first `dimensions` values (Matryoshka), then normalized.
            float[] v = dimensions < e.vector().length ? Arrays.copyOf(e.vector(), dimensions) : e.vector();
            out.add(normalize ? VectorMath.normalized(v) : v);
        }
        return new ComputeStats.Answer(out, embedded.stats());
    }

    /** TEI's {@code dimensions}: how many of the vector's first values to keep, within the model's dimension. */
    private int dimensions(JsonNode body) {
        JsonNode d = body.get("dimensions");
        if (d == null || d.isNull()) {
            return service.dimension();
        }
        if (!d.isIntegralNumber() || d.asLong() < 0) {
            throw ApiError.validation("`dimensions` must be a positive integer, got " + d, "dimensions");
        }
        if (d.asLong() == 0) {
            throw new ApiError(413, "Validation", "`dimensions` should be positive", "dimensions"); // TEI's words
        }
        if (d.asLong() > service.dimension()) {
            throw new ApiError(413, "Validation",
                    "`dimensions` should be smaller than the maximum embedding dimension.", "dimensions");
        }
        return d.asInt();
    }

    Object embedAllRoute(JsonNode body) {
        InferenceService.TokenVectors embedded = service.embedTokens(body.get("inputs"), truncate(body),
                fromLeft(body), prompt(body), "inputs");
        return new ComputeStats.Answer(embedded.vectors(), embedded.stats());
    }

    Object tokenizeRoute(JsonNode body) {
        List<String> texts = service.inputs(Protocol.TEI).texts(body.get("inputs"), "inputs");
        boolean special = flag(body, "add_special_tokens", true);
        String prompt = prompt(body);
        var tokenizer = special ? service.inputs(Protocol.TEI).tokenizer() : service.inputs(Protocol.TEI).tokenizer().toBuilder().addSpecialTokens(false).build();
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
        service.inputs(Protocol.TEI).checkCount(sequences.size(), "ids");
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
                out.add(service.inputs(Protocol.TEI).tokenizer().decode(a, skip));
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
        all.addAll(service.inputs(Protocol.TEI).texts(in.get("sentences"), "sentences")); // strings only, within the client batch size
        // TEI takes truncate, truncation_direction and prompt_name under "parameters" here.
        JsonNode parameters = body.path("parameters");
        JsonNode options = parameters.isObject() ? parameters : body;
        String prompt = prompt(options);
        all.replaceAll(t -> prompt + t);
        InferenceService.Embedded embedded = service.embedTexts(all, truncate(options), fromLeft(options), "inputs",
                ComputeStats.characters(in));
        List<Embedding> vectors = embedded.vectors();
        float[] source = VectorMath.normalized(vectors.get(0).vector());
        List<Float> scores = new ArrayList<>();
        for (int i = 1; i < vectors.size(); i++) {
            scores.add((float) VectorMath.dot(source, VectorMath.normalized(vectors.get(i).vector())));
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
        info.put("model_dtype", service.dtype());
        info.putObject("model_type").putObject("embedding").put("pooling", service.pooling());
        info.put("dimension", service.dimension());
        info.put("max_concurrent_requests", settings.maxConcurrentRequests());
        info.put("max_input_length", service.inputs(Protocol.TEI).maxLength());
        info.put("max_batch_tokens", settings.maxBatchTokens());
        info.put("max_batch_requests", settings.maxBatchRequests());
        info.put("max_client_batch_size", settings.maxClientBatchSize());
        info.put("auto_truncate", settings.longText() == LongTextPolicy.TRUNCATE);
        info.put("tokenization_workers", 0);
        info.put("version", BuildVersion.current());
        info.putNull("sha");
        info.putNull("docker_label");
        return info;
    }
}
