package io.github.bertembed.search;

import io.github.bertembed.SentenceEmbedder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text queries against a {@link VectorIndex}: each query is embedded by the index's own model (checked by the
 * SHA-256 of its weights), with the query prompt the index recorded, then searched.
 *
 * <pre>{@code
 * try (SemanticSearch search = SemanticSearch.open(Path.of("fortunes-index"))) {
 *     for (Hit h : search.search("a penny saved", 5)) {
 *         System.out.println(h.rank() + " " + h.score() + " " + h.text());
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe; closing it closes the index, and the embedder when it opened it.
 */
public final class SemanticSearch implements AutoCloseable {
    private final VectorIndex index;
    private final SentenceEmbedder embedder;
    private final boolean ownsEmbedder;

    /**
     * Searches {@code index} with queries embedded by {@code embedder}, which must be the index's model.
     *
     * @throws IllegalArgumentException naming both models when they differ
     */
    public SemanticSearch(VectorIndex index, SentenceEmbedder embedder) {
        this(index, embedder, false);
    }

    private SemanticSearch(VectorIndex index, SentenceEmbedder embedder, boolean ownsEmbedder) {
        check(index, embedder);
        this.index = index;
        this.embedder = embedder;
        this.ownsEmbedder = ownsEmbedder;
    }

    /** Opens the index in {@code dir} and its model, found by name as {@code --model} finds it. */
    public static SemanticSearch open(Path dir) throws IOException {
        return open(dir, SentenceEmbedder.builder());
    }

    /**
     * Opens the index in {@code dir} with a model from {@code builder}: its model is the index's unless the builder
     * names one (which must then be the same model, e.g. the same weights in another folder).
     */
    public static SemanticSearch open(Path dir, SentenceEmbedder.Builder builder) throws IOException {
        VectorIndex index = VectorIndex.open(dir);
        SentenceEmbedder embedder = null;
        try {
            embedder = builder.defaultModel(index.manifest().model()).build();
            return new SemanticSearch(index, embedder, true);
        } catch (RuntimeException e) {
            if (embedder != null) {
                embedder.close();
            }
            index.close();
            throw e;
        }
    }

    /** Refuses a model other than the one whose vectors the index holds, or one that normalizes otherwise. */
    static void check(VectorIndex index, SentenceEmbedder e) {
        index.requireModel(e.location().name(), e.modelSha256(), e.dimension());
        IndexManifest m = index.manifest();
        if (e.normalizes() != m.normalized()) {
            throw new IllegalArgumentException("index " + index.folder() + " holds" + (m.normalized() ? "" : " un")
                    + "normalized vectors, but " + e.location().name() + " gives" + (e.normalizes() ? "" : " un")
                    + "normalized ones");
        }
    }

    public VectorIndex index() {
        return index;
    }

    public SentenceEmbedder embedder() {
        return embedder;
    }

    /** The query's vector: the index's query prompt, then the text. */
    public float[] queryVector(String query) {
        return embedder.embed(index.manifest().queryPrompt() + query);
    }

    public List<Hit> search(String query, int k) {
        return search(List.of(query), SearchOptions.top(k)).get(0);
    }

    /** Each query's nearest records, best first: the queries are embedded in one batch and searched together. */
    public List<List<Hit>> search(List<String> queries, SearchOptions options) {
        List<String> prompted = new ArrayList<>(queries.size());
        for (String q : queries) {
            prompted.add(index.manifest().queryPrompt() + q);
        }
        return index.searchAll(embedder.embedAll(prompted), options);
    }

    /** Embeds a document (with the index's document prompt) and adds it; searchable after the index's commit. */
    public void add(Object id, String text) {
        index.add(id, text, embedder.embed(index.manifest().documentPrompt() + text));
    }

    @Override
    public void close() throws IOException {
        try {
            index.close();
        } finally {
            if (ownsEmbedder) {
                embedder.close();
            }
        }
    }
}
