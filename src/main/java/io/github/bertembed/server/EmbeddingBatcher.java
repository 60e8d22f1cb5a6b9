package io.github.bertembed.server;

import io.github.bertembed.Embedding;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.tokenizer.Encoding;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Dynamic batching across concurrent requests, as TEI's router does it: requests arrive tokenized (on their own
 * threads) in a FIFO queue, and one thread, the only caller of the model, takes the oldest requests that fit
 * {@code maxBatchRequests} inputs and {@code maxBatchTokens} padded tokens into one call of
 * {@link SentenceEmbedder#embedEncodings}, which groups them by length into encoder runs. The batch is filled when
 * the model is free, so it holds everything that arrived meanwhile; it waits at most a millisecond for admitted
 * requests still being tokenized, and a tenth of the last batch's model time at most for as many requests as that
 * batch held (clients just answered, coming back). A text's vector is the same bits whatever it was batched with.
 * Requests for token vectors ({@code /embed_all}) go through the same queue and run on the same thread, one
 * request a call.
 */
final class EmbeddingBatcher implements AutoCloseable {
    /** What a request asks of the model. */
    enum Work {
        /** one pooled (not normalized) vector per input */
        POOLED,
        /** every token's contextual vector per input, TEI's {@code /embed_all} */
        TOKEN_VECTORS
    }

    /**
     * A request's answer: pooled vectors or token vectors (the other null), how long it waited for the model, and
     * the model time of the call it ran in.
     */
    record Done(List<Embedding> pooled, List<float[][]> tokenVectors, long queueNanos, long inferenceNanos) {
    }

    private record Job(Work work, List<Encoding> encodings, int longest, long enqueued,
                       CompletableFuture<Done> result) {
    }

    /** How long a batch waits, at most, for requests admitted and still being tokenized. */
    static final long GATHER_NANOS = 1_000_000;
    private static final long GATHER_STEP_NANOS = 50_000;
    private static final long MAX_RETURN_NANOS = 50_000_000;
    private final SentenceEmbedder embedder;
    private final int maxBatchTokens;
    private final int maxBatchRequests;
    private final long gatherNanos;
    private final ServerMetrics metrics;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final Thread worker;
    private final AtomicInteger waiting = new AtomicInteger(); // jobs queued or taken, not yet running
    private final IntSupplier admitted; // requests the server has admitted and not yet answered
    private volatile boolean closing;
    // The worker's own record of its last batch, for gather().
    private int lastBatchRequests;
    private long lastModelNanos;

    EmbeddingBatcher(SentenceEmbedder embedder, int maxBatchTokens, int maxBatchRequests, ServerMetrics metrics,
                     IntSupplier admitted) {
        this(embedder, maxBatchTokens, maxBatchRequests, metrics, admitted, GATHER_NANOS);
    }

    /** @param gatherNanos how long a batch waits, at most, for admitted requests still on their way */
    EmbeddingBatcher(SentenceEmbedder embedder, int maxBatchTokens, int maxBatchRequests, ServerMetrics metrics,
                     IntSupplier admitted, long gatherNanos) {
        this.embedder = embedder;
        this.gatherNanos = gatherNanos;
        this.admitted = admitted;
        this.maxBatchTokens = maxBatchTokens;
        this.maxBatchRequests = maxBatchRequests;
        this.metrics = metrics;
        this.worker = new Thread(this::loop, "bert-embed-batcher");
        worker.setDaemon(true);
        worker.start();
    }

    /** The request's encodings, queued for the model thread; completes when it has run them. */
    CompletableFuture<Done> submit(Work work, List<Encoding> encodings) {
        CompletableFuture<Done> result = new CompletableFuture<>();
        if (encodings.isEmpty()) {
            result.complete(new Done(List.of(), List.of(), 0, 0));
            return result;
        }
        if (closing) {
            result.completeExceptionally(new IllegalStateException("the batcher is closed"));
            return result;
        }
        int longest = 0;
        for (Encoding e : encodings) {
            longest = Math.max(longest, e.length());
        }
        metrics.queueSize.inc(encodings.size());
        queue.add(new Job(work, encodings, longest, System.nanoTime(), result));
        // Counted once it is in the queue: when gather() sees the count, the batch it takes next finds the job.
        waiting.incrementAndGet();
        return result;
    }

    private void loop() {
        while (!(closing && queue.isEmpty())) {
            Job first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // close() interrupts a waiting worker; the loop condition decides
            }
            if (first == null) {
                continue;
            }
            List<Job> batch = new ArrayList<>();
            batch.add(first);
            int count = first.encodings().size();
            if (first.work() == Work.POOLED) {
                gather();
                int longest = first.longest();
                for (Job next = queue.peek(); next != null && next.work() == Work.POOLED; next = queue.peek()) {
                    int c = count + next.encodings().size();
                    int l = Math.max(longest, next.longest());
                    if (c > maxBatchRequests || (long) c * l > maxBatchTokens) {
                        break;
                    }
                    batch.add(queue.poll());
                    count = c;
                    longest = l;
                }
            }
            waiting.addAndGet(-batch.size());
            long started = System.nanoTime();
            run(batch, count);
            lastModelNanos = System.nanoTime() - started;
            lastBatchRequests = batch.size();
        }
    }

    /**
     * Waits before a batch is taken, for two kinds of request:
     * <ul>
     * <li>those the server has admitted that are still on their way to the queue (on the model's own core they are
     * being parsed and tokenized right now), at most {@link #GATHER_NANOS}: a moment lets them join this batch
     * rather than each wait a whole batch for the next (batches of one or two under load otherwise);</li>
     * <li>those about to come back: until as many requests are queued as the last batch held, at most a tenth of
     * that batch's model time (1 to 50 ms). Clients that have just been answered mostly send their next request at
     * once, but only after their answers are written and travel back, so a batch taken at once holds only what
     * came during the last one, and batches split into a large and a small one, each paying the model's per-run
     * cost and padding for fewer texts. Waiting for them keeps batches whole.</li>
     * </ul>
     * A lone client's request finds nothing else admitted and a last batch of one, so it does not wait.
     */
    private void gather() {
        long start = System.nanoTime();
        long deadline = start + gatherNanos;
        long returnDeadline = start + Math.min(MAX_RETURN_NANOS, Math.max(GATHER_NANOS, lastModelNanos / 10));
        int expected = Math.min(lastBatchRequests, maxBatchRequests);
        while (true) {
            long now = System.nanoTime();
            int queued = waiting.get();
            boolean arriving = queued < admitted.getAsInt() && now < deadline;
            boolean returning = queued < expected && now < returnDeadline && !closing;
            if (!arriving && !returning) {
                return;
            }
            LockSupport.parkNanos(GATHER_STEP_NANOS);
        }
    }

    private void run(List<Job> batch, int count) {
        List<Encoding> all = new ArrayList<>(count);
        long now = System.nanoTime();
        long tokens = 0;
        for (Job j : batch) {
            all.addAll(j.encodings());
            for (Encoding e : j.encodings()) {
                tokens += e.realLength();
            }
        }
        metrics.queueSize.dec(count);
        metrics.batchSize.observe(count);
        metrics.batchTokens.observe(tokens);
        try {
            if (batch.get(0).work() == Work.TOKEN_VECTORS) {
                List<float[][]> vectors = new ArrayList<>(all.size());
                for (Encoding e : all) {
                    vectors.add(embedder.tokenVectors(e));
                }
                long inference = System.nanoTime() - now;
                metrics.batchInference.observe(inference / 1e9);
                batch.get(0).result().complete(new Done(null, vectors, now - batch.get(0).enqueued(), inference));
                return;
            }
            List<Embedding> vectors = embedder.embedEncodings(all);
            long inference = System.nanoTime() - now;
            metrics.batchInference.observe(inference / 1e9);
            int k = 0;
            for (Job j : batch) {
                j.result().complete(new Done(vectors.subList(k, k + j.encodings().size()), null,
                        now - j.enqueued(), inference));
                k += j.encodings().size();
            }
        } catch (RuntimeException | Error e) {
            for (Job j : batch) {
                j.result().completeExceptionally(e);
            }
        }
    }

    /** Runs every queued request, then stops the worker. */
    @Override
    public void close() {
        closing = true;
        worker.interrupt();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Job late = queue.poll(); late != null; late = queue.poll()) { // submitted as the worker stopped
            late.result().completeExceptionally(new IllegalStateException("the batcher is closed"));
        }
    }
}
