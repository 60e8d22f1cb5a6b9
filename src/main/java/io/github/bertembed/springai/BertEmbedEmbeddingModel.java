package io.github.bertembed.springai;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.DocumentResult;
import io.github.bertembed.batch.WholeTexts;
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

/**
 * bert-embed as a Spring AI {@link EmbeddingModel}, for {@code VectorStore}s and anything else that takes one.
 * Texts longer than the model's maximum length are embedded whole (windows averaged by token count), never cut.
 *
 * <pre>{@code
 * @Bean
 * EmbeddingModel embeddingModel() {
 *     return new BertEmbedEmbeddingModel("bge-small-en-v1.5");
 * }
 * VectorStore store = SimpleVectorStore.builder(embeddingModel).build();
 * }</pre>
 *
 * <p>Needs {@code org.springframework.ai:spring-ai-model} on the classpath (the application's own Spring AI).
 * One instance serves one model: a request's model option is not consulted, and dimensions other than the
 * model's are an error. Thread-safe; {@link #close()} frees the embedder it opened (not one passed in).
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
    public EmbeddingResponse call(EmbeddingRequest request) {
        check(request.getOptions());
        List<DocumentResult> results = whole.embedAll(request.getInstructions());
        List<Embedding> out = new ArrayList<>(results.size());
        int tokens = 0;
        for (int i = 0; i < results.size(); i++) {
            out.add(new Embedding(results.get(i).vector(), i));
            tokens += results.get(i).tokens();
        }
        return new EmbeddingResponse(out, new EmbeddingResponseMetadata(modelName(), new DefaultUsage(tokens, 0)));
    }

    @Override
    public float[] embed(Document document) {
        return whole.embedAll(List.of(getEmbeddingContent(document))).get(0).vector();
    }

    @Override
    public int dimensions() {
        return whole.embedder().dimension();
    }

    /** The model's name, as responses report it. */
    public String modelName() {
        return whole.embedder().location().name();
    }

    /** The embedder underneath. */
    public SentenceEmbedder embedder() {
        return whole.embedder();
    }

    private void check(EmbeddingOptions options) {
        if (options == null) {
            return;
        }
        if (options.getDimensions() != null && options.getDimensions() != whole.embedder().dimension()) {
            throw new IllegalArgumentException("model " + modelName() + " makes " + whole.embedder().dimension()
                    + "-dimensional vectors; the request asks for " + options.getDimensions());
        }
    }

    @Override
    public void close() {
        whole.close();
    }
}
