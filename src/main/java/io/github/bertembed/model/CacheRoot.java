package io.github.bertembed.model;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place every bert-embed cache lives: models copied out of jars ({@code models/}), cut encoder graphs
 * ({@code encoders/}) and Spark executors' local copies of remote models ({@code spark/}), each a folder under the
 * cache root. The roots, tried in order until one is writable:
 * <ol>
 *   <li>the folder the caller gives (the builder's {@code cache(Path)});</li>
 *   <li>{@code $BERT_EMBED_CACHE}, then {@code -Dbertembed.cache};</li>
 *   <li>{@code $XDG_CACHE_HOME/bert-embed}, else {@code ~/.cache/bert-embed};</li>
 *   <li>{@code <java.io.tmpdir>/bert-embed-<user>} (read-only homes: containers, Spark executors).</li>
 * </ol>
 *
 * <pre>{@code
 * List<Path> encoders = CacheRoot.folders(null, CacheRoot.Kind.ENCODERS); // ~/.cache/bert-embed/encoders, ...
 * }</pre>
 */
public final class CacheRoot {
    /** Environment variable naming the cache root. */
    public static final String ENVIRONMENT_VARIABLE = "BERT_EMBED_CACHE";
    /** System property naming the cache root. */
    public static final String SYSTEM_PROPERTY = "bertembed.cache";

    /** What a cache folder holds; each kind has its own folder under the root. */
    public enum Kind {
        MODELS("models"), ENCODERS("encoders"), SPARK("spark"), JARS("jars");

        private final String folder;

        Kind(String folder) {
            this.folder = folder;
        }
    }

    private CacheRoot() {
    }

    /** The cache roots in the order tried, {@code first} (may be null) before the defaults. */
    public static List<Path> roots(Path first) {
        Set<Path> roots = new LinkedHashSet<>(ConfiguredFolders.of(first, ENVIRONMENT_VARIABLE, SYSTEM_PROPERTY));
        String xdg = System.getenv("XDG_CACHE_HOME");
        String home = System.getProperty("user.home");
        if (xdg != null && !xdg.isBlank()) {
            roots.add(Path.of(xdg, "bert-embed"));
        } else if (home != null && !home.isBlank()) {
            roots.add(Path.of(home, ".cache", "bert-embed"));
        }
        roots.add(Path.of(System.getProperty("java.io.tmpdir"),
                "bert-embed-" + System.getProperty("user.name", "user")));
        return roots.stream().map(r -> r.toAbsolutePath().normalize()).distinct().toList();
    }

    /** The folders for one kind of cached file, in the order tried. */
    public static List<Path> folders(Path first, Kind kind) {
        return roots(first).stream().map(r -> r.resolve(kind.folder)).toList();
    }
}
