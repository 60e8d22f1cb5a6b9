package io.github.bertembed.batch;

import io.github.bertembed.SentenceEmbedder;

import java.util.List;

/**
 * Texts embedded whole, whatever their length: windows of the model's maximum length sharing an eighth of their
 * tokens, averaged by token count and re-normalized ({@link LongTextPolicy#CHUNK}). What the framework adapters
 * promise: nothing cut silently. Thread-safe; {@link #close()} closes the embedder only when it opened it.
 *
 * <pre>{@code
 * try (WholeTexts texts = WholeTexts.open("all-minilm-l6-v2")) {
 *     List<DocumentResult> results = texts.embedAll(List.of("a short text", longReport));
 * }
 * }</pre>
 */
public final class WholeTexts implements AutoCloseable {
    private final SentenceEmbedder embedder;
    private final DocumentEmbedder documents;
    private final boolean owned;

    private WholeTexts(SentenceEmbedder embedder, boolean owned) {
        this.embedder = embedder;
        this.documents = new DocumentEmbedder(embedder, LongTextPolicy.CHUNK, DocumentEmbedder.defaultStride(embedder));
        this.owned = owned;
    }

    /** Opens a model by name, folder or jar (null: the default model); closed with this. */
    public static WholeTexts open(String model) {
        SentenceEmbedder.Builder b = SentenceEmbedder.builder();
        if (model != null) {
            b.model(model);
        }
        return new WholeTexts(b.build(), true);
    }

    /** Over an embedder the caller keeps owning. */
    public static WholeTexts over(SentenceEmbedder embedder) {
        return new WholeTexts(embedder, false);
    }

    /** One result per text, in order; each result's tokens count every token the model saw. */
    public List<DocumentResult> embedAll(List<String> texts) {
        return documents.embedAll(texts);
    }

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
