package io.github.bertembed.bench;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.cli.InProcessRoundsChild;
import io.github.bertembed.server.EmbeddingServer;
import io.github.bertembed.server.ServerSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            }
            assertEquals(136, round.oneByOne().texts());
            assertEquals(136, round.callsOf32().texts());
        }
    }
}
