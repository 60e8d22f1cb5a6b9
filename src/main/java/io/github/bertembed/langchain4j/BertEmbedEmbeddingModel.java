package io.github.bertembed.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.LongTextPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bert-embed as a langchain4j {@link EmbeddingModel}: a drop-in for langchain4j's in-process models such as
 * {@code AllMiniLmL6V2EmbeddingModel}, with the same vectors for texts within the model's maximum length, and
 * length-sorted batches instead of one text per run. A longer text follows the embedder's {@link LongTextPolicy}
 * (default: truncated, as sentence-transformers does) and the response says so: its {@code finishReason} is
 * {@link FinishReason#LENGTH} and its metadata's {@value #TRUNCATED} lists the truncated texts' positions.
 *
 * <pre>{@code
 * EmbeddingModel model = new BertEmbedEmbeddingModel("all-minilm-l6-v2");   // or bge-small-en-v1.5, e5-small-v2, …
 * EmbeddingStoreIngestor.builder().embeddingModel(model).embeddingStore(store).build().ingest(documents);
 * Embedding query = model.embed("what is a fox?").content();
 * // long documents embedded whole (overlapping windows, token-weighted mean) instead of truncated:
 * EmbeddingModel whole = new BertEmbedEmbeddingModel(
 *         SentenceEmbedder.builder().model("bge-small-en-v1.5").longText(LongTextPolicy.CHUNK).build());
 * }</pre>
 *
 * <p>Needs {@code dev.langchain4j:langchain4j-core} on the classpath (an optional dependency of bert-embed).
 * Thread-safe; {@link #close()} frees the embedder it opened (not one passed in).
 */
public final class BertEmbedEmbeddingModel implements EmbeddingModel, AutoCloseable {
    /** The response metadata key listing the positions of truncated texts (absent when none was). */
    public static final String TRUNCATED = "truncated";

    private final SentenceEmbedder embedder;
    private final boolean owned;

    /** The default model, all-minilm-l6-v2. */
    public BertEmbedEmbeddingModel() {
        this(SentenceEmbedder.builder().build(), true);
    }

    /** A model by name (from a models folder or a model jar on the classpath), folder or jar path. */
    public BertEmbedEmbeddingModel(String model) {
        this(SentenceEmbedder.builder().model(model).build(), true);
    }

    /** Over an embedder the caller configured (its long-text policy included) and keeps owning. */
    public BertEmbedEmbeddingModel(SentenceEmbedder embedder) {
        this(embedder, false);
    }

    private BertEmbedEmbeddingModel(SentenceEmbedder embedder, boolean owned) {
        this.embedder = embedder;
        this.owned = owned;
    }

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        List<String> texts = new ArrayList<>(segments.size());
        for (TextSegment s : segments) {
            texts.add(s.text());
        }
        List<Embedding> out = new ArrayList<>(texts.size());
        List<Integer> truncated = new ArrayList<>();
        int tokens = 0;
        List<io.github.bertembed.Embedding> results = embedder.embedDetailed(texts);
        for (int i = 0; i < results.size(); i++) {
            out.add(Embedding.from(results.get(i).vector()));
            tokens += results.get(i).tokens();
            if (results.get(i).truncated()) {
                truncated.add(i);
            }
        }
        if (truncated.isEmpty()) {
            return Response.from(out, new TokenUsage(tokens));
        }
        return Response.from(out, new TokenUsage(tokens), FinishReason.LENGTH, Map.of(TRUNCATED, truncated));
    }

    @Override
    public int dimension() {
        return embedder.dimension();
    }

    @Override
    public String modelName() {
        return embedder.location().name();
    }

    /** The embedder underneath. */
    public SentenceEmbedder embedder() {
        return embedder;
    }

    @Override
    public void close() {
        if (owned) {
            embedder.close();
        }
    }
}
