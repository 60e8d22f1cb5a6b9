package io.github.bertembed.cli;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static long[] ids(JsonNode node) {
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = node.get(i).asLong();
        }
        return out;
    }

    @Test
    void plainLinesMatchHuggingFaceWithoutTruncation() throws IOException {
        // Long fortunes too: the CLI must not apply the file's max_length 128.
        List<String> texts = TestData.english().stream().map(t -> t.replace('\n', ' ')).limit(300).toList();
        Path in = dir.resolve("in.txt");
        Path out = dir.resolve("out.jsonl");
        Files.write(in, texts, StandardCharsets.UTF_8);
        var r = CliTestSupport.run("tokenize", "--models-dir", TestData.modelsDir().toString(),
                "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(texts.size(), lines.size());
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
                .optTokenizerPath(TestData.tokenizerJson("all-minilm-l6-v2"))
                .optTruncation(false).optPadding(false).build()) {
            for (int i = 0; i < texts.size(); i++) {
                JsonNode node = JSON.readTree(lines.get(i));
                var ref = hf.encode(texts.get(i));
                assertEquals(java.util.Arrays.toString(ref.getIds()), java.util.Arrays.toString(ids(node.get("ids"))));
                assertEquals(ref.getIds().length, node.get("offsets").size());
                assertEquals(ref.getIds().length, node.get("tokens").size());
                assertEquals(ref.getIds().length, node.get("type_ids").size());
            }
        }
    }

    @Test
    void textArgumentsAsEmbedTakesThem() throws IOException {
        List<String> texts = List.of("Hello, world!", "héllo wörld 😀", "The quick brown fox.");
        String[] args = new String[texts.size() + 3];
        args[0] = "tokenize";
        args[1] = "--models-dir";
        args[2] = TestData.modelsDir().toString();
        for (int i = 0; i < texts.size(); i++) {
            args[3 + i] = texts.get(i);
        }
        var r = CliTestSupport.run(args);
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(texts.size(), lines.size(), r.out());
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
                .optTokenizerPath(TestData.tokenizerJson("all-minilm-l6-v2"))
                .optTruncation(false).optPadding(false).build()) {
            for (int i = 0; i < texts.size(); i++) {
                assertEquals(java.util.Arrays.toString(hf.encode(texts.get(i)).getIds()),
                        java.util.Arrays.toString(ids(JSON.readTree(lines.get(i)).get("ids"))), texts.get(i));
            }
        }
        var both = CliTestSupport.run("tokenize", "--input", "x.txt", "a text");
        assertEquals(Main.BAD_INPUT, both.exitCode());
        assertEquals(1, both.err().strip().lines().count(), both.err());
    }

    @Test
    void jsonlPairsWithTruncation() throws IOException {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"text\":\"The quick brown fox jumps over the lazy dog\",\"text_pair\":\"A pair\"}\n\n"
                + "{\"text\":\"short\",\"text_pair\":\"another text that is quite a bit longer than the first\"}\n");
        Path out = dir.resolve("out.jsonl");
        var r = CliTestSupport.run("tokenize", "--models-dir", TestData.modelsDir().toString(), "--input",
                in.toString(), "--output", out.toString(), "--pair", "--max-length", "8");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
                .optTokenizerPath(TestData.tokenizerJson("all-minilm-l6-v2"))
                .optTruncation(true).optMaxLength(8).optPadding(false).build()) {
            var first = JSON.readTree(lines.get(0));
            assertEquals(java.util.Arrays.toString(hf.encode("The quick brown fox jumps over the lazy dog", "A pair").getIds()),
                    java.util.Arrays.toString(ids(first.get("ids"))));
            assertTrue(first.get("truncated").asBoolean());
            var second = JSON.readTree(lines.get(1));
            assertEquals(java.util.Arrays.toString(hf.encode("short", "another text that is quite a bit longer than the first").getIds()),
                    java.util.Arrays.toString(ids(second.get("ids"))));
        }
    }

    @Test
    void folderWithOnlyATokenizerIsAModel() throws IOException {
        Path model = dir.resolve("only-tokenizer");
        Files.createDirectories(model);
        Files.copy(TestData.tokenizerJson("bge-small-zh-v1.5"), model.resolve("tokenizer.json"));
        Path in = dir.resolve("zh.txt");
        Files.writeString(in, "我爱北京天安门\n");
        var r = CliTestSupport.run("tokenize", "--model", model.toString(), "--input", in.toString(),
                "--no-special-tokens");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(7, JSON.readTree(r.out().trim()).get("ids").size());
    }

    @Test
    void invalidJsonLineIsNamed() throws IOException {
        Path in = dir.resolve("bad.jsonl");
        Files.writeString(in, "{\"text\":\"fine\"}\n{not json}\n");
        var r = CliTestSupport.run("tokenize", "--models-dir", TestData.modelsDir().toString(), "--input", in.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("line 2"), r.err());
    }

    @Test
    void missingFileAndUnknownModelExitWithTwo() {
        var missing = CliTestSupport.run("tokenize", "--models-dir", TestData.modelsDir().toString(),
                "--input", dir.resolve("nope.txt").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("nope.txt"), missing.err());
        var unknown = CliTestSupport.run("tokenize", "--model", "no-such-model");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("all-minilm-l6-v2"), "lists the known names: " + unknown.err());
    }

    @Test
    void helpOnEveryCommand() {
        for (String command : List.of("tokenize", "vocab")) {
            var r = CliTestSupport.run(command, "--help");
            assertEquals(0, r.exitCode());
            assertTrue(r.out().contains("Usage"), r.out());
        }
    }
}
