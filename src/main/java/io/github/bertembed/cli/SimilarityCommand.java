package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.pooling.VectorMath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code similarity}: the cosine matrix of texts. */
@Command(name = "similarity", mixinStandardHelpOptions = true,
        description = "Print the cosine similarity matrix of the texts' sentence vectors.")
final class SimilarityCommand implements Callable<Integer> {
    @Mixin
    EmbedderOptions embedder;

    @Parameters(paramLabel = "TEXT", arity = "2..*", description = "Two or more texts.")
    List<String> texts;

    @Override
    public Integer call() {
        try (SentenceEmbedder model = embedder.open()) {
            List<float[]> vectors = model.embedAll(texts);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < texts.size(); i++) {
                sb.append(String.format("[%d] %s%n", i, texts.get(i)));
            }
            sb.append(String.format("%n%6s", ""));
            for (int j = 0; j < texts.size(); j++) {
                sb.append(String.format("%8s", "[" + j + "]"));
            }
            sb.append('\n');
            for (int i = 0; i < texts.size(); i++) {
                sb.append(String.format("%6s", "[" + i + "]"));
                for (int j = 0; j < texts.size(); j++) {
                    sb.append(String.format("%8.4f", VectorMath.cosine(vectors.get(i), vectors.get(j))));
                }
                sb.append('\n');
            }
            System.out.print(sb);
            System.out.flush();
        }
        return 0;
    }
}
