package io.github.bertembed.springai;

import org.junit.jupiter.api.Tag;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.pooling.VectorMath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.SimpleVectorStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spring AI adapter through Spring AI's own SimpleVectorStore; the expected neighbours come from langchain4j's
 * all-MiniLM-L6-v2 vectors and a brute-force cosine, independent of our code.
 */
@Tag("reference")
class BertEmbedEmbeddingModelTest {
    static SentenceEmbedder embedder;
    static BertEmbedEmbeddingModel model;

    @BeforeAll
    static void open() {
        embedder = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model("all-minilm-l6-v2").build();
        model = new BertEmbedEmbeddingModel(embedder);
    }

    @AfterAll
    static void close() {
        model.close();
        embedder.close();
    }

    static List<String> within128(int from, int count) {
        return TestData.englishWithin(embedder.tokenizer(), 128, from, count);
    }

    @Test
    void simpleVectorStoreFindsTheReferenceNeighbours() {
        List<String> texts = within128(1000, 200);
        SimpleVectorStore store = SimpleVectorStore.builder(model).build();
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            docs.add(new Document(texts.get(i), Map.of("i", i)));
        }
        store.add(docs);
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        List<float[]> refVectors = texts.stream().map(t -> reference.embed(TextSegment.from(t)).content().vector()).toList();
        for (String q : within128(7000, 10)) {
            float[] rq = reference.embed(TextSegment.from(q)).content().vector();
            List<String> expected = IntStream.range(0, texts.size()).boxed()
                    .sorted(Comparator.comparingDouble(i -> -VectorMath.cosine(rq, refVectors.get(i))))
                    .limit(5).map(texts::get).toList();
            List<Document> found = store.similaritySearch(SearchRequest.builder().query(q).topK(5).build());
            assertEquals(expected, found.stream().map(Document::getText).toList(), "top 5 for " + q);
            double best = VectorMath.cosine(rq, refVectors.get(texts.indexOf(expected.get(0))));
            assertEquals(best, found.get(0).getScore(), 1e-5);
        }
    }

    @Test
    void callReturnsIndexedVectorsAndTokenUsage() {
        List<String> texts = List.of("The quick brown fox.", "", "A third text, a little longer than the others.");
        EmbeddingResponse r = model.call(new EmbeddingRequest(texts, null));
        assertEquals(3, r.getResults().size());
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(i, r.getResults().get(i).getIndex());
            assertArrayEquals(embedder.embed(texts.get(i)), r.getResults().get(i).getOutput());
            tokens += embedder.tokenizer().encode(texts.get(i)).length();
        }
        assertEquals(tokens, r.getMetadata().getUsage().getPromptTokens());
        assertEquals("all-minilm-l6-v2", r.getMetadata().getModel());
        assertEquals(384, model.dimensions());
        assertArrayEquals(embedder.embed("x y"), model.embed(new Document("x y")));
        assertEquals(List.of(), r.getMetadata().get(BertEmbedEmbeddingModel.TRUNCATED));
    }

    @Test
    void aLongTextIsTruncatedAndTheMetadataNamesIt() {
        String longText = String.join(" ", io.github.bertembed.TestData.english().subList(0, 30));
        EmbeddingResponse r = model.call(new EmbeddingRequest(List.of("a fox", longText, longText), null));
        assertEquals(List.of(1, 2), r.getMetadata().get(BertEmbedEmbeddingModel.TRUNCATED));
        assertArrayEquals(embedder.embed(longText), r.getResults().get(1).getOutput());
    }

    @Test
    void otherDimensionsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> model.call(new EmbeddingRequest(List.of("a"),
                EmbeddingOptions.builder().dimensions(256).build())));
        assertTrue(e.getMessage().contains("384") && e.getMessage().contains("256"), e.getMessage());
    }
}
