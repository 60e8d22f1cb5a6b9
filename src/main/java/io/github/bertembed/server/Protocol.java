package io.github.bertembed.server;

/**
 * The two APIs the server speaks, and what differs between them for a request's inputs: how many one request may
 * carry (TEI's {@code --max-client-batch-size}, 32 by default as TEI's; OpenAI's limit, 2,048, which LangChain's and
 * OpenAI's clients fill), and whether a request can ask for truncation itself (TEI's {@code truncate}; OpenAI's API
 * has no such field).
 */
enum Protocol {
    TEI("--max-client-batch-size", true),
    OPENAI("--max-openai-batch-size", false);

    private final String maxInputsSetting;
    private final boolean requestCanTruncate;

    Protocol(String maxInputsSetting, boolean requestCanTruncate) {
        this.maxInputsSetting = maxInputsSetting;
        this.requestCanTruncate = requestCanTruncate;
    }

    /** The {@code serve} flag that sets the most inputs a request may carry. */
    String maxInputsSetting() {
        return maxInputsSetting;
    }

    boolean requestCanTruncate() {
        return requestCanTruncate;
    }

    /** The most inputs one request may carry under these settings. */
    int maxInputs(ServerSettings settings) {
        return this == TEI ? settings.maxClientBatchSize() : settings.maxOpenAiBatchSize();
    }
}
