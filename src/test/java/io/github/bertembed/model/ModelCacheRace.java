package io.github.bertembed.model;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.TinyBertModel;

import java.nio.file.Path;

/** A child JVM of {@link ModelsTest}: copies a model out of a jar into a shared cache and prints the folder. */
public final class ModelCacheRace {
    private ModelCacheRace() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        try (var loader = ModelJars.loader(jar)) {
            ModelLocation where = Models.fromClasspath(args[1], loader, Path.of(args[2]));
            System.out.println(where.folder());
        }
    }
}
