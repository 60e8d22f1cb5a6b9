package io.github.bertembed.server;

import io.github.bertembed.LongTextPolicy;

import java.util.List;

/**
 * The server's address and limits; each limit has a status code of its own (see {@link ApiError}). Built with
 * {@link #builder()}, every setting defaulting to TEI's where TEI has one.
 *
 * <pre>{@code
 * ServerSettings settings = ServerSettings.builder().port(0).maxClientBatchSize(256).longText(LongTextPolicy.REFUSE).build();
 * }</pre>
 *
 * @param host                  address to bind (default loopback)
 * @param port                  port (0: any free port)
 * @param maxBatchTokens        most padded tokens (inputs × the longest) the batcher puts in one call of the model
 * @param maxBatchRequests      most inputs in one call of the model
 * @param maxConcurrentRequests requests in flight beyond which the server answers 429
 * @param maxClientBatchSize    most inputs in one request to a TEI route (413 beyond; TEI's default, 32)
 * @param maxOpenAiBatchSize    most inputs in one {@code /v1/embeddings} request (413 beyond; OpenAI's limit, 2,048,
 *                              which LangChain's and OpenAI's clients send up to)
 * @param longText              what an input over the model's maximum length gets when a request does not say:
 *                              {@link LongTextPolicy#TRUNCATE} (the default, as TEI's {@code --auto-truncate}) or
 *                              {@link LongTextPolicy#REFUSE} (413 naming its token count)
 * @param apiKey                the bearer token every route but {@code /health} requires; null for none
 * @param maxBodyBytes          request body cap (413 beyond)
 * @param corsAllowOrigins      the origins a browser page may call the server from (CORS); empty or {@code "*"}:
 *                              any, TEI's default
 * @param defaultPrompt         the text put before every input of a request that names no {@code prompt_name}
 *                              (TEI's {@code --default-prompt}); "" for none
 * @param acceptAnyModel        answer {@code /v1/embeddings} whatever {@code model} it names (TEI's behaviour);
 *                              false: another name than the served one is OpenAI's 404 {@code model_not_found}
 */
public record ServerSettings(String host, int port, int maxBatchTokens, int maxBatchRequests, int maxConcurrentRequests,
                             int maxClientBatchSize, int maxOpenAiBatchSize, LongTextPolicy longText, String apiKey,
                             long maxBodyBytes, List<String> corsAllowOrigins, String defaultPrompt,
                             boolean acceptAnyModel) {

    public ServerSettings {
        if (maxBatchTokens < 1 || maxBatchRequests < 1 || maxConcurrentRequests < 1 || maxClientBatchSize < 1
                || maxOpenAiBatchSize < 1 || maxBodyBytes < 1) {
            throw new IllegalArgumentException("server limits must be positive");
        }
        if (longText != LongTextPolicy.TRUNCATE && longText != LongTextPolicy.REFUSE) {
            throw new IllegalArgumentException("the server takes long-text policy truncate or refuse (TEI's truncate"
                    + " true or false), not " + (longText == null ? "none" : longText.flagValue())
                    + ": one input gives one vector");
        }
        corsAllowOrigins = corsAllowOrigins == null ? List.of() : List.copyOf(corsAllowOrigins);
        defaultPrompt = defaultPrompt == null ? "" : defaultPrompt;
    }

    /**
     * TEI's defaults where TEI has one (16,384 batch tokens, 512 concurrent requests, 32 inputs a TEI request), and
     * OpenAI's 2,048 inputs a {@code /v1/embeddings} request.
     */
    public static ServerSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** These settings, to change some. */
    public Builder toBuilder() {
        return new Builder().host(host).port(port).maxBatchTokens(maxBatchTokens).maxBatchRequests(maxBatchRequests)
                .maxConcurrentRequests(maxConcurrentRequests).maxClientBatchSize(maxClientBatchSize)
                .maxOpenAiBatchSize(maxOpenAiBatchSize).longText(longText).apiKey(apiKey)
                .maxBodyBytes(maxBodyBytes).corsAllowOrigins(corsAllowOrigins).defaultPrompt(defaultPrompt)
                .acceptAnyModel(acceptAnyModel);
    }

    /** Settings one by one; see the record's components for what each means. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxBatchTokens = 16_384;
        private int maxBatchRequests = 64;
        private int maxConcurrentRequests = 512;
        private int maxClientBatchSize = 32;
        private int maxOpenAiBatchSize = 2048;
        private LongTextPolicy longText = LongTextPolicy.DEFAULT;
        private boolean acceptAnyModel;
        private String apiKey;
        private long maxBodyBytes = 2_000_000;
        private List<String> corsAllowOrigins = List.of();
        private String defaultPrompt = "";

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder maxBatchTokens(int tokens) {
            this.maxBatchTokens = tokens;
            return this;
        }

        public Builder maxBatchRequests(int requests) {
            this.maxBatchRequests = requests;
            return this;
        }

        public Builder maxConcurrentRequests(int requests) {
            this.maxConcurrentRequests = requests;
            return this;
        }

        public Builder maxClientBatchSize(int inputs) {
            this.maxClientBatchSize = inputs;
            return this;
        }

        public Builder maxOpenAiBatchSize(int inputs) {
            this.maxOpenAiBatchSize = inputs;
            return this;
        }

        public Builder acceptAnyModel(boolean any) {
            this.acceptAnyModel = any;
            return this;
        }

        /** Truncate (the default) or refuse inputs over the maximum length when a request does not say. */
        public Builder longText(LongTextPolicy policy) {
            this.longText = policy;
            return this;
        }

        public Builder apiKey(String key) {
            this.apiKey = key;
            return this;
        }

        public Builder maxBodyBytes(long bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        public Builder corsAllowOrigins(List<String> origins) {
            this.corsAllowOrigins = origins;
            return this;
        }

        public Builder defaultPrompt(String prompt) {
            this.defaultPrompt = prompt;
            return this;
        }

        public ServerSettings build() {
            return new ServerSettings(host, port, maxBatchTokens, maxBatchRequests, maxConcurrentRequests,
                    maxClientBatchSize, maxOpenAiBatchSize, longText, apiKey, maxBodyBytes, corsAllowOrigins,
                    defaultPrompt, acceptAnyModel);
        }
    }
}
