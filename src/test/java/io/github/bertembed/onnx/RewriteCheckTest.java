package io.github.bertembed.onnx;

import io.github.bertembed.FullGraphReference;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TinyBertModel;
import io.github.bertembed.pooling.VectorMath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rewritten encoders are used only where they compute what the model's own operators do: on a generated BERT whose
 * attention scores are not scaled by 1/√d (as an export that folded the scale into the query weights), the
 * attention pattern still matches and the fused operator, which always scales, would be wrong; the check sees it,
 * and the embedder runs the model's own operators, equal to the full graph.
 */
class RewriteCheckTest {
    @TempDir
    Path dir;

    /** A model file and its embedding layer, to cut. */
    private record Model(OnnxModelFile onnx, EmbeddingLayerGraph layer) {
        static Model of(Path folder) throws java.io.IOException {
            OnnxModelFile onnx = OnnxModelFile.read(folder.resolve("model.onnx"));
            return new Model(onnx, EmbeddingLayerGraph.find(onnx));
        }
    }

    @Test
    void aRewriteThatComputesSomethingElseIsNotUsed() throws Exception {
        Path model = TinyBertModel.writeUnscaled(dir.resolve("unscaled"));
        Model m = Model.of(model);
        OnnxModelFile onnx = m.onnx();
        EmbeddingLayerGraph layer = m.layer();
        byte[] plain = EncoderGraph.cut(onnx, layer, EncoderRewrite.PLAIN);
        byte[] packed = EncoderGraph.cut(onnx, layer, EncoderRewrite.FUSED_PACKED);
        byte[] fused = EncoderGraph.cut(onnx, layer, EncoderRewrite.FUSED);
        // The structure matched: without the check, these graphs would run.
        assertEquals(TinyBertModel.LAYERS, OnnxModelFile.parse(dir.resolve("p.onnx"), packed)
                .countOps("MultiHeadAttention"));
        assertEquals(TinyBertModel.LAYERS, OnnxModelFile.parse(dir.resolve("f.onnx"), fused).countOps("Attention"));
        String problem = RewriteCheck.disagreement(packed, plain, layer.hidden());
        assertNotNull(problem);
        assertTrue(problem.contains("differ from the model's own operators"), problem);
        assertNotNull(RewriteCheck.disagreement(fused, plain, layer.hidden()));

        assertArrayEquals(plain, EncoderGraph.checkedCut(onnx, layer, EncoderRewrite.FUSED_PACKED), "fell back to the plain cut");
        assertArrayEquals(plain, EncoderGraph.checkedCut(onnx, layer, EncoderRewrite.FUSED));
        EncoderGraphCache cache = new EncoderGraphCache(List.of(dir.resolve("cache")));
        try (EncoderSessions opened = EncoderSessions.open(onnx, layer, EncoderRewrite.FUSED_PACKED, cache,
                SessionOptions.defaults(), EncoderSessions.Parallelism.ONE_SESSION)) {
            Path cached = cache.find(onnx, EncoderRewrite.FUSED_PACKED);
            assertEquals(0, OnnxModelFile.read(cached).countOps("Attention") + OnnxModelFile.read(cached)
                    .countOps("MultiHeadAttention"), "the cache holds the graph that was checked, not the rewrite");
        }

        List<String> texts = TokenPackingTest.texts(24, 7);
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().model(model.toString())
                .cache(dir.resolve("cache2")).build();
             FullGraphReference reference = new FullGraphReference(model.resolve("model.onnx"), null)) {
            assertTrue(!embedder.packsTokens(), "runs padded, as the model's operators do");
            List<float[]> vectors = embedder.embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                float[] want = reference.sentence(embedder.tokenizer().encode(texts.get(i)), false);
                assertTrue(VectorMath.maxAbsDifference(vectors.get(i), want) <= 1e-5, texts.get(i));
            }
        }
    }

    @Test
    void aFaithfulRewriteIsKept() throws Exception {
        Model m = Model.of(TinyBertModel.write(dir.resolve("tiny")));
        OnnxModelFile onnx = m.onnx();
        EmbeddingLayerGraph layer = m.layer();
        byte[] plain = EncoderGraph.cut(onnx, layer, EncoderRewrite.PLAIN);
        byte[] packed = EncoderGraph.cut(onnx, layer, EncoderRewrite.FUSED_PACKED);
        assertNull(RewriteCheck.disagreement(packed, plain, layer.hidden()));
        assertArrayEquals(packed, EncoderGraph.checkedCut(onnx, layer, EncoderRewrite.FUSED_PACKED));
        assertArrayEquals(EncoderGraph.cut(onnx, layer, EncoderRewrite.FUSED),
                EncoderGraph.checkedCut(onnx, layer, EncoderRewrite.FUSED));
        assertArrayEquals(plain, EncoderGraph.checkedCut(onnx, layer, EncoderRewrite.PLAIN), "no rewrite asked: the plain cut");
    }
}
