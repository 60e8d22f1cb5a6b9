package io.github.bertembed;

import org.junit.jupiter.api.Tag;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concurrency, closing under load, native resources and odd batches, on the generated tiny model. */
@Tag("stress")
class ReliabilityTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void writeModel() throws Exception {
        model = TinyBertModel.write(dir.resolve("tiny"));
    }

    static SentenceEmbedder open() {
        return SentenceEmbedder.builder().model(model.toString()).cache(dir.resolve("cache")).batchSize(8).build();
    }

    /** A mixed workload: single texts, pairs and lists of different lengths. */
    record Call(String text, String pair, List<String> list) {
        float[][] run(SentenceEmbedder e) {
            if (list != null) {
                return e.embedAll(list).toArray(new float[0][]);
            }
            return new float[][] {pair == null ? e.embed(text) : e.embed(text, pair)};
        }
    }

    static List<Call> calls(int n) {
        Random r = new Random(5);
        String[] words = {"the", "cat", "sat", "on", "mat", "king", "queen", "dogs", ".", "walking", "!"};
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            java.util.function.Supplier<String> text = () -> {
                StringBuilder sb = new StringBuilder();
                for (int w = r.nextInt(30); w > 0; w--) {
                    sb.append(words[r.nextInt(words.length)]).append(' ');
                }
                return sb.toString();
            };
            switch (r.nextInt(3)) {
                case 0 -> calls.add(new Call(text.get(), null, null));
                case 1 -> calls.add(new Call(text.get(), text.get(), null));
                default -> {
                    List<String> list = new ArrayList<>();
                    for (int k = r.nextInt(20) + 1; k > 0; k--) {
                        list.add(text.get());
                    }
                    calls.add(new Call(null, null, list));
                }
            }
        }
        return calls;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void eightThreadsGetTheSameBitsAsCallsMadeAlone() throws Exception {
        List<Call> calls = calls(3000);
        try (SentenceEmbedder e = open()) {
            List<float[][]> alone = new ArrayList<>();
            for (Call c : calls) {
                alone.add(c.run(e));
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(9));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int k = thread; k < order.size(); k += 8) {
                        int i = order.get(k);
                        float[][] got = calls.get(i).run(e);
                        for (int j = 0; j < got.length; j++) {
                            assertArrayEquals(alone.get(i)[j], got[j], 0f, "call " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            pool.shutdown();
            assertEquals(0, e.openNativeObjects());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void closeWhileCallsAreInFlightFailsThemCleanly() throws Exception {
        SentenceEmbedder e = open();
        List<Call> calls = calls(200);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger closedErrors = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            futures.add(pool.submit(() -> {
                started.countDown();
                for (int round = 0; ; round++) {
                    try {
                        calls.get(round % calls.size()).run(e);
                        ok.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
                        closedErrors.incrementAndGet();
                        return null;
                    }
                }
            }));
        }
        started.await();
        // Close once every thread is calling in a loop and some calls have finished: the others are in flight.
        while (ok.get() < 16) {
            Thread.onSpinWait();
        }
        e.close();
        e.close(); // a second close is a no-op
        for (Future<?> f : futures) {
            f.get(); // any other exception fails the test here
        }
        pool.shutdown();
        assertEquals(8, closedErrors.get());
        assertTrue(ok.get() > 0);
        assertEquals(0, e.openNativeObjects());
    }

    /** 100,000 embeddings: resident memory flat after warm-up, no native object left open. Linux: reads /proc. */
    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void residentMemoryStaysFlat() throws Exception {
        try (SentenceEmbedder e = open()) {
            String[] texts = {"the cat sat on the mat", "king", "queen and king walking", "dogs !"};
            for (int i = 0; i < 10_000; i++) {
                e.embed(texts[i % texts.length]);
            }
            System.gc();
            long before = residentKb();
            for (int i = 0; i < 90_000; i++) {
                e.embed(texts[i % texts.length] + " " + (i % 7));
            }
            System.gc();
            long after = residentKb();
            System.out.printf("resident memory: %,d kB after 10,000 warm-up embeddings, %,d kB after 100,000%n",
                    before, after);
            assertTrue(after - before < 64 * 1024, "resident memory grew by " + (after - before) + " kB");
            assertEquals(0, e.openNativeObjects());
        }
    }

    @Test
    void hundredThousandEmptyStringsAndUnknownCharacters() {
        try (SentenceEmbedder e = open()) {
            List<String> empties = Collections.nCopies(100_000, "");
            List<Embedding> out = e.embedDetailed(empties);
            assertEquals(100_000, out.size());
            float[] first = out.get(0).vector();
            for (Embedding v : out) {
                assertEquals(2, v.tokens(), "[CLS] [SEP]");
                assertTrue(Arrays.equals(first, v.vector()));
            }
            Embedding unknown = e.embedDetailed(List.of("ж ψ ש ★ ☃ 😀")).get(0);
            assertEquals(8, unknown.tokens(), "six [UNK] words and the two special tokens");
            assertTrue(Float.isFinite(unknown.vector()[0]));
        }
    }

    /** A megabyte of text under each long-text policy: bounded time, and nothing dropped unless asked. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void megabyteTextUnderEachPolicy() {
        StringBuilder sb = new StringBuilder();
        String[] words = {"the", "cat", "sat", "on", "mat", "king", "queen", "dogs", "."};
        Random r = new Random(3);
        while (sb.length() < (1 << 20)) {
            sb.append(words[r.nextInt(words.length)]).append(' ');
        }
        String text = sb.toString();
        try (SentenceEmbedder e = open()) {
            int all = e.tokenizer().toBuilder().maxLength(0).addSpecialTokens(false).build().encode(text).length();
            for (io.github.bertembed.LongTextPolicy policy : io.github.bertembed.LongTextPolicy.values()) {
                var documents = new io.github.bertembed.batch.DocumentEmbedder(e, policy, 4);
                List<io.github.bertembed.batch.DocumentResult> out = new ArrayList<>();
                if (policy == io.github.bertembed.LongTextPolicy.REFUSE) {
                    var refused = org.junit.jupiter.api.Assertions.assertThrows(
                            io.github.bertembed.TextTooLongException.class,
                            () -> documents.embed(List.of(text).iterator(), out::add));
                    assertEquals(all + 2, refused.tokens(), "the whole text's tokens, special tokens included");
                    assertTrue(out.isEmpty());
                    continue;
                }
                long start = System.nanoTime();
                documents.embed(List.of(text).iterator(), out::add);
                long ms = (System.nanoTime() - start) / 1_000_000;
                var result = out.get(0);
                System.out.printf("1 MB text, %s: %d windows, %d tokens, %d ms%n", policy, result.chunks().size(),
                        result.tokens(), ms);
                if (policy == io.github.bertembed.LongTextPolicy.TRUNCATE) {
                    assertTrue(result.truncated());
                    assertEquals(e.maxLength(), result.tokens());
                } else {
                    assertTrue(!result.truncated());
                    int width = e.maxLength() - 2;
                    assertEquals((int) Math.ceil((all - width) / (double) (width - 4)) + 1, result.chunks().size());
                    assertEquals(text.stripTrailing().length(), result.chunks().get(result.chunks().size() - 1).end());
                }
            }
        }
    }

    static long residentKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
