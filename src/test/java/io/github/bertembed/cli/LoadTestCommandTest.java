package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TinyBertModel;
import io.github.bertembed.server.EmbeddingServer;
import io.github.bertembed.server.ServerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code loadtest} against a real server on loopback: what it reports is what the server answered. */
class LoadTestCommandTest {
    @TempDir
    Path dir;

    @Test
    void drivesTheServerAtEachLevelAndReportsWhatItAnswered() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("tiny"));
        Path corpus = Files.write(dir.resolve("corpus.txt"), IntStream.range(0, 40)
                .mapToObj(i -> "the cat sat on the mat with the king and the queen number " + i).toList());
        Path png = dir.resolve("load.png");
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().model(model.toString()).normalize(false).build();
             EmbeddingServer server = EmbeddingServer.start(embedder, "tiny", ServerSettings.builder().port(0).build())) {
            var r = CliTestSupport.run("loadtest", "--url", server.url(), "--clients", "1,3", "--requests", "30",
                    "--warmup", "12", "--queries", "24", "--corpus", corpus.toString(), "--plot", png.toString());
            assertEquals(0, r.exitCode(), r.err());
            List<String[]> rows = r.out().lines().skip(1).filter(l -> l.matches("\\s+\\d+ .*"))
                    .map(l -> l.trim().split("\\s+")).toList();
            assertEquals(2, rows.size(), r.out());
            assertEquals("1", rows.get(0)[0]);
            assertEquals("3", rows.get(1)[0]);
            for (String[] row : rows) {
                assertTrue(Double.parseDouble(row[1]) > 0, "requests/s");
                double p50 = Double.parseDouble(row[2]);
                double p99 = Double.parseDouble(row[4]);
                assertTrue(p50 > 0 && p50 <= p99, "p50 " + p50 + " <= p99 " + p99);
                assertEquals("0", row[5], "errors");
            }
            // The warm-up at the highest level (one request a client to open the connections, then 12), each
            // level's first 4 requests a client (4 and 12), then 30 measured a level; one GET /info names the
            // model in the plot's title.
            assertEquals(3 + 12 + 4 + 30 + 12 + 30 + 1, server.succeeded(), "every request the tool sent was answered");
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, "a readable PNG");
            assertEquals(1280, image.getWidth(), "two charts side by side");
        }
    }

    @Test
    void withoutAUrlItSaysWhatToGive() {
        var r = CliTestSupport.run("loadtest");
        assertEquals(Main.BAD_INPUT, r.exitCode());
        assertEquals("loadtest: give --url of a running server", r.err().strip());
    }
}
