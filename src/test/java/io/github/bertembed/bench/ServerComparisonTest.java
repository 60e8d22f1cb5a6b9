package io.github.bertembed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.cli.InProcessRoundsChild;
import io.github.bertembed.server.EmbeddingServer;
import io.github.bertembed.server.ServerSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The measuring harness of {@code loadtest --rounds} on a real server and a real in-process JVM: one round's
 * figures come from requests the server answered and texts the other JVM embedded (no timing is asserted).
 */
class ServerComparisonTest {

    @Test
    void aRoundSendsEveryTextAtEachLevelInTurnsWithInProcessSlicesOfTheSameTexts() throws Exception {
        Path folder = TestData.model("all-minilm-l6-v2");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 136; i++) {
            texts.add("query number " + i + " about " + (i % 2 == 0 ? "rivers" : "markets"));
        }
        try (SentenceEmbedder raw = SentenceEmbedder.builder().model(folder.toString()).normalize(false).build();
             EmbeddingServer server = EmbeddingServer.start(raw, "m", new ServerSettings("127.0.0.1", 0, 16384, 64,
                     512, 32, true, null, 2_000_000));
             ServerComparison c = ServerComparison.start(server.url(), texts, folder.toString(), null, 1, List.of(),
                     InProcessRoundsChild.class.getName())) {
            long before = server.succeeded();
            ServerComparison.Round round = c.round(List.of(1, 4), true);
            // One client: all 136 texts in slices of 128 and 8 after 4 to open its connection; four clients: all 136
            // in one slice after 16. Each side's calls timed.
            assertEquals(4 + 136 + 16 + 136, server.succeeded() - before);
            assertEquals(2, round.paired().size());
            for (int k = 0; k < 2; k++) {
                ServerComparison.Paired p = round.paired().get(k);
                ServerLoad.Result served = p.served();
                assertEquals(k == 0 ? 1 : 4, p.clients());
                assertEquals(p.clients(), served.clients());
                assertEquals(136, p.texts());
                assertEquals(0, p.errors());
                assertEquals(136, served.requests());
                assertTrue(p.inProcessSeconds() > 0 && p.servedSeconds() > 0, p.toString());
                assertTrue(p.inProcessP50() > 0 && p.servedP50() > 0, p.toString());
                assertEquals(p.inProcessSeconds() / p.servedSeconds(), round.speedup(k), 1e-12);
                assertEquals(p.servedP50() - p.inProcessP50(), round.extraP50(k), 1e-12);
                assertEquals(served.requestsPerSecond(), 136 / p.servedSeconds(), 1e-9);
                assertTrue(Double.isNaN(p.socketP50()), "no raw socket beside a server given by URL: " + p);
            }
            assertTrue(!c.hasRawSocket());
            assertEquals(136, round.oneByOne().texts());
            assertEquals(136, round.callsOf32().texts());
        }
    }

    /**
     * {@code loadtest --same-jvm}: with no URL the in-process JVM serves HTTP itself, on its own embedder. What it
     * serves must be the model's vectors (checked against an embedder in this JVM, bit for bit, for texts of several
     * lengths), a round must go through that server, and closing the comparison must stop it.
     */
    @Test
    void withoutAUrlTheInProcessJvmHostsTheServerAndItAnswersTheInProcessVectors() throws Exception {
        Path folder = TestData.model("all-minilm-l6-v2");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            texts.add("a question " + "about the river and its banks ".repeat(i % 5) + i);
        }
        HttpClient http = HttpClient.newHttpClient();
        String url;
        try (SentenceEmbedder reference = SentenceEmbedder.builder().model(folder.toString()).build();
             ServerComparison c = ServerComparison.start(null, texts, folder.toString(), null, 1, List.of(),
                     InProcessRoundsChild.class.getName())) {
            url = c.url();
            assertNotNull(url);
            assertTrue(url.startsWith("http://127.0.0.1:"), url);
            ObjectMapper json = new ObjectMapper();
            String body = json.writeValueAsString(Map.of("inputs", texts));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/embed"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode vectors = json.readTree(r.body());
            assertEquals(texts.size(), vectors.size());
            for (int t = 0; t < texts.size(); t++) {
                float[] expected = reference.embed(texts.get(t));
                float[] served = new float[vectors.get(t).size()];
                for (int d = 0; d < served.length; d++) {
                    served[d] = vectors.get(t).get(d).floatValue();
                }
                assertArrayEquals(expected, served, "text " + t);
            }
            assertTrue(c.hasRawSocket());
            // The lone client's slices take turns with the raw socket too (each of its answers must be "ok", or the
            // round throws); a loaded level has no raw-socket side.
            ServerComparison.Round round = c.round(List.of(1, 4), false);
            ServerComparison.Paired lone = round.paired().get(0);
            assertEquals(0, lone.errors());
            assertEquals(texts.size(), lone.served().requests());
            assertTrue(lone.inProcessSeconds() > 0);
            assertTrue(lone.socketP50() > 0 && Double.isFinite(lone.socketP50()), lone.toString());
            assertEquals(lone.servedP50() - lone.socketP50(), round.extraP50OverSocket(0), 1e-12);
            assertTrue(Double.isNaN(round.paired().get(1).socketP50()), round.paired().get(1).toString());
        }
        HttpRequest health = HttpRequest.newBuilder(URI.create(url + "/health")).build();
        assertThrows(IOException.class, () -> http.send(health, HttpResponse.BodyHandlers.ofString()),
                "the hosted server stops with the comparison");
    }
}
