package io.github.bertembed;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Threads for dynamically quantized models, whose texts run one per encoder run (each run's activation scale must
 * not depend on other texts): {@code parallelism} contiguous slices of the texts side by side, one onnxruntime
 * thread each, so threads never multiply. Daemon threads, stopped by {@link #close()}.
 */
final class TextWorkers implements AutoCloseable {
    private final int parallelism;
    private final ExecutorService pool;

    TextWorkers(int parallelism) {
        this.parallelism = parallelism;
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "bert-embed-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code body} for every index in [0, n), slice by slice in parallel; rethrows the first failure. */
    void forEach(int n, IntConsumer body) {
        List<Future<?>> futures = new ArrayList<>();
        int slice = (n + parallelism - 1) / parallelism;
        for (int from = 0; from < n; from += slice) {
            int start = from;
            int end = Math.min(n, from + slice);
            futures.add(pool.submit(() -> {
                for (int i = start; i < end; i++) {
                    body.accept(i);
                }
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while embedding", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
