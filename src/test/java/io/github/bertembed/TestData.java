package io.github.bertembed;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Where the tests find models and corpora: the build passes both folders as system properties. */
public final class TestData {
    private TestData() {
    }

    public static Path modelsDir() {
        return Path.of(System.getProperty("bertembed.models", "onnx-models"));
    }

    public static Path testsDir() {
        return Path.of(System.getProperty("bertembed.tests", "tests"));
    }

    public static Path model(String name) {
        return modelsDir().resolve(name);
    }

    public static Path tokenizerJson(String model) {
        return model(model).resolve("tokenizer.json");
    }

    /** The texts of a corpus under tests/corpora (JSONL, optionally gzipped, one {"text": ...} per line). */
    public static List<String> corpus(String file) {
        Path path = testsDir().resolve("corpora").resolve(file);
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    texts.add(json.readTree(line).get("text").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }

    public static List<String> english() {
        return corpus("fortunes-en.jsonl.gz");
    }

    public static List<String> chinese() {
        return corpus("fortunes-zh.jsonl.gz");
    }

    /**
     * {@code count} non-blank English fortunes from index {@code from} on that a tokenizer encodes in at most
     * {@code maxTokens} tokens (special tokens included): texts langchain4j's 128-token models see whole.
     */
    public static List<String> englishWithin(io.github.bertembed.tokenizer.BertTokenizer tokenizer, int maxTokens,
                                             int from, int count) {
        List<String> out = new ArrayList<>();
        for (String t : english().subList(from, english().size())) {
            if (!t.isBlank() && tokenizer.encode(t).length() <= maxTokens) {
                out.add(t);
                if (out.size() == count) {
                    break;
                }
            }
        }
        return out;
    }

    public static List<String> hard() {
        return corpus("hard.jsonl");
    }
}
