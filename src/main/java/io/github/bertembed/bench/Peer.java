package io.github.bertembed.bench;

import java.util.List;

/** Something that turns texts into vectors: us, or a peer measured beside us. */
public interface Peer extends AutoCloseable {
    String name();

    float[] embed(String text);

    List<float[]> embedAll(List<String> texts);

    @Override
    default void close() throws Exception {
    }
}
