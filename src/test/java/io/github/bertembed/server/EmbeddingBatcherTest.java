package io.github.bertembed.server;

import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batcher's queue against the real model: what arrives while the model is busy is one batch, in order. */
class EmbeddingBatcherTest {
    static SentenceEmbedder raw;

    @BeforeAll
    static void load() {
        raw = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString()).normalize(false).build();
    }

    @AfterAll
    static void close() {
        raw.close();
    }

    @Test
    void requestsThatArriveWhileTheModelIsBusyRunAsOneBatchWithTheirOwnVectors() throws Exception {
        ServerMetrics metrics = new ServerMetrics(raw.maxLength());
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(raw, 16_384, 64, metrics, () -> 0)) {
            CountDownLatch release = holdTheModel(batcher); // while ten requests arrive
            List<String> texts = TestData.english().subList(0, 10);
            List<CompletableFuture<EmbeddingBatcher.Done>> results = new ArrayList<>();
            for (String t : texts) {
                results.add(batcher.submit(List.of(raw.tokenizer().encode(t))));
            }
            assertEquals(10.0, metrics.queueSize.get(), "all ten wait for the model");
            release.countDown();
            Set<Long> inferenceTimes = new HashSet<>();
            for (int i = 0; i < texts.size(); i++) {
                EmbeddingBatcher.Done done = results.get(i).get(30, TimeUnit.SECONDS);
                List<Embedding> got = done.vectors();
                assertEquals(1, got.size());
                assertTrue(done.queueNanos() > 0 && done.inferenceNanos() > 0, "waited, then ran: " + done);
                inferenceTimes.add(done.inferenceNanos());
                // The full graph's pooled vector of this text alone, whatever it was batched with.
                assertArrayEquals(raw.embed(texts.get(i)), got.get(0).vector(), texts.get(i));
            }
            assertEquals(1, inferenceTimes.size(), "each request reports the time of the one call: " + inferenceTimes);
            String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertEquals(1.0, value(scrape, "te_batch_next_size_count"), "one call of the model: " + scrape);
            assertEquals(10.0, value(scrape, "te_batch_next_size_sum"));
            assertEquals(0.0, metrics.queueSize.get());
        }
    }

    @Test
    void aBatchKeepsToTheTokenBudget() throws Exception {
        ServerMetrics metrics = new ServerMetrics(raw.maxLength());
        List<String> texts = new ArrayList<>();
        List<Encoding> encodings = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            texts.add("fox " + i);
            encodings.add(raw.tokenizer().encode("fox " + i));
        }
        int length = encodings.get(0).length();
        assertTrue(encodings.stream().allMatch(e -> e.length() == length), "texts of one length");
        // Room for four of them in a call of the model: twelve queued make three batches.
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(raw, 4 * length, 64, metrics, () -> 0)) {
            CountDownLatch release = holdTheModel(batcher);
            List<CompletableFuture<EmbeddingBatcher.Done>> results = new ArrayList<>();
            for (Encoding e : encodings) {
                results.add(batcher.submit(List.of(e)));
            }
            release.countDown();
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(raw.embed(texts.get(i)), results.get(i).get(30, TimeUnit.SECONDS).vectors().get(0).vector());
            }
            String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertEquals(3.0, value(scrape, "te_batch_next_size_count"), scrape);
            assertEquals(12.0, value(scrape, "te_batch_next_size_sum"));
        }
    }

    /** Another caller holds the model (as /embed_all does) until the returned latch is counted down. */
    private static CountDownLatch holdTheModel(EmbeddingBatcher batcher) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture.runAsync(() -> batcher.exclusive(() -> {
            holding.countDown();
            await(release);
            return null;
        }));
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the model held");
        return release;
    }

    /**
     * Clients in a closed loop, as HTTP clients are: each sends its next text a moment (0.3 ms here: the answer
     * written, read, the next request sent) after its answer. The batch waits for them to come back, so batches hold
     * every client rather than splitting into a large and a small one (taken at once, the batch after each would
     * hold only those that came back first).
     */
    @Test
    void clientsComingBackAfterTheirAnswersRideTheSameBatch() throws Exception {
        ServerMetrics metrics = new ServerMetrics(raw.maxLength());
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        CountDownLatch firstDone = new CountDownLatch(1);
        int clients = 8;
        int rounds = 40;
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(raw, 16_384, 64, metrics, inFlight::get)) {
            List<Thread> threads = new ArrayList<>();
            for (String text : TestData.english().subList(0, clients)) {
                Encoding mine = raw.tokenizer().encode(text);
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; i < rounds; i++) {
                            inFlight.incrementAndGet();
                            batcher.submit(List.of(mine)).get(30, TimeUnit.SECONDS);
                            inFlight.decrementAndGet();
                            answered.incrementAndGet();
                            LockSupport.parkNanos(300_000);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        firstDone.countDown();
                    }
                });
                t.start();
                threads.add(t);
            }
            // The steady state: after every client's first ten answers, until the first client is through.
            while (answered.get() < 10 * clients) {
                Thread.sleep(1);
            }
            var before = metrics.batchSize.collect().getDataPoints().get(0);
            assertTrue(firstDone.await(120, TimeUnit.SECONDS));
            var after = metrics.batchSize.collect().getDataPoints().get(0);
            for (Thread t : threads) {
                t.join(60_000);
            }
            double batches = after.getCount() - before.getCount();
            double mean = (after.getSum() - before.getSum()) / batches;
            System.out.printf("%d closed-loop clients: %.0f batches, %.2f texts a batch%n", clients, batches, mean);
            assertTrue(mean >= 0.75 * clients, "batches of " + mean + " texts for " + clients + " clients");
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double value(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(scrape);
        assertTrue(m.find(), name + " in " + scrape);
        return Double.parseDouble(m.group(1));
    }
}
