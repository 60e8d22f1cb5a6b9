package io.github.bertembed.cli;

import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.VectorFormat;
import io.github.bertembed.batch.VectorWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code embed}: sentence vectors of texts from arguments, a file or stdin. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed texts: the TEXT arguments, or one text per line of --input (or stdin); a .jsonl input"
                + " has one {\"text\": ...} object per line (with \"text_pair\" for pairs).",
                "JSONL output: {\"index\":i,\"embedding\":[...],\"tokens\":n,\"truncated\":bool} per text, in order."})
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    EmbedderOptions embedder;

    @Option(names = "--input", paramLabel = "FILE", description = "Input file (default: the TEXT arguments, else stdin).")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Output file (default: stdout).")
    Path output;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "jsonl, npy or csv (default: from the output file's extension, else jsonl).")
    String format;

    @Option(names = "--pair", description = "Each input line is two texts separated by a TAB.")
    boolean pair;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        VectorFormat f = format != null ? VectorFormat.parse(format)
                : output != null ? VectorFormat.forFile(output.getFileName().toString()) : VectorFormat.JSONL;
        try (SentenceEmbedder model = embedder.open(); VectorWriter out = VectorWriter.open(output, f)) {
            if (!texts.isEmpty()) {
                out.write(model.embedDetailed(texts));
                return 0;
            }
            try (InputRecords records = InputRecords.open(input, pair)) {
                List<String> chunk = new ArrayList<>();
                List<String> pairs = new ArrayList<>();
                int chunkSize = Math.max(256, model.batchSize() * 8);
                while (records.hasNext()) {
                    InputRecords.Record r = records.next();
                    chunk.add(r.text());
                    pairs.add(r.pair());
                    if (chunk.size() == chunkSize) {
                        write(model, out, chunk, pairs);
                    }
                }
                write(model, out, chunk, pairs);
            }
        }
        return 0;
    }

    private static void write(SentenceEmbedder model, VectorWriter out, List<String> chunk, List<String> pairs)
            throws java.io.IOException {
        if (chunk.isEmpty()) {
            return;
        }
        boolean anyPair = pairs.stream().anyMatch(p -> p != null);
        List<Embedding> vectors = model.embedDetailed(chunk, anyPair ? pairs : null);
        out.write(vectors);
        chunk.clear();
        pairs.clear();
    }
}
