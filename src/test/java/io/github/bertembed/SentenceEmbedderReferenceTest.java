package io.github.bertembed;

import org.junit.jupiter.api.Tag;

import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our sentence vectors against the full, uncut ONNX graph with the same pooling: 1e-5 absolute for fp32 models;
 * for the int8 model, whose activations are quantized at run time, cosine ≥ 0.9999.
 */
@Tag("reference")
class SentenceEmbedderReferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-zh-v1.5"})
    void equalsTheFullGraph(String model) throws Exception {
        compare(model, false);
    }

    /** The attention-fused encoder graph: fp32 models stay within 1e-5 of their own graph. */
    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-zh-v1.5"})
    void fusedAttentionEqualsTheFullGraph(String model) throws Exception {
        compare(model, true);
    }

    private void compare(String model, boolean fuse) throws Exception {
        boolean zh = model.startsWith("bge");
        boolean int8 = model.endsWith("-q");
        List<String> corpus = new ArrayList<>(zh ? TestData.chinese().subList(0, 150) : TestData.english().subList(0, 300));
        corpus.addAll(TestData.hard());
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(model)
                .encoderGraph(fuse ? io.github.bertembed.onnx.EncoderRewrite.FUSED_PACKED : io.github.bertembed.onnx.EncoderRewrite.PLAIN).build();
             FullGraphReference reference = new FullGraphReference(TestData.model(model).resolve("model.onnx"), null)) {
            List<float[]> ours = embedder.embedAll(corpus);
            double worstAbs = 0;
            double worstCos = 1;
            for (int i = 0; i < corpus.size(); i++) {
                Encoding e = embedder.tokenizer().encode(corpus.get(i));
                float[] theirs = reference.sentence(e, zh);
                worstAbs = Math.max(worstAbs, VectorMath.maxAbsDifference(ours.get(i), theirs));
                worstCos = Math.min(worstCos, VectorMath.cosine(ours.get(i), theirs));
            }
            System.out.printf("%s%s vs full graph: max abs %.3g, min cosine %.8f over %d texts%n", model,
                    fuse ? " (fused attention)" : "", worstAbs, worstCos, corpus.size());
            if (int8) {
                assertTrue(worstCos >= 0.9999, "int8 min cosine " + worstCos);
            } else {
                assertTrue(worstAbs <= 1e-5, "max abs difference " + worstAbs);
            }
        }
    }

    /** CLS and MAX pooling, chosen by the caller on a mean-pooled model, against the full graph pooled by hand. */
    @ParameterizedTest
    @ValueSource(strings = {"CLS", "MAX"})
    void otherPoolingModesEqualTheFullGraph(String mode) throws Exception {
        List<String> corpus = new ArrayList<>(TestData.english().subList(0, 150));
        corpus.addAll(TestData.hard());
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model("all-minilm-l6-v2")
                .pooling(io.github.bertembed.pooling.Pooling.valueOf(mode)).build();
             FullGraphReference reference = new FullGraphReference(TestData.model("all-minilm-l6-v2").resolve("model.onnx"), null)) {
            List<float[]> ours = embedder.embedAll(corpus);
            double worst = 0;
            for (int i = 0; i < corpus.size(); i++) {
                float[] theirs = reference.sentence(embedder.tokenizer().encode(corpus.get(i)), mode.toLowerCase());
                worst = Math.max(worst, VectorMath.maxAbsDifference(ours.get(i), theirs));
            }
            System.out.printf("all-minilm-l6-v2 %s pooling vs full graph: max abs %.3g over %d texts%n", mode, worst, corpus.size());
            assertTrue(worst <= 1e-5, mode + " max abs difference " + worst);
        }
    }

    /** Pairs ([CLS] A [SEP] B [SEP], segment ids 0 then 1) against the full graph fed the same type ids. */
    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "bge-small-zh-v1.5"})
    void pairsEqualTheFullGraph(String model) throws Exception {
        boolean zh = model.startsWith("bge");
        List<String> texts = zh ? TestData.chinese().subList(0, 60) : TestData.english().subList(0, 120);
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(model).build();
             FullGraphReference reference = new FullGraphReference(TestData.model(model).resolve("model.onnx"), null)) {
            List<String> a = texts.subList(0, texts.size() / 2);
            List<String> b = texts.subList(texts.size() / 2, texts.size());
            List<Embedding> ours = embedder.embedDetailed(a, b);
            double worst = 0;
            for (int i = 0; i < a.size(); i++) {
                Encoding e = embedder.tokenizer().encode(a.get(i), b.get(i));
                assertTrue(java.util.Arrays.stream(e.typeIds()).anyMatch(t -> t == 1), "segment 1 present");
                float[] theirs = reference.sentence(e, zh);
                worst = Math.max(worst, VectorMath.maxAbsDifference(ours.get(i).vector(), theirs));
                assertArrayEquals(embedder.embed(a.get(i), b.get(i)), ours.get(i).vector(), "pair alone = in a batch");
            }
            System.out.printf("%s pairs vs full graph: max abs %.3g over %d pairs%n", model, worst, a.size());
            assertTrue(worst <= 1e-5, "max abs difference " + worst);
        }
    }
}
