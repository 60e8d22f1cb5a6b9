package io.github.bertembed.server;

/**
 * A request the server refuses: its HTTP status, TEI's {@code error_type}, the message, and the request field at
 * fault (OpenAI's {@code param}), rendered as TEI's {@code {"error", "error_type"}} or OpenAI's
 * {@code {"error": {"message", "type", "param", "code"}}} by route.
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String failure;
    private final String openAiCode;

    public ApiError(int status, String type, String message, String param) {
        this(status, type, message, param, null, null);
    }

    private ApiError(int status, String type, String message, String param, String failure, String openAiCode) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.failure = failure;
        this.openAiCode = openAiCode;
    }

    /** 422: the body is not what the route takes. */
    static ApiError validation(String message, String param) {
        return new ApiError(422, "Validation", message, param);
    }

    /**
     * 413: an input longer than the model's maximum, without truncation (TEI's words, then what lets it through:
     * {@code truncate} where the protocol has it, the server's {@code --long-text truncate}).
     */
    static ApiError tooLong(String field, int maxLength, int tokens, boolean requestCanTruncate) {
        return new ApiError(413, "Validation", "Input validation error: `" + field + "` must have less than "
                + maxLength + " tokens. Given: " + tokens + " (" + (requestCanTruncate
                ? "send \"truncate\": true, or start the server with --long-text truncate"
                : "start the server with --long-text truncate") + ")", field, "tokenization", "context_length_exceeded");
    }

    /** 413: more inputs in one request than the server takes (TEI's words, then the flag that raises it). */
    static ApiError batchSize(String field, int count, int maxInputs, String setting) {
        return new ApiError(413, "Validation", "batch size " + count + " > maximum allowed batch size " + maxInputs
                + " (serve " + setting + ")", field, "batch_size", null);
    }

    /** 404: a {@code model} other than the one served, as OpenAI answers it ({@code model_not_found}). */
    static ApiError modelNotFound(String asked, String served) {
        return new ApiError(404, "Validation", "The model `" + asked + "` does not exist; this server serves `"
                + served + "` (start it with --accept-any-model to take any name)", "model", null, "model_not_found");
    }

    /**
     * 424: a route TEI serves for another kind of model (a classifier, a re-ranker, a SPLADE model), asked of this
     * embedding model; TEI's status, error type and words.
     */
    static ApiError modelType(String message) {
        return new ApiError(424, "Backend", "Backend error: " + message, null, "model_type", null);
    }

    public int status() {
        return status;
    }

    /** TEI's error_type: Validation, Overloaded, Unhealthy, Backend, Tokenizer, Empty. */
    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    /**
     * TEI's {@code err} label of {@code te_request_failure} for this refusal: tokenization (too long),
     * batch_size, empty, overloaded, inference, model_type, or validation.
     */
    String failure() {
        if (failure != null) {
            return failure;
        }
        return switch (status) {
            case 400 -> "empty";
            case 429 -> "overloaded";
            case 500 -> "inference";
            default -> "validation";
        };
    }

    /** OpenAI's {@code code}: its own where OpenAI has one for this refusal, else TEI's error type. */
    String openAiCode() {
        return openAiCode != null ? openAiCode : type.toLowerCase(java.util.Locale.ROOT);
    }

    /** OpenAI's error type for this status. */
    String openAiType() {
        return switch (status) {
            case 401 -> "authentication_error";
            case 429 -> "rate_limit_error";
            case 500, 503 -> "server_error";
            default -> "invalid_request_error";
        };
    }
}
