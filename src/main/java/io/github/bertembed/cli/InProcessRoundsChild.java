package io.github.bertembed.cli;

import io.github.bertembed.bench.InProcessRounds;
import io.github.bertembed.server.EmbeddingServer;
import io.github.bertembed.server.ServerSettings;

/**
 * The main class of the in-process JVM of {@code loadtest --rounds}: {@link InProcessRounds#serve} on this
 * process's standard streams, which the parent ({@link io.github.bertembed.bench.ServerComparison}) holds as pipes.
 * With {@code loadtest --same-jvm} it also serves HTTP on the same embedder, as {@code serve --auto-truncate --port 0}
 * with every other limit at its default.
 *
 * <pre>{@code
 * taskset -c 1 java -cp bert-embed.jar io.github.bertembed.cli.InProcessRoundsChild   # started by loadtest --rounds
 * }</pre>
 */
public final class InProcessRoundsChild {
    private InProcessRoundsChild() {
    }

    public static void main(String[] args) throws Exception {
        ServerSettings d = ServerSettings.defaults();
        ServerSettings settings = new ServerSettings(d.host(), 0, d.maxBatchTokens(), d.maxBatchRequests(),
                d.maxConcurrentRequests(), d.maxClientBatchSize(), true, null, d.maxBodyBytes());
        InProcessRounds.serve(System.in, System.out, embedder -> {
            EmbeddingServer server = EmbeddingServer.start(embedder, embedder.location().name(), settings);
            return new InProcessRounds.Hosted(server.url(), server);
        });
    }
}
