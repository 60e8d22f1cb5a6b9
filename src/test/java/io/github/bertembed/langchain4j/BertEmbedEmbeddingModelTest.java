package io.github.bertembed.langchain4j;

import static org.junit.jupiter.api.Assertions.assertNull;
import dev.langchain4j.model.output.FinishReason;
import org.junit.jupiter.api.Tag;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.LongTextPolicy;
import io.github.bertembed.pooling.VectorMath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The langchain4j adapter through langchain4j's own machinery (EmbeddingStoreIngestor, InMemoryEmbeddingStore),
 * against langchain4j's own all-MiniLM-L6-v2 model.
 */
@Tag("reference")
class BertEmbedEmbeddingModelTest {
    static SentenceEmbedder embedder;
    static BertEmbedEmbeddingModel ours;

    @BeforeAll
    static void open() {
        embedder = SentenceEmbedder.builder().modelsDir(TestData.modelsDir()).model("all-minilm-l6-v2").build();
        ours = new BertEmbedEmbeddingModel(embedder);
    }

    @AfterAll
    static void close() {
        ours.close();
        embedder.close();
    }

    static List<String> within128(int from, int count) {
        return TestData.englishWithin(embedder.tokenizer(), 128, from, count);
    }

    @Test
    void ingestAndSearchGiveTheSameTopKAsLangChain4jsOwnModel() {
        List<String> texts = within128(0, 300);
        List<String> queries = within128(5000, 12);
        EmbeddingModel theirs = new AllMiniLmL6V2EmbeddingModel();
        InMemoryEmbeddingStore<TextSegment> ourStore = ingest(ours, texts);
        InMemoryEmbeddingStore<TextSegment> theirStore = ingest(theirs, texts);
        for (String q : queries) {
            List<String> a = top(ourStore, ours.embed(q).content(), 5);
            List<String> b = top(theirStore, theirs.embed(q).content(), 5);
            assertEquals(b, a, "top 5 for " + q);
        }
    }

    private static InMemoryEmbeddingStore<TextSegment> ingest(EmbeddingModel model, List<String> texts) {
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            documents.add(Document.from(texts.get(i), Metadata.from("i", String.valueOf(i))));
        }
        EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store)
                .documentSplitter(d -> List.of(d.toTextSegment())).build().ingest(documents);
        return store;
    }

    private static List<String> top(InMemoryEmbeddingStore<TextSegment> store, Embedding query, int k) {
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(query).maxResults(k).build())
                .matches().stream().map(m -> m.embedded().text()).toList();
    }

    @Test
    void aLongTextIsTruncatedAndTheResponseSaysSoOrEmbeddedWholeWhenAsked() {
        String longText = String.join(" ", within128(100, 40));
        int all = embedder.tokenizer().toBuilder().maxLength(0).build().encode(longText).length();
        assertTrue(all > 3 * embedder.maxLength(), "a text of " + all + " tokens");
        Response<List<Embedding>> r = ours.embedAll(List.of(TextSegment.from("a fox"), TextSegment.from(longText)));
        assertArrayEquals(embedder.embed(longText), r.content().get(1).vector());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(List.of(1), r.metadata().get(BertEmbedEmbeddingModel.TRUNCATED));
        Response<Embedding> shortOne = ours.embed("a fox");
        assertNull(shortOne.finishReason(), "nothing truncated: no finish reason, as langchain4j's own models");
        assertTrue(shortOne.metadata().isEmpty());

        try (SentenceEmbedder chunking = SentenceEmbedder.builder().modelsDir(TestData.modelsDir())
                .model("all-minilm-l6-v2").longText(LongTextPolicy.CHUNK).build();
             BertEmbedEmbeddingModel whole = new BertEmbedEmbeddingModel(chunking)) {
            Response<Embedding> w = whole.embed(longText);
            DocumentResult expected = new DocumentEmbedder(embedder, LongTextPolicy.CHUNK,
                    DocumentEmbedder.defaultStride(embedder)).embedAll(List.of(longText)).get(0);
            assertArrayEquals(expected.vector(), w.content().vector());
            assertTrue(expected.chunks().size() > 1);
            assertEquals(expected.tokens(), w.tokenUsage().inputTokenCount(), "every window's tokens counted");
            assertNull(w.finishReason());
            assertTrue(VectorMath.cosine(embedder.embed(longText), w.content().vector()) < 0.999);
        }
    }

    @Test
    void embedAllKeepsOrderAndMatchesTheEmbedder() {
        List<String> texts = within128(200, 20);
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        Response<List<Embedding>> r = ours.embedAll(segments);
        assertEquals(texts.size(), r.content().size());
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(embedder.embed(texts.get(i)), r.content().get(i).vector(), texts.get(i));
            tokens += embedder.tokenizer().encode(texts.get(i)).length();
        }
        assertEquals(tokens, r.tokenUsage().inputTokenCount());
        assertEquals(384, ours.dimension());
        assertEquals("all-minilm-l6-v2", ours.modelName());
    }
}
