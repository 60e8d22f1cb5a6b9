package io.github.bertembed.cli;

import io.github.bertembed.bench.InProcessRounds;

/**
 * The main class of the in-process JVM of {@code loadtest --rounds}: {@link InProcessRounds#serve} on this
 * process's standard streams, which the parent ({@link io.github.bertembed.bench.ServerComparison}) holds as pipes.
 *
 * <pre>{@code
 * taskset -c 1 java -cp bert-embed.jar io.github.bertembed.cli.InProcessRoundsChild   # started by loadtest --rounds
 * }</pre>
 */
public final class InProcessRoundsChild {
    private InProcessRoundsChild() {
    }

    public static void main(String[] args) throws Exception {
        InProcessRounds.serve(System.in, System.out);
    }
}
