package io.github.bertembed.cli;

import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code map} on the command line: its PNG, HTML and projector files, and its one-line refusals. */
class MapCommandTest {
    @TempDir
    Path tmp;

    @Test
    void collectionToPngPageAndProjectorFiles() throws Exception {
        List<String> lines = new ArrayList<>();
        List<String> texts = TestData.english().subList(0, 120);
        for (int i = 0; i < texts.size(); i++) {
            lines.add("{\"text\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(texts.get(i))
                    + ", \"kind\": \"" + (i % 3 == 0 ? "a" : "b") + "\", \"name\": \"t" + i + "\"}");
        }
        Path docs = tmp.resolve("docs.jsonl");
        Files.write(docs, lines);
        CliTestSupport.Result r = CliTestSupport.run("map", "--models-dir", TestData.modelsDir().toString(),
                "--input", docs.toString(), "--color", "kind", "--labels", "name", "--output",
                tmp.resolve("m.png").toString(), "--output", tmp.resolve("m.html").toString(), "--output",
                tmp.resolve("projector").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("120 points"), r.err());
        BufferedImage png = ImageIO.read(tmp.resolve("m.png").toFile());
        assertEquals(1200, png.getWidth());
        long coloured = 0;
        for (int y = 0; y < png.getHeight(); y += 2) {
            for (int x = 0; x < png.getWidth(); x += 2) {
                int rgb = png.getRGB(x, y) & 0xFFFFFF;
                coloured += (rgb >> 16) != ((rgb >> 8) & 0xFF) || ((rgb >> 8) & 0xFF) != (rgb & 0xFF) ? 1 : 0;
            }
        }
        assertTrue(coloured > 200, "the points are drawn in colour: " + coloured);
        String html = Files.readString(tmp.resolve("m.html"));
        assertTrue(html.contains("\"groups\":[\"a\",\"b\"]") && !html.contains("http://") && !html.contains("https://"),
                "self-contained, with its groups");
        List<String> vectors = Files.readAllLines(tmp.resolve("projector/vectors.tsv"));
        List<String> metadata = Files.readAllLines(tmp.resolve("projector/metadata.tsv"));
        assertEquals(120, vectors.size());
        assertEquals(384, vectors.get(0).split("\t").length);
        assertEquals(121, metadata.size(), "a header line, then one line a vector");
        assertEquals("text\tlabel\tgroup", metadata.get(0));
        assertTrue(metadata.get(1).endsWith("\tt0\ta"), metadata.get(1));
    }

    @Test
    void wordsWithArrowsAndRefusals() throws Exception {
        Path png = tmp.resolve("words.png");
        CliTestSupport.Result r = CliTestSupport.run("map", "--models-dir", TestData.modelsDir().toString(),
                "--words", "king", "queen", "man", "woman", "--output", png.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("4 points"), r.err());
        assertTrue(Files.size(png) > 1000);
        r = CliTestSupport.run("map", "--models-dir", TestData.modelsDir().toString(), "--words", "king",
                "--output", png.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("error: a map needs at least 2 vectors"), r.err());
        r = CliTestSupport.run("map", "--words", "a", "b", "--output", tmp.resolve("x.svg").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("give a .png, a .html, or a folder"), r.err());
        Path big = tmp.resolve("big.txt");
        Files.write(big, List.of("a", "b", "c"));
        r = CliTestSupport.run("map", "--input", big.toString(), "--limit", "2", "--output",
                tmp.resolve("b.png").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("the input has 3 points, over --limit 2"), r.err());
    }
}
