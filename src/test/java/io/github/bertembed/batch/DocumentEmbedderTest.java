package io.github.bertembed.batch;

import io.github.bertembed.LongTextPolicy;
import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TinyBertModel;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DocumentEmbedderTest {
    @TempDir
    static Path dir;
    static SentenceEmbedder embedder;

    @BeforeAll
    static void open() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("tiny"));
        embedder = SentenceEmbedder.builder().model(model.toString()).cache(dir.resolve("cache"))
                .batchSize(8).build();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void aListIsReadAndEmbeddedOnTheCallersThread() {
        List<String> docs = documents(300, 11);
        java.util.Set<Thread> readers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<String> watched = new java.util.AbstractList<>() {
            @Override
            public String get(int i) {
                readers.add(Thread.currentThread());
                return docs.get(i);
            }

            @Override
            public int size() {
                return docs.size();
            }
        };
        DocumentEmbedder documents = new DocumentEmbedder(embedder, LongTextPolicy.CHUNK, 4);
        List<DocumentResult> results = documents.embedAll(watched);
        assertEquals(docs.size(), results.size());
        assertEquals(java.util.Set.of(Thread.currentThread()), readers, "no thread of its own for a list");
        for (int i = 0; i < docs.size(); i += 37) {
            assertEquals(i, results.get(i).index());
        }
    }

    static List<String> documents(int n, long seed) {
        Random r = new Random(seed);
        String[] words = {"the", "cat", "sat", "on", "mat", "king", "queen", "dogs", "walking", "."};
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = r.nextInt(r.nextInt(10) == 0 ? 120 : 12);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < len; w++) {
                sb.append(words[r.nextInt(words.length)]).append(' ');
            }
            docs.add(sb.toString());
        }
        return docs;
    }

    @Test
    void resultsComeInInputOrderAndEqualSingleEmbeddings() {
        var untruncated = embedder.tokenizer().toBuilder().maxLength(0).build();
        List<String> docs = documents(300, 1).stream().filter(d -> untruncated.encode(d).length()
                <= embedder.maxLength()).toList();
        List<DocumentResult> results = new ArrayList<>();
        new DocumentEmbedder(embedder, LongTextPolicy.CHUNK, 4, 16, 200).embed(docs.iterator(), results::add);
        assertEquals(docs.size(), results.size());
        for (int i = 0; i < docs.size(); i++) {
            assertEquals(i, results.get(i).index());
            assertEquals(1, results.get(i).chunks().size());
            assertTrue(VectorMath.maxAbsDifference(embedder.embed(docs.get(i)), results.get(i).vector()) <= 1e-6);
        }
    }

    @Test
    void chunkCombinesWindowsByTokenWeightedMean() {
        String doc = "the cat sat on the mat walking king queen dogs . ".repeat(12);
        int stride = 5;
        List<DocumentResult> out = new ArrayList<>();
        new DocumentEmbedder(embedder, LongTextPolicy.CHUNK, stride).embed(List.of(doc).iterator(), out::add);
        DocumentResult r = out.get(0);
        assertFalse(r.truncated());

        List<Encoding> windows = embedder.tokenizer().encodeWindows(doc, embedder.maxLength(), stride);
        assertTrue(windows.size() > 3);
        assertEquals(windows.size(), r.chunks().size());
        // Windows cover every token and overlap by the stride.
        int all = embedder.tokenizer().toBuilder().maxLength(0).addSpecialTokens(false).build().encode(doc).length();
        int width = embedder.maxLength() - 2;
        assertEquals(all, width + (windows.size() - 2) * (width - stride) + (windows.get(windows.size() - 1).length() - 2 - stride));
        List<Embedding> vectors = embedder.embedEncodings(windows);
        float[] expected = new float[embedder.dimension()];
        int tokens = 0;
        for (Embedding v : vectors) {
            tokens += v.tokens();
        }
        for (Embedding v : vectors) {
            for (int i = 0; i < expected.length; i++) {
                expected[i] += v.vector()[i] * v.tokens() / (float) tokens;
            }
        }
        VectorMath.normalize(expected);
        assertTrue(VectorMath.maxAbsDifference(expected, r.vector()) <= 1e-5);
        assertEquals(tokens, r.tokens());
        // Spans are character ranges of the document, in order.
        assertEquals(0, r.chunks().get(0).start());
        assertEquals(doc.stripTrailing().length(), r.chunks().get(r.chunks().size() - 1).end());
    }

    @Test
    void aDocumentSplitAcrossReadAheadWindowsGivesTheSameResult() {
        String doc = "the cat sat on the mat walking king queen dogs . ".repeat(30);
        List<DocumentResult> whole = new ArrayList<>();
        List<DocumentResult> split = new ArrayList<>();
        new DocumentEmbedder(embedder, LongTextPolicy.CHUNKS, 5).embed(List.of(doc, "the cat").iterator(), whole::add);
        new DocumentEmbedder(embedder, LongTextPolicy.CHUNKS, 5, 4, 50).embed(List.of(doc, "the cat").iterator(), split::add);
        assertEquals(2, split.size());
        assertEquals(whole.get(0).chunks().size(), split.get(0).chunks().size());
        assertTrue(whole.get(0).chunks().size() > 10);
        assertArrayEquals(whole.get(0).vector(), split.get(0).vector(), 1e-6f);
        for (int i = 0; i < whole.get(0).chunks().size(); i++) {
            assertArrayEquals(whole.get(0).chunks().get(i).vector(), split.get(0).chunks().get(i).vector(), 1e-6f);
        }
        assertEquals(1, split.get(1).index());
    }

    @Test
    void truncateKeepsTheFirstWindowAndSaysSo() {
        String doc = "the cat sat on the mat ".repeat(20);
        List<DocumentResult> out = new ArrayList<>();
        new DocumentEmbedder(embedder, LongTextPolicy.TRUNCATE, 0).embed(List.of(doc, "the cat").iterator(), out::add);
        assertTrue(out.get(0).truncated());
        assertEquals(embedder.maxLength(), out.get(0).tokens());
        assertFalse(out.get(1).truncated());
        assertArrayEquals(embedder.embed(doc), out.get(0).vector(), 1e-6f);
    }

    @Test
    void badInputStopsAfterDeliveringEverythingBeforeIt() {
        List<String> docs = documents(40, 2);
        Iterator<String> failing = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public String next() {
                if (i == docs.size()) {
                    throw new IllegalArgumentException("line 41: invalid JSON");
                }
                return docs.get(i++);
            }
        };
        List<DocumentResult> out = new ArrayList<>();
        var e = assertThrows(IllegalArgumentException.class,
                () -> new DocumentEmbedder(embedder, LongTextPolicy.CHUNK, 2, 7, 1000).embed(failing, out::add));
        assertTrue(e.getMessage().contains("line 41"));
        assertEquals(docs.size(), out.size());
    }

    @Test
    void manyDocumentsStreamThrough() {
        int n = 20_000;
        Iterator<String> generated = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public String next() {
                return "doc " + (i++) + " the cat";
            }
        };
        long[] count = {0};
        var progress = new DocumentEmbedder(embedder, LongTextPolicy.CHUNK, 2).embed(generated, r -> {
            assertEquals(count[0]++, r.index());
        });
        assertEquals(n, progress.documents());
    }

    /**
     * Results reach the sink while the input is still being read: the source stops after 2,000 documents until the
     * first result has arrived (with whole-input windows this would never happen, and the test would time out).
     */
    @Test
    void resultsArriveWhileTheInputIsStillBeingRead() throws Exception {
        java.util.concurrent.CountDownLatch firstResult = new java.util.concurrent.CountDownLatch(1);
        boolean[] waited = {false};
        Iterator<String> slow = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                if (i == 2000 && !waited[0]) {
                    waited[0] = true;
                    try {
                        if (!firstResult.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                            throw new IllegalStateException("no result while the input was still being read");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                return i < 2500;
            }

            @Override
            public String next() {
                return "doc " + (i++) + " the cat sat on the mat";
            }
        };
        long[] count = {0};
        new DocumentEmbedder(embedder, LongTextPolicy.CHUNK, 2).embed(slow, r -> {
            assertEquals(count[0]++, r.index());
            firstResult.countDown();
        });
        assertEquals(2500, count[0]);
        assertTrue(waited[0]);
    }
}
