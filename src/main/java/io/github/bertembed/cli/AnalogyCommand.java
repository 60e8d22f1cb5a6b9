package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.embedding.StaticWordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code analogy}: a − b + c on the token table's static vectors. */
@Command(name = "analogy", mixinStandardHelpOptions = true,
        description = "Nearest tokens to A − B + C using the model's token embedding table as static word vectors"
                + " (e.g. king man woman).")
final class AnalogyCommand implements Callable<Integer> {
    @Mixin
    EmbedderOptions embedder;

    @Parameters(index = "0", paramLabel = "A")
    String a;

    @Parameters(index = "1", paramLabel = "B")
    String b;

    @Parameters(index = "2", paramLabel = "C")
    String c;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "How many tokens; default ${DEFAULT-VALUE}.")
    int top;

    @Override
    public Integer call() {
        try (SentenceEmbedder model = embedder.open()) {
            StaticWordVectors words = new StaticWordVectors(model.tokenLookup(), model.inputEmbeddings().tokenTable());
            System.out.printf("%s - %s + %s:%n", a, b, c);
            int rank = 1;
            for (StaticWordVectors.Neighbour n : words.analogy(a, b, c, top)) {
                System.out.printf("%3d. %-20s %.4f%n", rank++, n.token(), n.cosine());
            }
            System.out.flush();
        }
        return 0;
    }
}
