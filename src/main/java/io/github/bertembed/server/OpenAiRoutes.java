package io.github.bertembed.server;

import io.github.bertembed.LongTextPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.Embedding;
import io.github.bertembed.pooling.VectorMath;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI's embeddings API: {@code POST /v1/embeddings} ({@code input} a string, strings, token ids or arrays of
 * token ids; {@code encoding_format} float or base64 (little-endian float32, as OpenAI's SDKs decode it);
 * {@code dimensions} keeps the first N values and re-normalizes, as OpenAI does) and {@code GET /v1/models}.
 */
final class OpenAiRoutes {
    private final InferenceService service;
    private final ServerSettings settings;
    private final String modelName;
    private final int dimension;
    private final long created = System.currentTimeMillis() / 1000;
    private final ObjectMapper json;

    OpenAiRoutes(InferenceService service, ServerSettings settings, String modelName, ObjectMapper json) {
        this.service = service;
        this.settings = settings;
        this.modelName = modelName;
        this.dimension = service.dimension();
        this.json = json;
    }

    Object embeddings(JsonNode body) {
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw ApiError.validation("'input' is a required property", "input");
        }
        String format = body.path("encoding_format").asText("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiError.validation("'encoding_format' must be 'float' or 'base64', got '" + format + "'",
                    "encoding_format");
        }
        int dims = dimension;
        JsonNode d = body.get("dimensions");
        if (d != null && !d.isNull()) {
            if (!d.isIntegralNumber() || d.asInt() < 1 || d.asInt() > dimension) {
                throw ApiError.validation("'dimensions' must be an integer from 1 to " + dimension + ", got " + d,
                        "dimensions");
            }
            dims = d.asInt();
        }
        JsonNode model = body.get("model");
        if (model != null && model.isTextual() && !settings.acceptAnyModel() && !model.asText().equals(modelName)) {
            throw ApiError.modelNotFound(model.asText(), modelName);
        }
        boolean truncate = settings.longText() == LongTextPolicy.TRUNCATE;
        InferenceService.Embedded embedded = service.embed(Protocol.OPENAI, input, truncate, false,
                settings.defaultPrompt(), "input");
        List<Embedding> vectors = embedded.vectors();
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            Embedding e = vectors.get(i);
            float[] v = VectorMath.normalized(e.vector());
            if (dims < v.length) {
                v = java.util.Arrays.copyOf(v, dims);
                VectorMath.normalize(v);
            }
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (format.equals("base64")) {
                ByteBuffer bytes = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(v);
                item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float f : v) {
                    values.add(f);
                }
            }
        }
        out.put("model", body.path("model").isTextual() ? body.get("model").asText() : modelName);
        ObjectNode usage = out.putObject("usage");
        long tokens = embedded.stats().tokens(); // the tokens the model ran, as TEI's header counts them
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        return new ComputeStats.Answer(out, embedded.stats());
    }

    Object models() {
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        ObjectNode m = out.putArray("data").addObject();
        m.put("id", modelName);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "bert-embed");
        return out;
    }
}
