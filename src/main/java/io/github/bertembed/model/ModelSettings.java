package io.github.bertembed.model;

import io.github.bertembed.pooling.Pooling;

/**
 * A model's pooling, normalization and maximum length, each with where it came from: the caller, the folder's
 * sentence-transformers files, the known model's published settings ({@link KnownModel}), or the default. The
 * earlier source wins, in that order.
 *
 * <pre>{@code
 * ModelSettings s = embedder.settings();
 * s.pooling() + " from " + s.poolingSource();   // "CLS from known model bge-small-zh-v1.5"
 * }</pre>
 *
 * @param pooling         how token vectors become one vector
 * @param poolingSource   where {@code pooling} came from
 * @param normalize       whether vectors are L2-normalized
 * @param normalizeSource where {@code normalize} came from
 * @param maxLength       the most tokens per text (window), special tokens included
 * @param maxLengthSource where {@code maxLength} came from
 */
public record ModelSettings(Pooling pooling, String poolingSource, boolean normalize, String normalizeSource,
                            int maxLength, String maxLengthSource) {
    static final String CALLER = "set by the caller";

    /**
     * Decides each setting.
     *
     * @param pooling   the caller's choice, or null
     * @param normalize the caller's choice, or null
     * @param maxLength the caller's choice, or null
     * @param st        the folder's sentence-transformers files
     * @param known     the known model, or null
     * @param positions the model's position table size: the longest possible sequence
     */
    public static ModelSettings decide(Pooling pooling, Boolean normalize, Integer maxLength, SentenceTransformersConfig st,
                                KnownModel known, int positions) {
        if (st.moduleProblem() != null) {
            throw new IllegalArgumentException(st.moduleProblem());
        }
        if (pooling == null && st.poolingProblem() != null) {
            throw new IllegalArgumentException(st.poolingProblem());
        }
        String knownSource = known == null ? null : "known model " + known.name();
        Choice<Pooling> p = first(pooling, st.pooling(), SentenceTransformersConfig.POOLING_FILE,
                known == null ? null : known.pooling(), knownSource,
                Pooling.MEAN, "default (no sentence-transformers pooling config)");
        Choice<Boolean> n = first(normalize, st.normalize(), SentenceTransformersConfig.MODULES_FILE,
                known == null ? null : known.normalize(), knownSource, true, "default");
        Choice<Integer> m = first(maxLength, st.maxSeqLength(), SentenceTransformersConfig.CONFIG_FILE,
                known == null ? null : known.maxLength(), knownSource, positions, "the model's position table");
        if (m.value() > positions) {
            throw new IllegalArgumentException("max length " + m.value() + " (" + m.source() + ") exceeds the model's"
                    + " position table (" + positions + ")");
        }
        return new ModelSettings(p.value(), p.source(), n.value(), n.source(), m.value(), m.source());
    }

    private record Choice<T>(T value, String source) {
    }

    /** The first value that is set, in the order of precedence, with its source. */
    private static <T> Choice<T> first(T caller, T folder, String folderSource, T known, String knownSource,
                                       T fallback, String fallbackSource) {
        if (caller != null) {
            return new Choice<>(caller, CALLER);
        }
        if (folder != null) {
            return new Choice<>(folder, folderSource);
        }
        if (known != null) {
            return new Choice<>(known, knownSource);
        }
        return new Choice<>(fallback, fallbackSource);
    }
}
