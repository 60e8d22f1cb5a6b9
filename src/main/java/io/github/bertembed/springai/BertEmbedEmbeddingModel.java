package io.github.bertembed.springai;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.LongTextPolicy;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bert-embed as a Spring AI {@link EmbeddingModel}, for {@code VectorStore}s and anything else that takes one.
 * A text longer than the model's maximum length follows the embedder's {@link LongTextPolicy} (default: truncated,
 * as Spring AI's own ONNX model does) and the response says so: its metadata's {@value #TRUNCATED} lists the
 * truncated texts' positions ({@link #embed(Document)}, which returns a bare vector, cannot say it).
 *
 * <pre>{@code
 * @Bean
 * EmbeddingModel embeddingModel() {
 *     return new BertEmbedEmbeddingModel("bge-small-en-v1.5");
 * }
 * VectorStore store = SimpleVectorStore.builder(embeddingModel).build();
 * // long documents embedded whole (overlapping windows, token-weighted mean) instead of truncated:
 * new BertEmbedEmbeddingModel(SentenceEmbedder.builder().longText(LongTextPolicy.CHUNK).build());
 * }</pre>
 *
 * <p>Needs {@code org.springframework.ai:spring-ai-model} on the classpath (the application's own Spring AI).
 * One instance serves one model: a request's model option is not consulted, and dimensions other than the
 * model's are an error. Thread-safe; {@link #close()} frees the embedder it opened (not one passed in).
 */
public final class BertEmbedEmbeddingModel implements EmbeddingModel, AutoCloseable {
    /** The response metadata key listing the positions of truncated texts (an empty list when none was). */
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
    public EmbeddingResponse call(EmbeddingRequest request) {
        check(request.getOptions());
        List<io.github.bertembed.Embedding> results = embedder.embedDetailed(request.getInstructions());
        List<Embedding> out = new ArrayList<>(results.size());
        List<Integer> truncated = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < results.size(); i++) {
            out.add(new Embedding(results.get(i).vector(), i));
            tokens += results.get(i).tokens();
            if (results.get(i).truncated()) {
                truncated.add(i);
            }
        }
        return new EmbeddingResponse(out, new EmbeddingResponseMetadata(modelName(), new DefaultUsage(tokens, 0),
                Map.of(TRUNCATED, truncated)));
    }

    @Override
    public float[] embed(Document document) {
        return embedder.embed(getEmbeddingContent(document));
    }

    @Override
    public int dimensions() {
        return embedder.dimension();
    }

    /** The model's name, as responses report it. */
    public String modelName() {
        return embedder.location().name();
    }

    /** The embedder underneath. */
    public SentenceEmbedder embedder() {
        return embedder;
    }

    private void check(EmbeddingOptions options) {
        if (options == null) {
            return;
        }
        if (options.getDimensions() != null && options.getDimensions() != embedder.dimension()) {
            throw new IllegalArgumentException("model " + modelName() + " makes " + embedder.dimension()
                    + "-dimensional vectors; the request asks for " + options.getDimensions());
        }
    }

    @Override
    public void close() {
        if (owned) {
            embedder.close();
        }
    }
}
