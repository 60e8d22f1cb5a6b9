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
    void aRoundSendsEveryTextAtEachLevelAndPairsTheLoneClientWithInProcessSlices() throws Exception {
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
            // One client: all 136 texts, in slices of 128 and 8, each side's calls timed; four clients: 136 requests
            // after a warm-up of 16.
            assertEquals(136 + 16 + 136, server.succeeded() - before);
            ServerComparison.Paired alone = round.alone();
            assertEquals(136, alone.texts());
            assertTrue(alone.inProcessSeconds() > 0 && alone.servedSeconds() > 0, alone.toString());
            assertTrue(alone.inProcessP50() > 0 && alone.servedP50() > 0, alone.toString());
            assertEquals(2, round.served().size());
            assertEquals(1, round.served().get(0).clients());
            assertEquals(alone.inProcessSeconds() / alone.servedSeconds(), round.speedup(0), 1e-12);
            assertEquals(alone.servedP50() - alone.inProcessP50(), round.extraP50(0), 1e-12);
            ServerLoad.Result four = round.served().get(1);
            assertEquals(4, four.clients());
            assertEquals(136, four.requests());
            assertEquals(0, four.errors());
            assertEquals(four.requestsPerSecond() / round.oneByOne().textsPerSecond(), round.speedup(1), 1e-12);
            assertEquals(136, round.oneByOne().texts());
            assertEquals(136, round.callsOf32().texts());
        }
    }
}
