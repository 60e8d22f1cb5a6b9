package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Texts for benchmarks: a plain text file (one per line), or JSONL with "text" (optionally gzipped). */
public final class BenchCorpus {
    private BenchCorpus() {
    }

    public static List<String> read(Path file, int limit) throws IOException {
        String name = file.getFileName().toString();
        boolean gz = name.endsWith(".gz");
        boolean jsonl = name.replace(".gz", "").endsWith(".jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = gz ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && texts.size() < limit) {
                if (line.isBlank()) {
                    continue;
                }
                texts.add(jsonl ? json.readTree(line).get("text").asText() : line);
            }
        }
        return texts;
    }

    /** The default corpus: tests/corpora/fortunes-en.jsonl.gz in the working directory or beside the jar. */
    public static Path defaultCorpus() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("tests", "corpora", "fortunes-en.jsonl.gz"));
        Path dir = io.github.bertembed.model.Models.jarDirectory();
        if (dir != null) {
            candidates.add(dir.resolve("../tests/corpora/fortunes-en.jsonl.gz").normalize());
            candidates.add(dir.resolve("tests/corpora/fortunes-en.jsonl.gz"));
        }
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no corpus given and none found at " + candidates + "; use --corpus FILE");
    }
}
