package io.github.bertembed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code bert-embed} command line: {@code java -jar target/bert-embed.jar <command> --help}.
 */
@Command(name = "bert-embed", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "BERT sentence embeddings on the CPU: tokenize, embed, compare.",
        subcommands = {EmbedCommand.class, TokenizeCommand.class, SimilarityCommand.class, AnalogyCommand.class,
                InfoCommand.class, BenchCommand.class, VocabCommand.class, ServeCommand.class, LoadTestCommand.class,
                QuantizeCommand.class, IndexCommand.class, SearchCommand.class, MapCommand.class, BenchSearchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** {@code --version}: the pom's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bert-embed " + io.github.bertembed.BuildVersion.current()};
        }
    }

    /** Exit code for bad input: unreadable file, invalid line, unknown model. */
    static final int BAD_INPUT = 2;
    /** The Java heap was too small (one line on stderr names -Xmx). */
    static final int OUT_OF_MEMORY = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true); // --pooling cls, --long-text chunk, --padding max_length
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Throwable cause = e;
            String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            commandLine.getErr().println("error: " + message);
            commandLine.getErr().flush();
            return BAD_INPUT;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return BAD_INPUT;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // One line, not a stack trace: the heap is the user's to size.
            System.err.println("error: out of memory (the Java heap is " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MB): run java with a larger -Xmx, e.g. java -Xmx1g -jar bert-embed.jar ...; docs/cli.md,"
                    + " \"Memory\", lists what each model needs");
            return OUT_OF_MEMORY;
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
