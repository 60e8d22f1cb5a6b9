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

    public ApiError(int status, String type, String message, String param) {
        this(status, type, message, param, null);
    }

    private ApiError(int status, String type, String message, String param, String failure) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.failure = failure;
    }

    /** 422: the body is not what the route takes. */
    static ApiError validation(String message, String param) {
        return new ApiError(422, "Validation", message, param);
    }

    /** 413: an input longer than the model's maximum, without truncation (TEI's words). */
    static ApiError tooLong(String field, int maxLength, int tokens) {
        return new ApiError(413, "Validation", "Input validation error: `" + field + "` must have less than "
                + maxLength + " tokens. Given: " + tokens, field, "tokenization");
    }

    /** 413: more inputs in one request than the server takes (TEI's words). */
    static ApiError batchSize(String field, int count, int maxClientBatchSize) {
        return new ApiError(413, "Validation", "batch size " + count + " > maximum allowed batch size "
                + maxClientBatchSize, field, "batch_size");
    }

    /**
     * 424: a route TEI serves for another kind of model (a classifier, a re-ranker, a SPLADE model), asked of this
     * embedding model; TEI's status, error type and words.
     */
    static ApiError modelType(String message) {
        return new ApiError(424, "Backend", "Backend error: " + message, null, "model_type");
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
