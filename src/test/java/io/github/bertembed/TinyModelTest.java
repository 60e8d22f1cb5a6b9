package io.github.bertembed;

import io.github.bertembed.embedding.InputEmbeddings;
import io.github.bertembed.onnx.EmbeddingLayerGraph;
import io.github.bertembed.onnx.OnnxModelFile;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole pipeline on a generated 2-layer BERT: fast, and checked against the model's own graph in onnxruntime. */
class TinyModelTest {
    @TempDir
    static Path dir;
    static Path model;

    static final List<String> TEXTS = List.of("the cat sat on the mat.", "dogs!", "", "a queen, a king",
            "the woman and the man sat on the mat, sitting.", "zzz", "x y z w v u t s r q p o n m l k j i h");

    @BeforeAll
    static void writeModel() throws IOException {
        model = TinyBertModel.write(dir.resolve("tiny"));
    }

    SentenceEmbedder.Builder builder() {
        return SentenceEmbedder.builder().model(model.toString()).cache(dir.resolve("cache"));
    }

    @Test
    void findsTheEmbeddingLayerByFollowingTheGraph() throws Exception {
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(OnnxModelFile.read(model.resolve("model.onnx")));
        assertEquals(TinyBertModel.HIDDEN, layer.hidden());
        assertEquals(TinyBertModel.POSITIONS, layer.positions().rows());
        assertEquals(2, layer.segments().rows());
        assertEquals(1e-12f, layer.epsilon());
    }

    @Test
    void inputEmbeddingsAndSentenceVectorsEqualTheFullGraph() throws Exception {
        try (SentenceEmbedder embedder = builder().build();
             FullGraphReference reference = new FullGraphReference(model.resolve("model.onnx"),
                     EmbeddingLayerGraph.find(OnnxModelFile.read(model.resolve("model.onnx"))).outputName())) {
            String ln = reference.extraOutput();
            for (String text : TEXTS) {
                Encoding e = embedder.tokenizer().encode(text);
                float[] theirs = reference.run(e, ln);
                float[] mine = embedder.inputEmbeddings().compute(e.ids(), e.typeIds(), e.attentionMask());
                assertArrayEquals(theirs, mine, 0f, "input embeddings of " + text);
                float[] v = embedder.embed(text);
                assertTrue(VectorMath.maxAbsDifference(v, reference.sentence(e, false)) <= 1e-5, text);
                assertEquals(1.0, Math.sqrt(VectorMath.dot(v, v)), 1e-6);
            }
        }
    }

    @Test
    void fusedAttentionStaysWithinToleranceOfTheFullGraph() throws Exception {
        try (SentenceEmbedder fused = builder().encoderGraph(io.github.bertembed.onnx.EncoderRewrite.FUSED).build();
             FullGraphReference reference = new FullGraphReference(model.resolve("model.onnx"), null)) {
            List<float[]> batched = fused.embedAll(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) {
                Encoding e = fused.tokenizer().encode(TEXTS.get(i));
                float[] theirs = reference.sentence(e, false);
                assertTrue(VectorMath.maxAbsDifference(fused.embed(TEXTS.get(i)), theirs) <= 1e-5, TEXTS.get(i));
                assertTrue(VectorMath.maxAbsDifference(batched.get(i), theirs) <= 1e-5, "batched " + TEXTS.get(i));
            }
        }
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        OnnxModelFile cut = OnnxModelFile.parse(dir.resolve("fused.onnx"),
                io.github.bertembed.onnx.EncoderGraph.cut(onnx, EmbeddingLayerGraph.find(onnx), io.github.bertembed.onnx.EncoderRewrite.FUSED));
        assertEquals(TinyBertModel.LAYERS, cut.countOps("Attention"), "every layer fused");
        assertEquals(0, cut.countOps("Softmax"));
        java.util.Set<String> biases = new java.util.HashSet<>();
        cut.graph().getInitializerList().stream().filter(t -> t.getDimsCount() == 1).forEach(t -> biases.add(t.getName()));
        long biasFirst = cut.graph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Add") && biases.contains(n.getInput(0))).count();
        long biasSecond = cut.graph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Add") && biases.contains(n.getInput(1))).count();
        assertEquals(0, biasFirst, "biases come second, where onnxruntime's SkipLayerNormalization fusion folds them");
        assertTrue(biasSecond >= 2L * TinyBertModel.LAYERS, "residual bias Adds " + biasSecond);
    }

