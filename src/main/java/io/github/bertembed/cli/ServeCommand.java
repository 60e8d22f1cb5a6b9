package io.github.bertembed.cli;

import io.github.bertembed.LongTextPolicy;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.server.EmbeddingServer;
import io.github.bertembed.server.ServerSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code serve}: the embedding server (TEI and OpenAI routes). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve embeddings over HTTP: TEI's routes"
        + " (/embed, /embed_all, /tokenize, /decode, /similarity, /info, /health, /metrics) and OpenAI's"
        + " (/v1/embeddings, /v1/models). SIGTERM answers every admitted request, then exits 0.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"--host", "--hostname"}, defaultValue = "127.0.0.1",
            description = "Address to bind (default ${DEFAULT-VALUE}; --hostname is TEI's name).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default ${DEFAULT-VALUE}; 0: any free).")
    int port;

    @Option(names = "--max-length", paramLabel = "N", description = "Maximum tokens per input (default: the model's).")
    Integer maxLength;

    @Option(names = "--pooling", paramLabel = "MODE", description = "mean, cls or max (default: the model's own).")
    Pooling pooling;

    @Option(names = "--threads", paramLabel = "N", description = "Model threads (default: the cores).")
    int threads;

    @Option(names = "--max-batch-tokens", paramLabel = "N", defaultValue = "16384",
            description = "Most padded tokens in one call of the model (default ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Option(names = "--max-batch-requests", paramLabel = "N", defaultValue = "64",
            description = "Most inputs in one call of the model (default ${DEFAULT-VALUE}).")
    int maxBatchRequests;

    @Option(names = "--max-concurrent-requests", paramLabel = "N", defaultValue = "512",
            description = "Requests in flight beyond which the server answers 429 (default ${DEFAULT-VALUE}).")
    int maxConcurrentRequests;

    @Option(names = "--max-client-batch-size", paramLabel = "N", defaultValue = "32",
            description = "Most inputs in one request to a TEI route, 413 beyond (default ${DEFAULT-VALUE}, as TEI).")
    int maxClientBatchSize;

    @Option(names = "--max-openai-batch-size", paramLabel = "N", defaultValue = "2048",
            description = "Most inputs in one /v1/embeddings request, 413 beyond (default ${DEFAULT-VALUE}, OpenAI's"
                    + " own limit; LangChain sends up to 1,000).")
    int maxOpenAiBatchSize;

    @Option(names = "--accept-any-model", description = "Answer /v1/embeddings whatever model it names (as TEI does);"
            + " by default another name than the served one gets OpenAI's 404 model_not_found.")
    boolean acceptAnyModel;

    @Option(names = "--payload-limit", paramLabel = "BYTES", defaultValue = "2000000",
            description = "Most bytes in a request body, 413 beyond (default ${DEFAULT-VALUE}).")
    long payloadLimit;

    @Option(names = "--long-text", paramLabel = "POLICY", defaultValue = "truncate",
            description = "Inputs over the maximum length when a request does not say (TEI's \"truncate\"):"
                    + " truncate (default; the x-compute-truncated header counts them) or refuse (413).")
    LongTextPolicy longText;

    @Option(names = "--auto-truncate", description = "TEI's flag, kept for its command lines: the same as"
            + " --long-text truncate, the default.")
    boolean autoTruncate;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require Authorization: Bearer KEY"
            + " (every route but /health). Also read from $BERT_EMBED_API_KEY.")
    String apiKey;

    @Option(names = "--cors-allow-origin", paramLabel = "ORIGIN", split = ",", description = "Origins whose browser"
            + " pages may call the server, e.g. https://app.example.com (repeat or separate with commas; default: any,"
            + " as TEI).")
    List<String> corsAllowOrigins = List.of();

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "The model's name in /info and"
            + " OpenAI's responses (default: the model's name or folder).")
    String servedModelName;

    @Option(names = "--default-prompt-name", paramLabel = "NAME", description = "The model's prompt (from its"
            + " config_sentence_transformers.json) put before every input of a request that names none.")
    String defaultPromptName;

    @Option(names = "--default-prompt", paramLabel = "TEXT", description = "Text put before every input of a"
            + " request that names no prompt_name, e.g. \"query: \" (not with --default-prompt-name).")
    String defaultPrompt;

    @Option(names = "--index", paramLabel = "DIR", description = "Also answer POST /search over this index ('index'"
            + " builds one); the model defaults to the index's.")
    java.nio.file.Path index;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("BERT_EMBED_API_KEY");
        if (defaultPrompt != null && defaultPromptName != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--default-prompt and --default-prompt-name cannot both be given");
        }
        io.github.bertembed.search.VectorIndex searched = index == null ? null
                : io.github.bertembed.search.VectorIndex.open(index);
        boolean modelGiven = spec.commandLine().getParseResult().hasMatchedOption("--model")
                || spec.commandLine().getParseResult().hasMatchedOption("--model-id");
        String modelName = searched != null && !modelGiven ? searched.manifest().model() : model.model;
        SentenceEmbedder.Builder b = SentenceEmbedder.builder().model(modelName).modelsDir(model.modelsDir)
                .threads(threads).normalize(false); // requests choose normalization
        if (maxLength != null) {
            b.maxLength(maxLength);
        }
        if (pooling != null) {
            b.pooling(pooling);
        }
        SentenceEmbedder embedder = b.build();
        String prompt = defaultPrompt;
        if (defaultPromptName != null) {
            prompt = embedder.prompts().get(defaultPromptName);
            if (prompt == null) { // TEI refuses to start in this case too, with these words
                String message = "`default-prompt-name` is set to `" + defaultPromptName + "` but "
                        + (embedder.prompts().isEmpty()
                        ? "no prompts were found in the Sentence Transformers configuration"
                        : "it was not found in the Sentence Transformers prompts. Available prompts: "
                        + embedder.prompts().keySet());
                embedder.close();
                throw new CommandLine.ParameterException(spec.commandLine(), message);
            }
        }
        ServerSettings settings = ServerSettings.builder().host(host).port(port).maxBatchTokens(maxBatchTokens)
                .maxBatchRequests(maxBatchRequests).maxConcurrentRequests(maxConcurrentRequests)
                .maxClientBatchSize(maxClientBatchSize).maxOpenAiBatchSize(maxOpenAiBatchSize)
                .acceptAnyModel(acceptAnyModel).longText(autoTruncate ? LongTextPolicy.TRUNCATE : longText).apiKey(key)
                .maxBodyBytes(payloadLimit).corsAllowOrigins(corsAllowOrigins).defaultPrompt(prompt).build();
        String name = servedModelName != null ? servedModelName : embedder.location().name();
        EmbeddingServer server;
        try {
            server = EmbeddingServer.start(embedder, name, settings, searched);
        } catch (RuntimeException e) {
            embedder.close();
            if (searched != null) {
                searched.close();
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown(Duration.ofSeconds(30));
            System.out.println("bert-embed stopped: " + server.succeeded() + " requests answered with 200, "
                    + server.inFlight() + " admitted requests unanswered");
            System.out.flush();
            boolean drained = server.inFlight() == 0;
            embedder.close();
            if (searched != null) {
                try {
                    searched.close();
                } catch (java.io.IOException e) {
                    System.err.println("error: cannot close " + index + ": " + e.getMessage());
                }
            }
            stopped.countDown();
            // A complete drain is a clean stop: exit 0, where a JVM ended by SIGTERM would report 143, which
            // systemd and Kubernetes read as a failure. Requests left unanswered keep that status.
            if (drained) {
                Runtime.getRuntime().halt(0);
            }
        }, "bert-embed-shutdown"));
        System.out.println("bert-embed serving " + name + " (" + embedder.dimension() + " dimensions, max "
                + embedder.maxLength() + " tokens) on " + server.url()
                + (searched != null ? ", searching " + index + " (" + searched.size() + " rows)" : "") + (key != null ? " (API key required)" : ""));
        System.out.flush();
        stopped.await();
        return 0;
    }
}
