package io.github.bertembed;

import org.junit.jupiter.api.Tag;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallzhv15.BgeSmallZhV15EmbeddingModel;
import io.github.bertembed.pooling.VectorMath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our vectors against langchain4j's in-process models, with our max length set to what langchain4j really feeds
 * its model (it truncates silently: 128 tokens for both all-minilm-l6-v2 models, 512 for bge-small-zh-v1.5).
 * Texts langchain4j refuses (whitespace-, ZWSP- or BOM-only) are counted and skipped.
 */
@Tag("reference")
class LangChain4jComparisonTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"all-minilm-l6-v2,128,0.99999", "all-minilm-l6-v2-q,128,0.9999", "bge-small-zh-v1.5,512,0.99999"})
    void matchesLangChain4j(String model, int maxLength, double floor) {
        boolean zh = model.startsWith("bge");
        List<String> corpus = new ArrayList<>(zh ? TestData.chinese().subList(0, 500) : TestData.english().subList(0, 1000));
        corpus.addAll(TestData.hard());
        EmbeddingModel reference = switch (model) {
            case "all-minilm-l6-v2" -> new AllMiniLmL6V2EmbeddingModel();
            case "all-minilm-l6-v2-q" -> new AllMiniLmL6V2QuantizedEmbeddingModel();
            default -> new BgeSmallZhV15EmbeddingModel();
        };
        try (SentenceEmbedder ours = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model(model)
                .maxLength(maxLength).build()) {
            List<float[]> mine = ours.embedAll(corpus);
            double worst = 1;
            int refused = 0;
            int truncated = 0;
            for (int i = 0; i < corpus.size(); i++) {
                float[] theirs;
                try {
                    theirs = reference.embed(TextSegment.from(corpus.get(i))).content().vector();
                } catch (RuntimeException e) {
                    refused++;
                    continue;
                }
                double cos = VectorMath.cosine(mine.get(i), theirs);
                worst = Math.min(worst, cos);
                assertTrue(cos >= floor, model + ": cosine " + cos + " for " + corpus.get(i));
            }
            for (Embedding e : ours.embedDetailed(corpus)) {
                truncated += e.truncated() ? 1 : 0;
            }
            System.out.printf("%s vs langchain4j: min cosine %.8f over %d texts (%d refused by langchain4j, %d truncated at %d)%n",
                    model, worst, corpus.size() - refused, refused, truncated, maxLength);
            assertTrue(refused < 20, "langchain4j refused " + refused + " texts");
        }
    }
}
