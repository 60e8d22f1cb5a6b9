package io.github.bertembed.cli;

import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.model.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vocab}: writes a model's WordPiece vocabulary as vocab.txt (one token per line, line number = id). */
@Command(name = "vocab", mixinStandardHelpOptions = true,
        description = "Write the model's vocabulary as a vocab.txt: one token per line, line number = id.")
final class VocabCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--output", paramLabel = "FILE", description = "Output file (default: stdout).")
    Path output;

    @Override
    public Integer call() throws IOException {
        BertTokenizer tokenizer = BertTokenizer.fromFile(Models.tokenizerFile(model.folder()));
        StringBuilder sb = new StringBuilder();
        for (String token : tokenizer.vocabulary()) {
            sb.append(token).append('\n');
        }
        if (output == null) {
            PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
            out.print(sb);
            out.flush();
        } else {
            if (output.getParent() != null) {
                Files.createDirectories(output.getParent());
            }
            Files.writeString(output, sb, StandardCharsets.UTF_8);
        }
        return 0;
    }
}
