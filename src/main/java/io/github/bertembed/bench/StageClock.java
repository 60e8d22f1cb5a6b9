package io.github.bertembed.bench;

import io.github.bertembed.StageListener;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where an embedder's time goes, summed over threads: tokenization, the input embedding layer, the encoder,
 * pooling; and the encoder's work: padded tokens and Σ batch × seq² (for attention FLOPs).
 *
 * <pre>{@code
 * StageClock clock = new StageClock();
 * SentenceEmbedder e = SentenceEmbedder.builder().stageListener(clock).build();
 * }</pre>
 */
final class StageClock implements StageListener {
    private final LongAdder tokenizeNanos = new LongAdder();
    private final LongAdder inputEmbeddingsNanos = new LongAdder();
    private final LongAdder encoderNanos = new LongAdder();
    private final LongAdder poolingNanos = new LongAdder();
    private final LongAdder paddedTokens = new LongAdder();
    private final LongAdder paddedTokenSeq = new LongAdder();

    /** The sums since the last {@link #reset()}. */
    record Times(long tokenizeNanos, long inputEmbeddingsNanos, long encoderNanos, long poolingNanos,
                 long paddedTokens, long paddedTokenSeq) {
        /** The Java-side share: tokenize + input embeddings + pooling over all four stages. */
        double javaShare() {
            double java = tokenizeNanos + inputEmbeddingsNanos + poolingNanos;
            return java / (java + encoderNanos);
        }
    }

    @Override
    public void tokenized(int texts, long nanos) {
        tokenizeNanos.add(nanos);
    }

    @Override
    public void encoderRun(EncoderRun run) {
        inputEmbeddingsNanos.add(run.inputEmbeddingsNanos());
        encoderNanos.add(run.encoderNanos());
        poolingNanos.add(run.poolingNanos());
        long padded = (long) run.texts() * run.paddedLength();
        paddedTokens.add(padded);
        paddedTokenSeq.add(padded * run.paddedLength());
    }

    Times read() {
        return new Times(tokenizeNanos.sum(), inputEmbeddingsNanos.sum(), encoderNanos.sum(), poolingNanos.sum(),
                paddedTokens.sum(), paddedTokenSeq.sum());
    }

    void reset() {
        for (LongAdder a : List.of(tokenizeNanos, inputEmbeddingsNanos, encoderNanos, poolingNanos, paddedTokens,
                paddedTokenSeq)) {
            a.reset();
        }
    }
}
