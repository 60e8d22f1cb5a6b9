package io.github.bertembed.server;

import java.util.List;

/**
 * The server's address and limits; each limit has a status code of its own (see {@link ApiError}).
 *
 * @param host                  address to bind (default loopback)
 * @param port                  port (0: any free port)
 * @param maxBatchTokens        most padded tokens (inputs × the longest) the batcher puts in one call of the model
 * @param maxBatchRequests      most inputs in one call of the model
 * @param maxConcurrentRequests requests in flight beyond which the server answers 429
 * @param maxClientBatchSize    most inputs in one request (413 beyond)
 * @param autoTruncate          truncate long inputs when a request does not say (TEI's {@code --auto-truncate})
 * @param apiKey                the bearer token every route but {@code /health} requires; null for none
 * @param maxBodyBytes          request body cap (413 beyond)
 * @param corsAllowOrigins      the origins a browser page may call the server from (CORS); empty or {@code "*"}:
 *                              any, TEI's default
 * @param defaultPrompt         the text put before every input of a request that names no {@code prompt_name}
 *                              (TEI's {@code --default-prompt}); "" for none
 */
public record ServerSettings(String host, int port, int maxBatchTokens, int maxBatchRequests, int maxConcurrentRequests,
                             int maxClientBatchSize, boolean autoTruncate, String apiKey, long maxBodyBytes,
                             List<String> corsAllowOrigins, String defaultPrompt) {

    /** Settings without a default prompt. */
    public ServerSettings(String host, int port, int maxBatchTokens, int maxBatchRequests, int maxConcurrentRequests,
                          int maxClientBatchSize, boolean autoTruncate, String apiKey, long maxBodyBytes,
                          List<String> corsAllowOrigins) {
        this(host, port, maxBatchTokens, maxBatchRequests, maxConcurrentRequests, maxClientBatchSize, autoTruncate,
                apiKey, maxBodyBytes, corsAllowOrigins, "");
    }

    /** Settings that let a page of any origin call the server, as TEI does by default. */
    public ServerSettings(String host, int port, int maxBatchTokens, int maxBatchRequests, int maxConcurrentRequests,
                          int maxClientBatchSize, boolean autoTruncate, String apiKey, long maxBodyBytes) {
        this(host, port, maxBatchTokens, maxBatchRequests, maxConcurrentRequests, maxClientBatchSize, autoTruncate,
                apiKey, maxBodyBytes, List.of());
    }

    /** TEI's defaults where TEI has one: 16,384 batch tokens, 512 concurrent requests, 32 inputs a request. */
    public static ServerSettings defaults() {
        return new ServerSettings("127.0.0.1", 8080, 16_384, 64, 512, 32, false, null, 2_000_000);
    }

    public ServerSettings {
        if (maxBatchTokens < 1 || maxBatchRequests < 1 || maxConcurrentRequests < 1 || maxClientBatchSize < 1
                || maxBodyBytes < 1) {
            throw new IllegalArgumentException("server limits must be positive");
        }
        corsAllowOrigins = corsAllowOrigins == null ? List.of() : List.copyOf(corsAllowOrigins);
        defaultPrompt = defaultPrompt == null ? "" : defaultPrompt;
    }
}
