package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.embedding.StaticWordVectors;
import io.github.bertembed.search.VectorIndex;
import io.github.bertembed.search.map.EmbeddingMap;
import io.github.bertembed.search.map.MapPage;
import io.github.bertembed.search.map.MapPicture;
import io.github.bertembed.search.map.ProjectorFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code map}: a 2-D picture of embeddings (PCA), as a PNG, an HTML page or the Embedding Projector's files. */
@Command(name = "map", mixinStandardHelpOptions = true,
        description = {"Draw embeddings in 2-D (principal components): a collection (--input texts, an index folder"
                + " or a float32 .npy) or words (--words, with an analogy's arrows).",
                "Outputs by --output's name: .png (a picture), .html (a self-contained page: hover for the text, wheel"
                        + " to zoom, a search box that lights up a text's nearest neighbours), or a folder (vectors.tsv"
                        + " and metadata.tsv for projector.tensorflow.org)."})
final class MapCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    EmbedderOptions embedder;

    @Option(names = "--input", paramLabel = "FILE|DIR", description = "Texts (one a line, or .jsonl records), an"
            + " index folder ('index'), or a float32 .npy of vectors ('embed').")
    Path input;

    @Option(names = "--records", paramLabel = "FILE", description = "With an .npy --input: the .jsonl records its"
            + " rows were embedded from (texts, labels, colours).")
    Path records;

    @Option(names = "--words", arity = "1..*", paramLabel = "WORD", description = "Words to draw instead of a"
            + " collection, e.g. king queen man woman prince princess.")
    List<String> words;

    @Option(names = "--word-vectors", paramLabel = "KIND", defaultValue = "static", description = "static (default:"
            + " the model's token table, as 'analogy' uses) or sentence (each word embedded as a text).")
    String wordVectors;

    @Option(names = "--arrows", paramLabel = "HOW", defaultValue = "pairs", description = "With --words: pairs"
            + " (default: an arrow from each word to the next, king -> queen, man -> woman, ...) or none.")
    String arrows;

    @Option(names = "--output", paramLabel = "FILE", required = true, description = "map.png, map.html, or a folder"
            + " for the projector's TSV pair; repeat for several.")
    List<Path> outputs;

    @Option(names = "--labels", paramLabel = "FIELD", description = "The .jsonl field that labels each point.")
    String labelField;

    @Option(names = "--color", paramLabel = "FIELD", description = "The .jsonl field whose values colour the points.")
    String colorField;

    @Option(names = "--neighbours", paramLabel = "K", defaultValue = "10", description = "Nearest neighbours the"
            + " page shows for a text (default ${DEFAULT-VALUE}).")
    int neighbours;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20000", description = "Most points (default"
            + " ${DEFAULT-VALUE}); a larger input is refused, naming its size.")
    int limit;

    @Option(names = "--title", paramLabel = "TEXT", description = "The picture's title.")
    String title;

    private final List<String> texts = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final List<String> groups = new ArrayList<>();
    private final List<float[]> vectors = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if ((input == null) == (words == null)) {
            throw new IllegalArgumentException("give --input FILE|DIR or --words WORD...");
        }
        for (Path out : outputs) {
            String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.contains(".") && !name.endsWith(".png") && !name.endsWith(".html")) {
                throw new IllegalArgumentException("--output " + out + ": give a .png, a .html, or a folder (for"
                        + " vectors.tsv and metadata.tsv)");
            }
        }
        List<int[]> arrowPairs = new ArrayList<>();
        String what;
        if (words != null) {
            what = words(arrowPairs);
        } else if (Files.isDirectory(input)) {
            what = index();
        } else if (input.getFileName().toString().endsWith(".npy")) {
            what = npy();
        } else {
            what = texts();
        }
        boolean anyLabel = labels.stream().anyMatch(java.util.Objects::nonNull);
        boolean anyGroup = groups.stream().anyMatch(java.util.Objects::nonNull);
        EmbeddingMap map = EmbeddingMap.of(title != null ? title : what, texts, vectors, anyLabel ? labels : null,
                anyGroup ? groups : null, arrowPairs, neighbours);
        for (Path out : outputs) {
            String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".png")) {
                MapPicture.write(map, out);
            } else if (name.endsWith(".html")) {
                MapPage.write(map, out);
            } else {
                ProjectorFiles.write(out, vectors, map);
            }
            System.err.println("wrote " + out);
        }
        System.err.printf("%,d points; PC1 %.1f%%, PC2 %.1f%% of the variance%n", texts.size(),
                100 * map.explained()[0], 100 * map.explained()[1]);
        return 0;
    }

    private String words(List<int[]> arrowPairs) {
        if (!arrows.equals("pairs") && !arrows.equals("none")) {
            throw new IllegalArgumentException("--arrows is pairs or none, not " + arrows);
        }
        if (!wordVectors.equals("static") && !wordVectors.equals("sentence")) {
            throw new IllegalArgumentException("--word-vectors is static or sentence, not " + wordVectors);
        }
        try (SentenceEmbedder model = embedder.open()) {
            StaticWordVectors table = new StaticWordVectors(model.tokenLookup(), model.inputEmbeddings().tokenTable());
            for (String w : words) {
                vectors.add(wordVectors.equals("static") ? table.vector(w) : model.embed(w));
                texts.add(w);
                labels.add(w);
                groups.add(null);
            }
            if (arrows.equals("pairs")) {
                for (int i = 0; i + 1 < words.size(); i += 2) {
                    arrowPairs.add(new int[] {i, i + 1});
                }
            }
            return model.location().name() + ": " + (wordVectors.equals("static") ? "static token vectors"
                    : "sentence vectors") + " of " + words.size() + " words";
        }
    }

    private String index() throws IOException {
        try (VectorIndex index = VectorIndex.open(input)) {
            checkSize(index.size());
            for (long row = 0; row < index.size(); row++) {
                vectors.add(index.vector(row));
                String t = index.text(row);
                Object id = index.id(row);
                texts.add(t != null ? t : String.valueOf(id));
                labels.add(null);
                groups.add(null);
            }
            return String.format("%s: %,d rows of %s", index.manifest().model(), index.size(), input.getFileName());
        }
    }

    private String npy() throws IOException {
        java.util.Iterator<Object[]> rows = IndexCommand.npy(input);
        while (rows.hasNext()) {
            vectors.add((float[]) rows.next()[2]);
            checkSize(vectors.size());
        }
        if (records != null) {
            readRecords(records, false);
            if (texts.size() != vectors.size()) {
                throw new IllegalArgumentException(records + " has " + texts.size() + " records for " + vectors.size()
                        + " vectors in " + input);
            }
        } else {
            for (int i = 0; i < vectors.size(); i++) {
                texts.add("row " + i);
                labels.add(null);
                groups.add(null);
            }
        }
        return String.format("%,d vectors of %s", vectors.size(), input.getFileName());
    }

    private String texts() throws IOException {
        readRecords(input, true);
        try (SentenceEmbedder model = embedder.open()) {
            vectors.addAll(model.embedAll(texts));
            return String.format("%s: %,d texts of %s", model.location().name(), texts.size(), input.getFileName());
        }
    }

    /** Texts, labels and groups from a .jsonl (or text lines); the size checked against --limit. */
    private void readRecords(Path file, boolean check) throws IOException {
        boolean jsonl = file.getFileName().toString().endsWith(".jsonl");
        if (!jsonl && (labelField != null || colorField != null)) {
            throw new IllegalArgumentException("--labels and --color read fields of .jsonl records; " + file
                    + " is plain text");
        }
        long count = InputRecords.count(file);
        if (check) {
            checkSize(count);
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                if (jsonl && line.isBlank()) {
                    continue;
                }
                if (!jsonl) {
                    texts.add(line);
                    labels.add(null);
                    groups.add(null);
                    continue;
                }
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    throw new IllegalArgumentException(file + " line " + number + " is not JSON");
                }
                if (n == null || !n.path("text").isTextual()) {
                    throw new IllegalArgumentException(file + " line " + number + ": expected a string \"text\"");
                }
                texts.add(n.get("text").asText());
                labels.add(field(n, labelField, file, number));
                groups.add(field(n, colorField, file, number));
            }
        }
    }

    private static String field(JsonNode n, String name, Path file, long line) {
        if (name == null) {
            return null;
        }
        JsonNode v = n.get(name);
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new IllegalArgumentException(file + " line " + line + " has no \"" + name + "\" value");
        }
        return v.asText();
    }

    private void checkSize(long count) {
        if (count > limit) {
            throw new IllegalArgumentException("the input has " + count + " points, over --limit " + limit
                    + ": raise --limit (the page and picture slow down past tens of thousands) or map a sample");
        }
    }
}
