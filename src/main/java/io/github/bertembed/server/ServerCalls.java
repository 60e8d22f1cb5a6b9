package io.github.bertembed.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Small pieces the routes share. */
final class ServerCalls {
    private ServerCalls() {
    }

    /** The batcher's result for a request thread; a model failure becomes TEI's 500 "Backend" error. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "Unhealthy", "interrupted while waiting for the model", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ApiError a) {
                throw a;
            }
            if (cause instanceof IllegalArgumentException) {
                throw ApiError.validation(cause.getMessage(), null);
            }
            throw new ApiError(500, "Backend", "the model failed: " + cause, null);
        }
    }

    /** This build's version: the jar manifest's, else (run from classes) the project's current version. */
    static String version() {
        String v = ServerCalls.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
