package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.TinyBertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command end to end on the generated tiny model: Markdown, JSON and a PNG. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesMarkdownJsonAndPlot() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("tiny"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lines.add("the cat sat on the mat " + "king queen ".repeat(i % 7) + i);
        }
        Path corpus = Files.write(dir.resolve("corpus.txt"), lines);
        Path json = dir.resolve("bench.json");
        Path png = dir.resolve("bench.png");
        var r = CliTestSupport.run("bench", "--model", model.toString(), "--corpus", corpus.toString(),
                "--documents", "60", "--batch-sizes", "1,8", "--iterations", "10", "--warmup", "2",
                "--json", json.toString(), "--plot", png.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("## Throughput") && r.out().contains("## Latency") && r.out().contains("## Stages"),
                r.out());
        JsonNode results = new ObjectMapper().readTree(json.toFile());
        assertTrue(results.get("matMulGflops").asDouble() > 0);
        assertEquals(3, results.get("latency").size(), "short, medium, long");
        // The tokens each throughput figure counts are the corpus's tokens, as the model's tokenizer counts them.
        long corpusTokens = 0;
        try (var e = io.github.bertembed.SentenceEmbedder.builder().model(model.toString()).build()) {
            for (String line : lines) {
                corpusTokens += e.tokenizer().encode(line).length();
            }
        }
        for (JsonNode t : results.get("throughput")) {
            if (t.get("setting").asText().equals("truncate (embedAll)")) {
                assertEquals(60, t.get("documents").asInt());
                double tokens = t.get("tokensPerSecond").asDouble() * t.get("seconds").asDouble();
                assertEquals(corpusTokens, tokens, corpusTokens * 1e-6, t.toString());
            }
        }
        // Each stage row sums the stages of the batch's run: the encoder has the lion's share, none is empty.
        for (JsonNode st : results.get("stages")) {
            assertTrue(st.get("encoderMs").asDouble() > 0 && st.get("tokenizeMs").asDouble() > 0, st.toString());
        }
        assertTrue(results.get("throughput").size() >= 4, "batch 1, batch 8, DocumentEmbedder, whole process");
        boolean wholeProcess = false;
        for (JsonNode t : results.get("throughput")) {
            wholeProcess |= t.get("setting").asText().startsWith("whole process") && t.get("seconds").asDouble() > 0;
        }
        assertTrue(wholeProcess, "the side-by-side engine ran in a JVM of its own, timed whole: " + results.get("throughput"));
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertTrue(image != null && image.getWidth() > 0, "a readable PNG");
    }
}
