package io.github.bertembed.onnx;

/**
 * How the encoder's onnxruntime session runs.
 *
 * @param intraOpThreads    threads onnxruntime uses inside one run (0: the number of cores)
 * @param optimizationLevel onnxruntime graph optimization: {@code none}, {@code basic}, {@code extended}, {@code all}
 * @param executionProvider {@code cpu}, or {@code cuda} (needs the onnxruntime_gpu artifact: the {@code cuda} profile)
 */
public record SessionOptions(int intraOpThreads, String optimizationLevel, String executionProvider) {

    /** All cores, full graph optimization, CPU. */
    public static SessionOptions defaults() {
        return new SessionOptions(0, "all", "cpu");
    }

    public SessionOptions withIntraOpThreads(int threads) {
        return new SessionOptions(threads, optimizationLevel, executionProvider);
    }

    /** The thread count to use: the configured one, or the number of cores. */
    public int effectiveIntraOpThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
}
