package io.github.bertembed;

import org.junit.jupiter.api.Tag;

import io.github.bertembed.embedding.StaticWordVectors;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.pooling.VectorMath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seed examples and batch invariance on the real models. */
@Tag("reference")
class RealModelBehaviourTest {

    static SentenceEmbedder open(String model) {
        return SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(model).build();
    }

    /** A text's vector does not depend on its batch partners or padding. */
    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "all-minilm-l6-v2-q"})
    void batchInvariance(String model) {
        List<String> texts = new ArrayList<>(TestData.english().subList(200, 264));
        texts.addAll(TestData.hard().subList(0, 20));
        try (SentenceEmbedder embedder = open(model)) {
            List<float[]> batched = embedder.embedAll(texts);
            double worst = 0;
            for (int i = 0; i < texts.size(); i++) {
                float[] alone = embedder.embed(texts.get(i));
                double d = VectorMath.maxAbsDifference(batched.get(i), alone);
                worst = Math.max(worst, d);
                if (embedder.quantized()) {
                    assertArrayEquals(alone, batched.get(i), 0f, "int8 runs each text alone: identical");
                }
            }
            System.out.printf("%s batch invariance: max abs difference %.3g over %d texts%n", model, worst, texts.size());
            assertTrue(worst <= 1e-6, "max abs difference " + worst);
        }
    }

    /**
     * fp32 with token packing (the default): a text's vector is the same bits alone and in a call of mixed lengths,
     * short queries of 2 to 7 words beside whole fortunes, as the server's batches mix them.
     */
    @Test
    void packedRunsGiveEachTextItsOwnBits() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            String[] words = TestData.english().get(400 + i).split("\\s+");
            texts.add(String.join(" ", java.util.Arrays.copyOf(words, Math.min(words.length, 2 + i % 6))));
        }
        texts.addAll(TestData.english().subList(500, 516));
        try (SentenceEmbedder embedder = open("all-minilm-l6-v2")) {
            assertTrue(embedder.packsTokens(), "the default packs tokens");
            List<float[]> batched = embedder.embedAll(texts);
            List<float[]> inThirtyTwos = new ArrayList<>(embedder.embedAll(texts.subList(0, 32)));
            inThirtyTwos.addAll(embedder.embedAll(texts.subList(32, 64)));
            for (int i = 0; i < texts.size(); i++) {
                float[] alone = embedder.embed(texts.get(i));
                assertArrayEquals(alone, batched.get(i), 0f, texts.get(i));
                assertArrayEquals(alone, inThirtyTwos.get(i), 0f, texts.get(i));
            }
        }
    }

    @Test
    void similarSentencesScoreHigherEnglish() {
        try (SentenceEmbedder embedder = open("all-minilm-l6-v2")) {
            assertEquals(384, embedder.dimension());
            assertEquals(Pooling.MEAN, embedder.pooling());
            float[] a = embedder.embed("A man is playing a guitar.");
            float[] b = embedder.embed("Someone plays an acoustic guitar.");
            float[] c = embedder.embed("The stock market fell sharply today.");
            assertTrue(VectorMath.cosine(a, b) > VectorMath.cosine(a, c) + 0.3,
                    VectorMath.cosine(a, b) + " vs " + VectorMath.cosine(a, c));
        }
    }

    @Test
    void similarSentencesScoreHigherChinese() {
        try (SentenceEmbedder embedder = open("bge-small-zh-v1.5")) {
            assertEquals(512, embedder.dimension());
            assertEquals(Pooling.CLS, embedder.pooling());
            float[] a = embedder.embed("今天天气很好，阳光明媚。");
            float[] b = embedder.embed("今天是个晴天，天气不错。");
            float[] c = embedder.embed("股票市场今天大幅下跌。");
            assertTrue(VectorMath.cosine(a, b) > VectorMath.cosine(a, c) + 0.1,
                    VectorMath.cosine(a, b) + " vs " + VectorMath.cosine(a, c));
        }
    }

    @Test
    void pairsUseSegmentIds() throws Exception {
        String a = "How old are you?";
        String b = "I am six.";
        try (SentenceEmbedder embedder = open("all-minilm-l6-v2");
             var hf = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.builder()
                     .optTokenizerPath(TestData.tokenizerJson("all-minilm-l6-v2")).optTruncation(false)
                     .optPadding(false).build();
             FullGraphReference reference = new FullGraphReference(
                     TestData.model("all-minilm-l6-v2").resolve("model.onnx"), null)) {
            io.github.bertembed.tokenizer.Encoding ours = embedder.tokenizer().encodePairBatch(List.of(a), List.of(b))
                    .get(0);
            long[] theirTypes = hf.encode(a, b).getTypeIds();
            int[] ourTypes = ours.typeIds();
            assertEquals(theirTypes.length, ourTypes.length);
            for (int i = 0; i < ourTypes.length; i++) {
                assertEquals(theirTypes[i], ourTypes[i], "segment id of token " + i + " as HuggingFace's");
            }
            assertTrue(java.util.Arrays.stream(ourTypes).anyMatch(t -> t == 1), "the second text is segment 1");
            // The full graph fed the same ids and segment ids: our vector follows the segment ids as the model does.
            float[] pair = embedder.embed(a, b);
            float[] full = reference.sentence(ours, false);
            assertTrue(VectorMath.maxAbsDifference(pair, full) <= 1e-5, "pair vector against the full graph");
            // And segments matter to this model: the two texts joined into one segment give another vector.
            float[] joined = embedder.embed(a + " " + b);
            assertTrue(VectorMath.maxAbsDifference(pair, joined) > 1e-3, "segment 1 changes the vector");
        }
    }

    /** What the token table gives for king − man + woman, recorded in the README as it is. */
    @Test
    void analogyOnTheTokenTable() throws Exception {
        // Expected: a brute-force cosine over the ONNX initializer, with the vocabulary read from tokenizer.json.
        RawInitializer table = RawInitializer.read(TestData.model("all-minilm-l6-v2").resolve("model.onnx"),
                "embeddings.word_embeddings.weight");
        var vocab = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(TestData.tokenizerJson("all-minilm-l6-v2").toFile()).get("model").get("vocab");
        String[] tokens = new String[table.rows()];
        vocab.fields().forEachRemaining(f -> tokens[f.getValue().asInt()] = f.getKey());
        int king = vocab.get("king").asInt(), man = vocab.get("man").asInt(), woman = vocab.get("woman").asInt();
        int h = table.columns();
        float[] t = table.values();
        double[] q = new double[h];
        for (int i = 0; i < h; i++) {
            q[i] = (double) t[king * h + i] - t[man * h + i] + t[woman * h + i];
        }
        List<double[]> scored = new ArrayList<>();
        for (int r = 0; r < table.rows(); r++) {
            if (r == king || r == man || r == woman || tokens[r] == null || (tokens[r].startsWith("[") && tokens[r].endsWith("]"))) {
                continue;
            }
            double dot = 0, rn = 0, qn = 0;
            for (int i = 0; i < h; i++) {
                dot += q[i] * t[r * h + i];
                rn += (double) t[r * h + i] * t[r * h + i];
                qn += q[i] * q[i];
            }
            scored.add(new double[]{r, dot / Math.sqrt(rn * qn)});
        }
        scored.sort((a, b) -> Double.compare(b[1], a[1]));
        try (SentenceEmbedder embedder = open("all-minilm-l6-v2")) {
            StaticWordVectors words = new StaticWordVectors(embedder.tokenLookup(), embedder.inputEmbeddings().tokenTable());
            var top = words.analogy("king", "man", "woman", 5);
            System.out.println("king - man + woman: " + top);
            assertEquals(5, top.size());
            for (int k = 0; k < 5; k++) {
                assertEquals(tokens[(int) scored.get(k)[0]], top.get(k).token());
                assertEquals(scored.get(k)[1], top.get(k).cosine(), 1e-5);
            }
            assertEquals("queen", top.get(0).token());
        }
    }
}
