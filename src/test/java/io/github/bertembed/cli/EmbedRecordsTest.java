package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.TestData;
import io.github.bertembed.batch.Precision;
import io.github.bertembed.batch.VectorQuantizer;
import io.github.bertembed.pooling.VectorMath;
import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What records carry beside the vector (ids, texts), their precision and dimensions, and the progress bar. */
class EmbedRecordsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static String models() {
        return TestData.modelsDir().toString();
    }

    private Path jsonlInput() throws Exception {
        return Files.write(dir.resolve("docs.jsonl"), List.of(
                "{\"doc\": \"a-1\", \"text\": \"A fox, quick and brown.\"}",
                "{\"doc\": 42, \"text\": \"She said \\\"hi\\\"\\nand left.\"}",
                "{\"doc\": 12345678901234567890, \"text\": \"plain\"}"));
    }

    @Test
    void idsAndTextsTravelWithTheirRecordsInJsonlAndCsv() throws Exception {
        Path in = jsonlInput();
        Path jsonl = dir.resolve("out.jsonl");
        var r = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                jsonl.toString(), "--id-field", "doc", "--include-text");
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = Files.readAllLines(jsonl);
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals("a-1", first.get("id").textValue(), "a string id stays a string");
        assertEquals("A fox, quick and brown.", first.get("text").asText());
        assertEquals(42, JSON.readTree(lines.get(1)).get("id").intValue(), "a number stays a number");
        assertEquals("She said \"hi\"\nand left.", JSON.readTree(lines.get(1)).get("text").asText());
        assertEquals("12345678901234567890", JSON.readTree(lines.get(2)).get("id").bigIntegerValue().toString());

        Path csv = dir.resolve("out.csv");
        var c = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                csv.toString(), "--id-field", "doc", "--include-text");
        assertEquals(0, c.exitCode(), c.err());
        // Parsed by Jackson's CSV reader (RFC 4180 quoting), not by our own split.
        var mapper = new com.fasterxml.jackson.dataformat.csv.CsvMapper();
        var schema = com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader();
        List<java.util.Map<String, String>> rows = new ArrayList<>();
        try (var it = mapper.readerForMapOf(String.class).with(schema).<java.util.Map<String, String>>readValues(csv.toFile())) {
            it.forEachRemaining(rows::add);
        }
        assertEquals(3, rows.size());
        assertEquals("a-1", rows.get(0).get("id"));
        assertEquals("She said \"hi\"\nand left.", rows.get(1).get("text"));
        assertEquals("1", rows.get(1).get("index"));
        assertEquals("false", rows.get(2).get("truncated"));
        JsonNode vector = first.get("embedding");
        for (int i = 0; i < 384; i++) {
            assertEquals(vector.get(i).floatValue(), Float.parseFloat(rows.get(0).get("e" + i)));
        }

        var npy = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                dir.resolve("o.npy").toString(), "--include-text");
        assertEquals(Main.BAD_INPUT, npy.exitCode());
        assertTrue(npy.err().startsWith("error: .npy holds the vectors only"), npy.err());
        assertFalse(Files.exists(dir.resolve("o.npy.partial")) || Files.exists(dir.resolve("o.npy")));
        Path plain = Files.writeString(dir.resolve("plain.txt"), "one\n");
        var noField = CliTestSupport.run("embed", "--models-dir", models(), "--input", plain.toString(),
                "--id-field", "doc");
        assertEquals(Main.BAD_INPUT, noField.exitCode());
        assertTrue(noField.err().contains("--id-field reads a field of JSONL input"), noField.err());
        Path missing = Files.writeString(dir.resolve("missing.jsonl"), "{\"text\": \"x\"}\n");
        var absent = CliTestSupport.run("embed", "--models-dir", models(), "--input", missing.toString(),
                "--id-field", "doc");
        assertEquals(Main.BAD_INPUT, absent.exitCode());
        assertTrue(absent.err().contains("line 1: expected a string or number \"doc\" (--id-field)"), absent.err());
    }

    @Test
    void precisionsAndDimensionsAreTheFloatVectorsConverted() throws Exception {
        Path in = jsonlInput();
        Path floats = dir.resolve("f.jsonl");
        assertEquals(0, CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                floats.toString()).exitCode());
        List<float[]> reference = new ArrayList<>();
        for (String line : Files.readAllLines(floats)) {
            JsonNode e = JSON.readTree(line).get("embedding");
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = e.get(i).floatValue();
            }
            reference.add(v);
        }
        // binary as .npy: int8 rows of 384 / 8 = 48 bytes, the sign bits of the float vectors.
        Path npy = dir.resolve("b.npy");
        var b = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                npy.toString(), "--precision", "binary");
        assertEquals(0, b.exitCode(), b.err());
        byte[] bytes = Files.readAllBytes(npy);
        String header = new String(bytes, 10, 118, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '|i1'") && header.contains("'shape': (3, 48)"), header);
        for (int i = 0; i < 3; i++) {
            int[] expected = VectorQuantizer.of(Precision.BINARY).ints(reference.get(i));
            for (int k = 0; k < 48; k++) {
                assertEquals(expected[k], bytes[128 + i * 48 + k], "row " + i + " byte " + k);
            }
        }
        // int8 calibrated on the same texts: JSONL integers.
        Path int8 = dir.resolve("i.jsonl");
        var q = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                int8.toString(), "--precision", "int8", "--calibration", in.toString());
        assertEquals(0, q.exitCode(), q.err());
        VectorQuantizer quantizer = VectorQuantizer.calibrated(Precision.INT8, reference);
        List<String> lines = Files.readAllLines(int8);
        for (int i = 0; i < 3; i++) {
            JsonNode e = JSON.readTree(lines.get(i)).get("embedding");
            int[] expected = quantizer.ints(reference.get(i));
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], e.get(k).intValue());
            }
        }
        var uncalibrated = CliTestSupport.run("embed", "--models-dir", models(), "--precision", "int8", "x");
        assertEquals(Main.BAD_INPUT, uncalibrated.exitCode());
        assertTrue(uncalibrated.err().contains("needs --calibration FILE"), uncalibrated.err());
        // float16 as .npy: NumPy's '<f2', each value the float rounded to half.
        Path half = dir.resolve("h.npy");
        assertEquals(0, CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--output",
                half.toString(), "--precision", "float16").exitCode());
        byte[] h = Files.readAllBytes(half);
        assertTrue(new String(h, 10, 118, StandardCharsets.US_ASCII).contains("'descr': '<f2'"));
        byte[] row = VectorQuantizer.of(Precision.FLOAT16).bytes(reference.get(0)); // rounding: VectorQuantizerTest
        assertArrayEquals(row, java.util.Arrays.copyOfRange(h, 128, 128 + 768));
        // --dimensions 64: the first 64 components, re-normalized (as the server's and OpenAI's "dimensions").
        var d = CliTestSupport.run("embed", "--models-dir", models(), "--input", in.toString(), "--dimensions", "64");
        assertEquals(0, d.exitCode(), d.err());
        JsonNode cut = JSON.readTree(d.out().lines().findFirst().orElseThrow()).get("embedding");
        float[] expected = VectorMath.normalized(java.util.Arrays.copyOf(reference.get(0), 64));
        assertEquals(64, cut.size());
        for (int k = 0; k < 64; k++) {
            assertEquals(expected[k], cut.get(k).floatValue());
        }
        var tooMany = CliTestSupport.run("embed", "--models-dir", models(), "--dimensions", "500", "x");
        assertEquals("error: --dimensions must be from 1 to 384 for all-minilm-l6-v2, got 500", tooMany.err().strip());
    }

    @Test
    void promptsFromTheFlagOrTheModelsConfigGoBeforeEveryInput() throws Exception {
        Path model = dir.resolve("prompted");
        Files.createDirectories(model);
        Path source = TestData.model("all-minilm-l6-v2");
        Files.copy(source.resolve("model.onnx"), model.resolve("model.onnx"));
        Files.copy(source.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
        Files.writeString(model.resolve("config_sentence_transformers.json"),
                "{\"prompts\": {\"query\": \"query: \", \"passage\": \"passage: \"}}");
        String expected;
        try (io.github.bertembed.SentenceEmbedder e = io.github.bertembed.SentenceEmbedder.builder()
                .model(model.toString()).build()) {
            expected = java.util.Arrays.toString(e.embed("query: a fox"));
        }
        for (String[] flag : List.of(new String[]{"--prompt-name", "query"}, new String[]{"--prompt", "query: "})) {
            var r = CliTestSupport.run("embed", "--model", model.toString(), flag[0], flag[1], "--include-text", "a fox");
            assertEquals(0, r.exitCode(), r.err());
            JsonNode record = JSON.readTree(r.out().lines().findFirst().orElseThrow());
            float[] v = new float[record.get("embedding").size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = record.get("embedding").get(i).floatValue();
            }
            assertEquals(expected, java.util.Arrays.toString(v), String.join(" ", flag));
            assertEquals("a fox", record.get("text").asText(), "the record keeps the input's own text");
        }
        var unknown = CliTestSupport.run("embed", "--model", model.toString(), "--prompt-name", "doc", "a fox");
        assertEquals("error: model prompted has no prompt named 'doc'; its prompts: query, passage",
                unknown.err().strip());
    }

    @Test
    void theProgressBarFitsEightyColumnsWithItsSpeed() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (PrintStream err = new PrintStream(sink, true, StandardCharsets.UTF_8);
             ProgressBar bar = EmbedCommand.progressBar(err, 80, 1_234_567, 0)) {
            bar.stepTo(617_000);
            Thread.sleep(1200); // the bar redraws every half second
        }
        String drawn = sink.toString(StandardCharsets.UTF_8);
        String[] frames = drawn.split("[\r\n]+");
        String last = "";
        for (String frame : frames) {
            if (!frame.isBlank()) {
                assertTrue(frame.length() <= 80, frame.length() + " columns: " + frame);
                last = frame;
            }
        }
        assertTrue(last.contains("docs/s"), last);
        int open = last.indexOf('[');
        int close = last.indexOf(']');
        assertTrue(close - open - 1 >= 15, "a bar of at least 15 columns: " + last);
        assertEquals(80, EmbedCommand.terminalWidth(null));
        assertEquals(120, EmbedCommand.terminalWidth("120"));
        assertEquals(40, EmbedCommand.terminalWidth("20"));
    }
}
