package io.github.bertembed;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where models live. A model is a folder with {@code model.onnx} and {@code tokenizer.json} (or {@code vocab.txt});
 * the build unpacks the three known ones into {@code onnx-models/<name>/}. A name resolves from any working
 * directory; the folders searched, in order:
 * <ol>
 *   <li>the folder given by the caller (the CLI's {@code --models-dir});</li>
 *   <li>the {@code BERT_EMBED_MODELS} environment variable, then the {@code bertembed.models} system property;</li>
 *   <li>{@code onnx-models/} in the working directory;</li>
 *   <li>{@code onnx-models/} beside the jar, or one level above it (the jar sits in {@code target/}).</li>
 * </ol>
 *
 * <pre>{@code
 * Path folder = Models.resolve("all-minilm-l6-v2");   // .../onnx-models/all-minilm-l6-v2
 * Path same = Models.resolve("/data/my-bert");        // any folder works too
 * }</pre>
 */
public final class Models {
    /** The model used when none is named. */
    public static final String DEFAULT = "all-minilm-l6-v2";
    /** The models the build provides. */
    public static final List<String> KNOWN = List.of("all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-zh-v1.5");
    /** Environment variable naming a models folder. */
    public static final String ENVIRONMENT_VARIABLE = "BERT_EMBED_MODELS";
    /** System property naming a models folder. */
    public static final String SYSTEM_PROPERTY = "bertembed.models";

    private Models() {
    }

    /** Resolves a model name or folder using the default search path. */
    public static Path resolve(String nameOrFolder) {
        return resolve(nameOrFolder, null);
    }

    /**
     * Resolves a model name or folder.
     *
     * @param modelsDir a folder to search first, or null
     * @throws IllegalArgumentException naming the known models and the folders searched, when nothing matches
     */
    public static Path resolve(String nameOrFolder, Path modelsDir) {
        String name = nameOrFolder == null || nameOrFolder.isBlank() ? DEFAULT : nameOrFolder;
        Path asPath = Path.of(name);
        if (Files.isDirectory(asPath)) {
            return asPath.toAbsolutePath().normalize();
        }
        List<Path> searched = searchPath(modelsDir);
        for (Path dir : searched) {
            Path candidate = dir.resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("model folder not found: " + asPath.toAbsolutePath());
        }
        throw new IllegalArgumentException("unknown model '" + name + "': known names are " + KNOWN
                + " (built by 'mvn package' into onnx-models/); looked in " + searched
                + "; or give a folder holding model.onnx and tokenizer.json");
    }

    /** The tokenizer file of a model folder: tokenizer.json, else vocab.txt. */
    public static Path tokenizerFile(Path folder) {
        Path json = folder.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return json;
        }
        Path vocab = folder.resolve("vocab.txt");
        if (Files.isRegularFile(vocab)) {
            return vocab;
        }
        throw new IllegalArgumentException("model folder " + folder + " has neither tokenizer.json nor vocab.txt"
                + (isEmpty(folder) ? " (the folder is empty)" : ""));
    }

    /** The folders searched for model names, in order. */
    public static List<Path> searchPath(Path modelsDir) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (modelsDir != null) {
            dirs.add(modelsDir);
        }
        String env = System.getenv(ENVIRONMENT_VARIABLE);
        if (env != null && !env.isBlank()) {
            dirs.add(Path.of(env));
        }
        String prop = System.getProperty(SYSTEM_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            dirs.add(Path.of(prop));
        }
        dirs.add(Path.of("onnx-models"));
        Path jarDir = jarDirectory();
        if (jarDir != null) {
            dirs.add(jarDir.resolve("onnx-models"));
            if (jarDir.getParent() != null) {
                dirs.add(jarDir.getParent().resolve("onnx-models"));
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            Path abs = d.toAbsolutePath().normalize();
            if (!out.contains(abs)) {
                out.add(abs);
            }
        }
        return out;
    }

    private static Path jarDirectory() {
        try {
            var source = Models.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return null;
            }
            Path location = Path.of(source.getLocation().toURI());
            return Files.isDirectory(location) ? location : location.getParent();
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    static boolean isEmpty(Path folder) {
        try (var s = Files.list(folder)) {
            return s.findAny().isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
