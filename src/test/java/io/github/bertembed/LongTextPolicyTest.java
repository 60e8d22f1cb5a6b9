package io.github.bertembed;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's long-text policies against the references: HuggingFace tokenizers for the token counts and the
 * windows' ids, the full ONNX graph for every vector (a truncated text's, each window's).
 */
@Tag("reference")
class LongTextPolicyTest {
    private static final String MODEL = "all-minilm-l6-v2";
    private static FullGraphReference reference;
    private static HuggingFaceTokenizer hf;
    private static String longText;
    private static final String SHORT = "A fox sleeps in the sun.";

    @BeforeAll
    static void open() throws Exception {
        reference = new FullGraphReference(TestData.model(MODEL).resolve("model.onnx"), null);
        hf = HuggingFaceTokenizer.builder().optTokenizerPath(TestData.tokenizerJson(MODEL))
                .optTruncation(false).optPadding(false).build();
        longText = String.join(" ", TestData.english().subList(0, 30));
    }

    @AfterAll
    static void close() throws Exception {
        reference.close();
        hf.close();
    }

    private static SentenceEmbedder.Builder builder() {
        return SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(MODEL);
    }

    @Test
    void truncateIsTheDefaultAndSaysSo() throws Exception {
        try (SentenceEmbedder embedder = builder().build()) {
            assertEquals(LongTextPolicy.TRUNCATE, embedder.longText());
            List<Embedding> out = embedder.embedDetailed(List.of(longText, SHORT));
            assertTrue(out.get(0).truncated());
            assertFalse(out.get(1).truncated());
            assertEquals(embedder.maxLength(), out.get(0).tokens());
            // The first maxLength tokens as HuggingFace cuts them (keeping [SEP]), through the whole graph.
            long[] all = hf.encode(longText).getIds();
            Encoding ours = embedder.tokenizer().encode(longText);
            long[] expected = Arrays.copyOf(Arrays.copyOf(all, embedder.maxLength() - 1), embedder.maxLength());
            expected[expected.length - 1] = all[all.length - 1];
            assertEquals(Arrays.toString(expected), Arrays.toString(Arrays.stream(ours.ids()).asLongStream().toArray()));
            assertArrayEquals(reference.sentence(ours, "mean"), out.get(0).vector(), 1e-5f);
            assertArrayEquals(embedder.embed(longText), out.get(0).vector(), 0f);
        }
    }

    @Test
    void refuseNamesTheTextAndItsTokens() throws Exception {
        try (SentenceEmbedder embedder = builder().longText(LongTextPolicy.REFUSE).build();
             SentenceEmbedder truncating = builder().build()) {
            TextTooLongException e = assertThrows(TextTooLongException.class,
                    () -> embedder.embedAll(List.of(SHORT, longText)));
            assertEquals(1, e.index());
            assertEquals(hf.encode(longText).getIds().length, e.tokens());
            assertEquals(embedder.maxLength(), e.maxLength());
            assertTrue(e.getMessage().contains("text 1 has " + e.tokens() + " tokens"), e.getMessage());
            assertArrayEquals(truncating.embed(SHORT), embedder.embed(SHORT), 0f);
            TextTooLongException pair = assertThrows(TextTooLongException.class,
                    () -> embedder.embed(SHORT, longText));
            assertEquals(hf.encode(SHORT, longText).getIds().length, pair.tokens());
        }
    }

    @Test
    void chunkIsTheTokenWeightedMeanOfTheWindowsVectors() throws Exception {
        try (SentenceEmbedder embedder = builder().longText(LongTextPolicy.CHUNK).build();
             SentenceEmbedder truncating = builder().build()) {
            List<Embedding> out = embedder.embedDetailed(List.of(longText, SHORT));
            long[] all = hf.encode(longText).getIds();
            long[] body = Arrays.copyOfRange(all, 1, all.length - 1); // without [CLS] and [SEP]
            int width = embedder.maxLength() - 2;
            int step = width - embedder.chunkStride();
            List<Encoding> windows = embedder.tokenizer().encodeWindows(longText, embedder.maxLength(),
                    embedder.chunkStride());
            double[] sum = new double[embedder.dimension()];
            int tokens = 0;
            int k = 0;
            for (int start = 0; ; start += step, k++) {
                int end = Math.min(body.length, start + width);
                long[] ids = new long[end - start + 2];
                ids[0] = all[0];
                System.arraycopy(body, start, ids, 1, end - start);
                ids[ids.length - 1] = all[all.length - 1];
                Encoding w = windows.get(k);
                assertEquals(Arrays.toString(ids), Arrays.toString(Arrays.stream(w.ids()).asLongStream().toArray()),
                        "window " + k);
                float[] v = reference.sentence(w, "mean");
                for (int j = 0; j < sum.length; j++) {
                    sum[j] += (double) ids.length * v[j];
                }
                tokens += ids.length;
                if (end == body.length) {
                    break;
                }
            }
            assertEquals(windows.size(), k + 1);
            assertTrue(k >= 2, "a text of several windows");
            float[] expected = new float[sum.length];
            for (int j = 0; j < sum.length; j++) {
                expected[j] = (float) (sum[j] / tokens);
            }
            VectorMath.normalize(expected);
            assertArrayEquals(expected, out.get(0).vector(), 1e-5f);
            assertEquals(tokens, out.get(0).tokens());
            assertFalse(out.get(0).truncated());
            assertArrayEquals(truncating.embed(SHORT), out.get(1).vector(), 0f);
        }
    }

    @Test
    void chunksIsRefusedWhereOneVectorATextIsAnswered() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().longText(LongTextPolicy.CHUNKS));
        assertTrue(e.getMessage().contains("DocumentEmbedder"), e.getMessage());
        assertEquals(LongTextPolicy.CHUNK, LongTextPolicy.named("Chunk"));
        assertThrows(IllegalArgumentException.class, () -> LongTextPolicy.named("cut"));
    }
}
