package io.github.bertembed.bench;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.batch.DocumentEmbedder;
import io.github.bertembed.LongTextPolicy;

import java.util.ArrayList;
import java.util.List;

/** bert-embed as the {@code embed --input} path runs it: {@link DocumentEmbedder} over a {@link SentenceEmbedder}. */
public final class BertEmbedPeer implements Peer {
    public static final String NAME = "bert-embed";
    private final SentenceEmbedder embedder;
    private final DocumentEmbedder documents;
    private final LongTextPolicy policy;
    private long lastTokens;

    public BertEmbedPeer(SentenceEmbedder embedder, LongTextPolicy policy) {
        this.embedder = embedder;
        this.policy = policy;
        this.documents = new DocumentEmbedder(embedder, policy, DocumentEmbedder.defaultStride(embedder));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String setting() {
        return "DocumentEmbedder, " + policy.name().toLowerCase();
    }

    @Override
    public int batchSize() {
        return embedder.batchSize();
    }

    @Override
    public float[] embed(String text) {
        return embedder.embed(text);
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        long[] tokens = {0};
        documents.embed(texts.iterator(), r -> {
            out.add(r.vector());
            tokens[0] += r.tokens();
        });
        lastTokens = tokens[0];
        return out;
    }

    @Override
    public long lastTokens() {
        return lastTokens;
    }

    @Override
    public int tokens(String text) {
        return embedder.tokenizer().encode(text).length();
    }

    @Override
    public void close() {
        embedder.close();
    }
}