    @Test
    void lookupIsOneHotTimesTable() throws Exception {
        // The table as the ONNX file stores it, read without our code; a real one-hot vector times it, for every id.
        RawInitializer table = RawInitializer.read(model.resolve("model.onnx"), "embeddings.word_embeddings.weight");
        try (SentenceEmbedder embedder = builder().build()) {
            InputEmbeddings layer = embedder.inputEmbeddings();
            assertEquals(table.rows(), layer.vocabularySize());
            for (int id = 0; id < table.rows(); id++) {
                float[] oneHot = new float[table.rows()];
                oneHot[id] = 1f;
                float[] product = new float[table.columns()];
                for (int r = 0; r < table.rows(); r++) {
                    for (int c = 0; c < product.length; c++) {
                        product[c] += oneHot[r] * table.values()[r * table.columns() + c];
                    }
                }
                assertArrayEquals(product, layer.lookup(id), 0f, "row " + id);
            }
        }
    }

    @Test
    void batchInvariance() {
        List<String> texts = new ArrayList<>(TEXTS);
        try (SentenceEmbedder batched = builder().batchSize(4).build()) {
            List<float[]> all = batched.embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                float[] alone = batched.embed(texts.get(i));
                assertTrue(VectorMath.maxAbsDifference(all.get(i), alone) <= 1e-6, texts.get(i));
            }
        }
    }

    @Test
    void eachPoolingModeIsTheFullGraphsPooling() throws Exception {
        try (SentenceEmbedder mean = builder().build();
             SentenceEmbedder cls = builder().pooling(Pooling.CLS).build();
             SentenceEmbedder max = builder().pooling(Pooling.MAX).build();
             FullGraphReference reference = new FullGraphReference(model.resolve("model.onnx"), null)) {
            assertEquals(Pooling.MEAN, mean.pooling(), "the default");
            for (String text : List.of("the cat sat", "king queen", "the cat sat on the mat with the king")) {
                Encoding e = mean.tokenizer().encode(text);
                float[] wantMean = reference.sentence(e, "mean");
                float[] wantCls = reference.sentence(e, "cls");
                float[] wantMax = reference.sentence(e, "max");
                assertTrue(VectorMath.maxAbsDifference(mean.embed(text), wantMean) <= 1e-5, "mean: " + text);
                assertTrue(VectorMath.maxAbsDifference(cls.embed(text), wantCls) <= 1e-5, "cls: " + text);
                assertTrue(VectorMath.maxAbsDifference(max.embed(text), wantMax) <= 1e-5, "max: " + text);
                // The three references differ, so each check can tell the modes apart.
                assertTrue(VectorMath.maxAbsDifference(wantMean, wantCls) > 1e-3
                        && VectorMath.maxAbsDifference(wantMean, wantMax) > 1e-3
                        && VectorMath.maxAbsDifference(wantCls, wantMax) > 1e-3, text);
            }
        }
    }

    @Test
    void longTextsAreTruncatedAndSaySo() {
        try (SentenceEmbedder embedder = builder().build()) {
            assertEquals(TinyBertModel.POSITIONS, embedder.maxLength(), "defaults to the position table");
            Embedding e = embedder.embedDetailed(List.of("the cat ".repeat(40))).get(0);
            assertTrue(e.truncated());
            assertEquals(TinyBertModel.POSITIONS, e.tokens());
            assertTrue(!embedder.embedDetailed(List.of("the cat")).get(0).truncated());
        }
    }

    @Test
    void sequenceLongerThanPositionTableIsAClearError() {
        try (SentenceEmbedder embedder = builder().build()) {
            var tok = embedder.tokenizer().toBuilder().maxLength(0).build();
            Encoding e = tok.encode("the cat ".repeat(40));
            var ex = assertThrows(IllegalArgumentException.class,
                    () -> embedder.inputEmbeddings().compute(e.ids(), e.typeIds(), e.attentionMask()));
            assertTrue(ex.getMessage().contains("position table"), ex.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> builder().maxLength(1000).build());
    }

    @Test
    void tokenizerLargerThanTokenTableIsRejected() throws IOException {
        Path small = TinyBertModel.write(dir.resolve("small-table"), 3, TinyBertModel.vocabulary().size() - 10);
        var e = assertThrows(IllegalArgumentException.class,
                () -> SentenceEmbedder.builder().model(small.toString()).cache(dir.resolve("c2")).build());
        assertTrue(e.getMessage().contains("does not match the model"), e.getMessage());
    }

    @Test
    void emptyFolderAndMissingModelAreNamed() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        var e = assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model(empty.toString()).build());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        Path onlyVocab = Files.createDirectories(dir.resolve("only-vocab"));
        Files.copy(model.resolve("vocab.txt"), onlyVocab.resolve("vocab.txt"));
        var e2 = assertThrows(IllegalArgumentException.class, () -> SentenceEmbedder.builder().model(onlyVocab.toString()).build());
        assertTrue(e2.getMessage().contains("model.onnx"), e2.getMessage());
    }

    @Test
    void truncatedModelFileIsAClearError() throws IOException {
        Path broken = Files.createDirectories(dir.resolve("broken"));
        byte[] bytes = Files.readAllBytes(model.resolve("model.onnx"));
        Files.write(broken.resolve("model.onnx"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.copy(model.resolve("vocab.txt"), broken.resolve("vocab.txt"));
        var e = assertThrows(RuntimeException.class, () -> SentenceEmbedder.builder().model(broken.toString()).build());
        assertTrue(e.getMessage().contains("model.onnx"), e.getMessage());
    }

    @Test
    void sentenceTransformersConfigChoosesPoolingAndMaxLength() throws IOException {
        Path st = TinyBertModel.write(dir.resolve("st"));
        Files.createDirectories(st.resolve("1_Pooling"));
        Files.writeString(st.resolve("1_Pooling/config.json"),
                "{\"word_embedding_dimension\": 16, \"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": false}");
        Files.writeString(st.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 12, \"do_lower_case\": false}");
        try (SentenceEmbedder e = SentenceEmbedder.builder().model(st.toString()).cache(dir.resolve("c3")).build()) {
            assertEquals(Pooling.CLS, e.pooling());
            assertEquals(12, e.maxLength());
        }
    }

    @Test
    void graphWithoutAnEmbeddingLayerIsRejected() throws Exception {
        OnnxModelFile onnx = OnnxModelFile.read(model.resolve("model.onnx"));
        byte[] encoderOnly = io.github.bertembed.onnx.EncoderGraph.cut(onnx, EmbeddingLayerGraph.find(onnx), io.github.bertembed.onnx.EncoderRewrite.PLAIN);
        OnnxModelFile cut = OnnxModelFile.parse(dir.resolve("encoder-only.onnx"), encoderOnly);
        var e = assertThrows(IllegalArgumentException.class, () -> EmbeddingLayerGraph.find(cut));
        assertTrue(e.getMessage().contains("input_ids"), e.getMessage());
    }

    @Test
    void closedEmbedderFailsCleanly() {
        SentenceEmbedder embedder = builder().build();
        embedder.close();
        embedder.close();
        assertThrows(IllegalStateException.class, () -> embedder.embed("the cat"));
    }
}
