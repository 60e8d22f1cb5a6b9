package io.github.bertembed.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The input and output files of the commands that read texts and write records. */
final class InputOutputOptions {
    @Option(names = "--input", paramLabel = "FILE", description = "Input file (default: the TEXT arguments where the"
            + " command takes them, else stdin).")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Output file (default: stdout).")
    Path output;
}
