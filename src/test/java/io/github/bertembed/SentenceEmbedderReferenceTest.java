package io.github.bertembed;

import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our sentence vectors against the full, uncut ONNX graph with the same pooling: 1e-5 absolute for fp32 models;
 * for the int8 model, whose activations are quantized at run time, cosine ≥ 0.9999.
 */
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
                .fuseAttention(fuse).build();
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
}
