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

    public ApiError(int status, String type, String message, String param) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    /** 422: the body is not what the route takes. */
    static ApiError validation(String message, String param) {
        return new ApiError(422, "Validation", message, param);
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
