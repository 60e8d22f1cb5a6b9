package io.github.bertembed.search;

/**
 * How a search runs.
 *
 * <pre>{@code
 * index.search(query, SearchOptions.top(10).withRescore(4));
 * }</pre>
 *
 * @param k       results per query
 * @param method  which vectors are searched (default {@link SearchMethod#AUTO})
 * @param rescore quantized search: fetch {@code k × rescore} candidates and rescore them with the float query
 *                (0: no rescoring, quantized scores); default 4, as sentence-transformers' rescore_multiplier
 * @param against what quantized candidates are rescored against: the float32 vectors (default; read from disk for
 *                the candidates only) or the codes themselves, as sentence-transformers does
 * @param ef      HNSW: candidates taken from the graph before the exact rescoring (at least k; default 100)
 * @param binary  how binary codes are scored before rescoring: against the float query (default) or by Hamming
 *                distance to the query's own sign bits, as sentence-transformers does
 */
public record SearchOptions(int k, SearchMethod method, int rescore, RescoreTarget against, int ef,
                            BinaryScore binary) {
    public SearchOptions {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        if (rescore < 0) {
            throw new IllegalArgumentException("the rescore multiplier must be 0 (none) or more, got " + rescore);
        }
        if (ef < 1) {
            throw new IllegalArgumentException("ef must be at least 1, got " + ef);
        }
    }

    /** The top {@code k}, with the defaults. */
    public static SearchOptions top(int k) {
        return new SearchOptions(k, SearchMethod.AUTO, 4, RescoreTarget.FLOAT32, 100, BinaryScore.FLOAT_QUERY);
    }

    public SearchOptions withMethod(SearchMethod m) {
        return new SearchOptions(k, m, rescore, against, ef, binary);
    }

    public SearchOptions withRescore(int multiplier) {
        return new SearchOptions(k, method, multiplier, against, ef, binary);
    }

    public SearchOptions withRescoreAgainst(RescoreTarget target) {
        return new SearchOptions(k, method, rescore, target, ef, binary);
    }

    public SearchOptions withEf(int candidates) {
        return new SearchOptions(k, method, rescore, against, candidates, binary);
    }

    public SearchOptions withBinaryScore(BinaryScore score) {
        return new SearchOptions(k, method, rescore, against, ef, score);
    }

    /** Which vectors a search scores. */
    public enum SearchMethod {
        /** The HNSW graph if the index keeps one, else its quantized codes if it has them, else exact. */
        AUTO,
        /** Every float32 vector, exactly. */
        EXACT,
        /** The int8 or binary codes, then rescoring. */
        QUANTIZED,
        /** The Lucene HNSW graph's candidates, rescored exactly. */
        HNSW
    }

    /** How binary codes are scored against a query. */
    public enum BinaryScore {
        /**
         * The float query's dot product with the row's signs (+1 a set bit, −1 a clear one): the query keeps its
         * magnitudes, which finds far more of the true neighbours among the candidates.
         */
        FLOAT_QUERY,
        /** Minus the Hamming distance between the query's sign bits and the row's, as sentence-transformers does. */
        HAMMING
    }

    /** What quantized candidates are rescored against. */
    public enum RescoreTarget {
        /** The float32 vectors: the exact score of each candidate. */
        FLOAT32,
        /** The codes as numbers (int8 values, or 0/1 bits), as sentence-transformers' semantic_search_* does. */
        QUANTIZED
    }
}
