package io.github.bertembed.server;

import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.StageListener;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batcher against the real model: what arrives while the model is busy is one batch, in order, within its
 * budgets; token vectors go through the same queue and thread; a batch waits for admitted requests on their way.
 */
class EmbeddingBatcherTest {
    static SentenceEmbedder raw;
    /** Armed by {@link #holdTheModel}: the model thread stops after its next encoder run until the latch opens. */
    static final AtomicReference<CountDownLatch[]> GATE = new AtomicReference<>();
    /** The threads the model ran on. */
    static final Set<String> MODEL_THREADS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void load() {
        raw = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString()).normalize(false)
                .stageListener(new StageListener() {
                    @Override
                    public void encoderRun(EncoderRun run) {
                        MODEL_THREADS.add(Thread.currentThread().getName());
                        CountDownLatch[] gate = GATE.getAndSet(null);
                        if (gate != null) {
                            gate[0].countDown();
                            await(gate[1]);
                        }
                    }
                }).build();
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
                results.add(batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(raw.tokenizer().encode(t))));
            }
            assertEquals(10.0, metrics.queueSize.get(), "all ten wait for the model");
            release.countDown();
            Set<Long> inferenceTimes = new HashSet<>();
            for (int i = 0; i < texts.size(); i++) {
                EmbeddingBatcher.Done done = results.get(i).get(30, TimeUnit.SECONDS);
                List<Embedding> got = done.pooled();
                assertEquals(1, got.size());
                assertNull(done.tokenVectors());
                assertTrue(done.queueNanos() > 0 && done.inferenceNanos() > 0, "waited, then ran: " + done);
                inferenceTimes.add(done.inferenceNanos());
                // This text's pooled vector alone, whatever it was batched with.
                assertArrayEquals(raw.embed(texts.get(i)), got.get(0).vector(), texts.get(i));
            }
            assertEquals(1, inferenceTimes.size(), "each request reports the time of the one call: " + inferenceTimes);
            String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertEquals(2.0, value(scrape, "te_batch_next_size_count"), "the holder, then one call: " + scrape);
            assertEquals(11.0, value(scrape, "te_batch_next_size_sum"));
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
                results.add(batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(e)));
            }
            release.countDown();
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(raw.embed(texts.get(i)),
                        results.get(i).get(30, TimeUnit.SECONDS).pooled().get(0).vector());
            }
            String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertEquals(4.0, value(scrape, "te_batch_next_size_count"), "the holder, then three: " + scrape);
            assertEquals(13.0, value(scrape, "te_batch_next_size_sum"));
        }
    }

    @Test
    void tokenVectorsGoThroughTheSameQueueAndThreadAndNeverJoinAPooledBatch() throws Exception {
        ServerMetrics metrics = new ServerMetrics(raw.maxLength());
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(raw, 16_384, 64, metrics, () -> 0)) {
            CountDownLatch release = holdTheModel(batcher);
            Encoding fox = raw.tokenizer().encode("a quick brown fox");
            Encoding dog = raw.tokenizer().encode("the lazy dog");
            var pooledBefore = batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(fox));
            var tokens = batcher.submit(EmbeddingBatcher.Work.TOKEN_VECTORS, List.of(fox, dog));
            var pooledAfter = batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(dog));
            MODEL_THREADS.clear();
            release.countDown();
            List<float[][]> got = tokens.get(30, TimeUnit.SECONDS).tokenVectors();
            float[] foxPooled = pooledBefore.get(30, TimeUnit.SECONDS).pooled().get(0).vector();
            float[] dogPooled = pooledAfter.get(30, TimeUnit.SECONDS).pooled().get(0).vector();
            assertEquals(Set.of("bert-embed-batcher"), Set.copyOf(MODEL_THREADS), "the model ran on its one thread");
            assertEquals(2, got.size());
            // Each token's vector is the full ONNX graph's last_hidden_state row for that token.
            try (io.github.bertembed.FullGraphReference reference = new io.github.bertembed.FullGraphReference(
                    TestData.model("all-minilm-l6-v2").resolve("model.onnx"), null)) {
                List<Encoding> sent = List.of(fox, dog);
                for (int k = 0; k < sent.size(); k++) {
                    Encoding e = sent.get(k);
                    float[] full = reference.run(e, "last_hidden_state");
                    int hidden = raw.dimension();
                    assertEquals(e.realLength(), got.get(k).length);
                    for (int t = 0; t < e.realLength(); t++) {
                        float[] want = java.util.Arrays.copyOfRange(full, t * hidden, (t + 1) * hidden);
                        assertArrayEquals(want, got.get(k)[t], 1e-5f, "token " + t + " of input " + k);
                    }
                }
            }
            assertArrayEquals(raw.embed("a quick brown fox"), foxPooled);
            assertArrayEquals(raw.embed("the lazy dog"), dogPooled);
            String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertEquals(4.0, value(scrape, "te_batch_next_size_count"), "holder, pooled, tokens, pooled: " + scrape);
        }
    }

    /**
     * A batch taken while requests the server has admitted are still on their way waits for them (up to the
     * gather window, here long enough for any scheduler), so they ride the same call of the model.
     */
    @Test
    void aBatchWaitsForAdmittedRequestsStillOnTheirWay() throws Exception {
        ServerMetrics metrics = new ServerMetrics(raw.maxLength());
        long window = TimeUnit.SECONDS.toNanos(20);
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(raw, 16_384, 64, metrics, () -> 2, window)) {
            var first = batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(raw.tokenizer().encode("one fox")));
            Thread.sleep(200); // the second admitted request is still being tokenized
            var second = batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(raw.tokenizer().encode("two foxes")));
            EmbeddingBatcher.Done a = first.get(30, TimeUnit.SECONDS);
            EmbeddingBatcher.Done b = second.get(30, TimeUnit.SECONDS);
            assertEquals(a.inferenceNanos(), b.inferenceNanos(), "one call of the model");
            assertTrue(a.queueNanos() >= TimeUnit.MILLISECONDS.toNanos(200), "the first waited for the second");
            String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
            assertEquals(1.0, value(scrape, "te_batch_next_size_count"), scrape);
            assertEquals(2.0, value(scrape, "te_batch_next_size_sum"));
        }
        // A lone request (nothing else admitted) is not held for the window.
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(raw, 16_384, 64, metrics, () -> 1, window)) {
            var alone = batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(raw.tokenizer().encode("a fox")));
            assertTrue(alone.get(30, TimeUnit.SECONDS).queueNanos() < window / 2, "not held for the window");
        }
    }

    /**
     * A request that occupies the model thread: it stops after its encoder run until the returned latch is counted
     * down, so what is submitted meanwhile waits in the queue.
     */
    private static CountDownLatch holdTheModel(EmbeddingBatcher batcher) throws InterruptedException {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GATE.set(new CountDownLatch[] {holding, release});
        batcher.submit(EmbeddingBatcher.Work.POOLED, List.of(raw.tokenizer().encode("holder")));
        assertTrue(holding.await(30, TimeUnit.SECONDS), "the model held");
        return release;
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
