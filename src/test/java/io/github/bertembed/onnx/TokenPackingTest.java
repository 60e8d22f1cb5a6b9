package io.github.bertembed.onnx;

import io.github.bertembed.FullGraphReference;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TinyBertModel;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token-packing rewrite on a generated 2-layer BERT: what the graph becomes, vectors against the model's own
 * full graph in onnxruntime, and the same bits for a text alone and in any batch of other lengths.
 */
class TokenPackingTest {
    @TempDir
    Path dir;
    Path model;

    @BeforeEach
    void writeModel() throws IOException {
        model = TinyBertModel.write(dir.resolve("tiny")); // a fresh model and cache each test: no graph cached before
    }

    private SentenceEmbedder.Builder builder() {
        return SentenceEmbedder.builder().model(model.toString()).cache(dir.resolve("cache"));
    }

    @Test
    void everyAttentionRunsPaddedAndEverythingElsePacked() throws Exception {
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        OnnxModelFile packed = OnnxModelFile.parse(dir.resolve("packed.onnx"), EncoderGraph.cut(onnx, layer, EncoderRewrite.FUSED_PACKED));
        assertEquals(TinyBertModel.LAYERS, packed.countOps("MultiHeadAttention"));
        assertEquals(0, packed.countOps("Attention"), "every fused Attention rewritten");
        // Rows in: one gather of the input; per layer one to the padded layout and one back; one for the output.
        assertEquals(2 + 2L * TinyBertModel.LAYERS, packed.countOps("Gather"));
        assertTrue(packed.proto().getMetadataPropsList().stream()
                .anyMatch(p -> p.getKey().equals(TokenPacking.METADATA_KEY) && p.getValue().equals("true")));

        OnnxModelFile fused = OnnxModelFile.parse(dir.resolve("fused.onnx"), EncoderGraph.cut(onnx, layer, EncoderRewrite.FUSED));
        assertEquals(TinyBertModel.LAYERS, fused.countOps("Attention"));
        assertEquals(0, fused.proto().getMetadataPropsCount());
        // The model's own attention operators (Softmax and all) are not known to be row-wise: nothing packed.
        OnnxModelFile plain = OnnxModelFile.parse(dir.resolve("plain.onnx"), EncoderGraph.cut(onnx, layer, EncoderRewrite.PLAIN));
        assertEquals(0, plain.countOps("Gather"));
        assertEquals(0, plain.proto().getMetadataPropsCount());
    }

    @Test
    void packedVectorsMatchTheFullGraphAndArriveIdenticalInAnyBatch() throws Exception {
        List<String> texts = texts(40, 7);
        try (SentenceEmbedder packed = builder().build();
             SentenceEmbedder padded = builder().encoderGraph(EncoderRewrite.FUSED).build();
             FullGraphReference reference = new FullGraphReference(model.resolve("model.onnx"), null)) {
            assertTrue(packed.packsTokens(), "the default packs");
            assertTrue(!padded.packsTokens());
            List<float[]> batched = packed.embedAll(texts);
            List<float[]> paddedBatched = padded.embedAll(texts);
            Random random = new Random(11);
            for (int i = 0; i < texts.size(); i++) {
                Encoding e = packed.tokenizer().encode(texts.get(i));
                float[] alone = packed.embed(texts.get(i));
                assertArrayEquals(alone, batched.get(i), 0f, "the same bits alone and batched: " + texts.get(i));
                assertTrue(VectorMath.maxAbsDifference(alone, reference.sentence(e, false)) <= 1e-5, texts.get(i));
                assertTrue(VectorMath.maxAbsDifference(alone, paddedBatched.get(i)) <= 1e-5, texts.get(i));
                // In a call of its own with random partners of other lengths, shortest and longest around it.
                List<String> mix = new ArrayList<>(List.of(texts.get(random.nextInt(texts.size())), texts.get(i),
                        texts.get(random.nextInt(texts.size()))));
                assertArrayEquals(alone, packed.embedAll(mix).get(1), 0f, "with partners: " + texts.get(i));
            }
        }
    }

    @Test
    void tokenVectorsOfPaddedSlotsNeverLeakIntoRealOnes() throws Exception {
        // One long and one short text in one run: the short one's padded slots read its own last row; its vector
        // is still its vector alone, and the long text is untouched by the short one's padding.
        try (SentenceEmbedder packed = builder().build()) {
            String longText = "x y z w v u t s r q p o n m l k j i h";
            List<float[]> both = packed.embedAll(List.of("dogs!", longText));
            assertArrayEquals(packed.embed("dogs!"), both.get(0), 0f);
            assertArrayEquals(packed.embed(longText), both.get(1), 0f);
            assertFalse(java.util.Arrays.equals(both.get(0), both.get(1)));
        }
    }

    /** Texts of 1 to {@code maxWords} words over the tiny model's vocabulary, so lengths vary within each call. */
    static List<String> texts(int count, int maxWords) {
        String[] words = {"the", "cat", "sat", "on", "mat", "dogs", "!", "a", "queen", "king", "woman", "man", ","};
        Random random = new Random(5);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + random.nextInt(maxWords);
            for (int w = 0; w < n; w++) {
                b.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
            }
            out.add(b.toString());
        }
        return out;
    }
}
