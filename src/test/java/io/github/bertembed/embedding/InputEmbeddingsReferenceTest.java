package io.github.bertembed.embedding;

import org.junit.jupiter.api.Tag;

import io.github.bertembed.FullGraphReference;
import io.github.bertembed.TestData;
import io.github.bertembed.onnx.EmbeddingLayerGraph;
import io.github.bertembed.onnx.OnnxModelFile;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our input embeddings against the model's own embedding subgraph: the uncut graph run by onnxruntime with its
 * embedding LayerNorm output exposed as a graph output. Bit-identical, every value of every position of every text.
 */
@Tag("reference")
class InputEmbeddingsReferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-zh-v1.5"})
    void equalsTheModelsEmbeddingSubgraph(String model) throws Exception {
        OnnxModelFile onnx = OnnxModelFile.read(TestData.model(model).resolve("model.onnx"));
        EmbeddingLayerGraph layer = EmbeddingLayerGraph.find(onnx);
        InputEmbeddings ours = new InputEmbeddings(layer);
        assertEquals(onnx.isDynamicallyQuantized(), model.endsWith("-q"));
        assertEquals(model.endsWith("-q"), ours.tokenTable().isQuantized());
        BertTokenizer tokenizer = BertTokenizer.builder(TestData.tokenizerJson(model)).maxLength(512).build();
        List<String> corpus = new ArrayList<>(model.startsWith("bge") ? TestData.chinese().subList(0, 150)
                : TestData.english().subList(0, 300));
        corpus.addAll(TestData.hard());
        double worst = 0;
        long values = 0;
        long identical = 0;
        try (FullGraphReference reference = new FullGraphReference(onnx.path(), layer.outputName())) {
            for (String text : corpus) {
                Encoding e = tokenizer.encode(text);
                float[] theirs = reference.run(e, layer.outputName());
                float[] mine = ours.compute(e.ids(), e.typeIds(), e.attentionMask());
                assertEquals(theirs.length, mine.length);
                for (int i = 0; i < mine.length; i++) {
                    worst = Math.max(worst, Math.abs(mine[i] - theirs[i]));
                    values++;
                    if (Float.floatToIntBits(mine[i]) == Float.floatToIntBits(theirs[i])) {
                        identical++;
                    }
                }
            }
        }
        System.out.printf("%s input embeddings: max abs difference %.3g, %d of %d values bit-identical, %d texts%n",
                model, worst, identical, values, corpus.size());
        // What the README and the Javadoc claim: every value bit-identical (onnxruntime 1.28 and 1.29 changed this
        // kernel's arithmetic and fail here; see the README's dependency table).
        assertEquals(values, identical, model + ": max abs difference " + worst);
    }
}
