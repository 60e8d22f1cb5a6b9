package io.github.bertembed.model;

/**
 * Told how a model download advances, so a terminal can draw a bar (the CLI does) and a service can log. Called
 * from the downloading thread.
 *
 * <pre>{@code
 * SentenceEmbedder.builder().model("BAAI/bge-small-en-v1.5")
 *         .downloadProgress(new DownloadProgress() {
 *             public void started(String file, long bytes) { log.info("fetching {} ({} bytes)", file, bytes); }
 *         })
 *         .build();
 * }</pre>
 */
public interface DownloadProgress {
    /** Nobody listens. */
    DownloadProgress NONE = new DownloadProgress() {
    };

    /**
     * A file starts (again, after a broken connection): its name and size in bytes (-1 when the server did not
     * say). A resumed file then reports the bytes already on disk as advanced.
     */
    default void started(String file, long bytes) {
    }

    /** {@code bytes} more arrived. */
    default void advanced(long bytes) {
    }

    /** The file is complete, verified and in place (or the download failed). */
    default void finished() {
    }
}
