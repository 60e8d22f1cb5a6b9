package io.github.bertembed.spark;

import io.github.bertembed.SentenceEmbedder;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-JVM cache of embedders on a Spark executor (a documented per-JVM cache, the one piece of static state of
 * this package): one {@link SentenceEmbedder} per {@link EmbedderSpec}, created by the first task that needs it,
 * shared by every later task in this JVM (an embedder is thread-safe), closed when the JVM exits. The model is
 * loaded and its encoder graph cut once per executor, not once per task or partition.
 */
public final class ExecutorEmbedderCache {
    private static final Map<EmbedderSpec, SentenceEmbedder> EMBEDDERS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorEmbedderCache::closeAll, "bert-embed-close"));
    }

    private ExecutorEmbedderCache() {
    }

    /** This JVM's embedder for {@code spec}, built on first use (concurrent first uses build it once). */
    public static SentenceEmbedder get(EmbedderSpec spec) {
        return EMBEDDERS.computeIfAbsent(spec, EmbedderSpec::build);
    }

    /** Embedders open in this JVM. */
    public static int size() {
        return EMBEDDERS.size();
    }

    /** Closes every cached embedder (the shutdown hook; tests that want their native memory back). */
    public static synchronized void closeAll() {
        for (SentenceEmbedder e : EMBEDDERS.values()) {
            e.close();
        }
        EMBEDDERS.clear();
    }
}
