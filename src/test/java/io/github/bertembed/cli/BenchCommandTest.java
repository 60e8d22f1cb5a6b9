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
        JsonNode gemm = results.get("shortTextGemm");
        assertTrue(gemm.get("gflops").asDouble() > 0 && gemm.get("milliseconds").asDouble() > 0, gemm.toString());
        assertTrue(r.out().contains("over the short text's " + gemm.get("rows").asInt() + " rows"), r.out());
        assertEquals(3, results.get("latency").size(), "short, medium, long");
        assertTrue(results.get("throughput").size() >= 4, "batch 1, batch 8, DocumentEmbedder, whole process");
        boolean wholeProcess = false;
        for (JsonNode t : results.get("throughput")) {
            wholeProcess |= t.get("setting").asText().startsWith("whole process") && t.get("seconds").asDouble() > 0;
        }
        assertTrue(wholeProcess, "the side-by-side engine ran in a JVM of its own, timed whole: " + results.get("throughput"));
        byte[] image = Files.readAllBytes(png);
        assertEquals((byte) 0x89, image[0]);
        assertEquals('P', image[1]);
    }
}
