package io.github.bertembed.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.batch.WholeTexts;

import java.util.ArrayList;
import java.util.List;

/**
 * bert-embed as a langchain4j {@link EmbeddingModel}: a drop-in for langchain4j's in-process models such as
 * {@code AllMiniLmL6V2EmbeddingModel}, with the same vectors for texts within their 128 tokens, length-sorted
 * batches instead of one text per run, and no silent truncation: a text longer than the model's maximum length
 * is embedded whole (windows sharing an eighth of their tokens, averaged by token count and re-normalized).
 *
 * <pre>{@code
 * EmbeddingModel model = new BertEmbedEmbeddingModel("all-minilm-l6-v2");   // or bge-small-en-v1.5, e5-small-v2, …
 * EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build().ingest(documents);
 * Embedding query = model.embed("what is a fox?").content();
 * }</pre>
 *
 * <p>Needs {@code dev.langchain4j:langchain4j-core} on the classpath (an optional dependency of bert-embed).
 * Thread-safe; {@link #close()} frees the embedder it opened (not one passed in).
 */
public final class BertEmbedEmbeddingModel implements EmbeddingModel, AutoCloseable {
    private final WholeTexts whole;

    /** The default model, all-minilm-l6-v2. */
    public BertEmbedEmbeddingModel() {
        this(WholeTexts.open(null));
    }

    /** A model by name (from a models folder or a model jar on the classpath), folder or jar path. */
    public BertEmbedEmbeddingModel(String model) {
        this(WholeTexts.open(model));
    }

    /** Over an embedder the caller configured and keeps owning. */
    public BertEmbedEmbeddingModel(SentenceEmbedder embedder) {
        this(WholeTexts.over(embedder));
    }

    private BertEmbedEmbeddingModel(WholeTexts whole) {
        this.whole = whole;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        List<String> texts = new ArrayList<>(segments.size());
        for (TextSegment s : segments) {
            texts.add(s.text());
        }
        List<Embedding> out = new ArrayList<>(texts.size());
        int tokens = 0;
        for (DocumentResult r : whole.embedAll(texts)) {
            out.add(Embedding.from(r.vector()));
            tokens += r.tokens();
        }
        return Response.from(out, new TokenUsage(tokens));
    }

    @Override
    public int dimension() {
        return whole.embedder().dimension();
    }

    @Override
    public String modelName() {
        return whole.embedder().location().name();
    }

    /** The embedder underneath. */
    public SentenceEmbedder embedder() {
        return whole.embedder();
    }

    @Override
    public void close() {
        whole.close();
    }
}
