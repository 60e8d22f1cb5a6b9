package io.github.bertembed;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Where an embedder's time goes, summed over threads (see {@link SentenceEmbedder.StageTimes}). */
final class StageClock {
    final LongAdder tokenizeNanos = new LongAdder();
    final LongAdder inputEmbeddingsNanos = new LongAdder();
    final LongAdder encoderNanos = new LongAdder();
    final LongAdder poolingNanos = new LongAdder();
    final LongAdder encoderRuns = new LongAdder();
    final LongAdder paddedTokens = new LongAdder();
    final LongAdder paddedTokenSeq = new LongAdder();

    /** One encoder run of {@code texts} × {@code seq} padded tokens and its three stages' times. */
    void run(int texts, int seq, long inputEmbeddings, long encoder, long pooling) {
        inputEmbeddingsNanos.add(inputEmbeddings);
        encoderNanos.add(encoder);
        poolingNanos.add(pooling);
        encoderRuns.increment();
        paddedTokens.add((long) texts * seq);
        paddedTokenSeq.add((long) texts * seq * seq);
    }

    SentenceEmbedder.StageTimes read() {
        return new SentenceEmbedder.StageTimes(tokenizeNanos.sum(), inputEmbeddingsNanos.sum(), encoderNanos.sum(),
                poolingNanos.sum(), encoderRuns.sum(), paddedTokens.sum(), paddedTokenSeq.sum());
    }

    void reset() {
        for (LongAdder a : List.of(tokenizeNanos, inputEmbeddingsNanos, encoderNanos, poolingNanos, encoderRuns,
                paddedTokens, paddedTokenSeq)) {
            a.reset();
        }
    }
}
