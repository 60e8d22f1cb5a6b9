package io.github.bertembed.spark;

import io.github.bertembed.model.CacheRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SparkEnv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Models given as a Hadoop FileSystem URI ({@code hdfs://}, {@code s3a://}, {@code file://}, any scheme Hadoop has
 * a FileSystem for), copied to local disk once per executor JVM, since onnxruntime reads a local file.
 *
 * <p>The copy goes to {@code <cache root>/spark/<digest>/<name>} (the first writable {@link CacheRoot}), the digest
 * naming the URI and the
 * files' sizes and modification times, so a replaced model is copied again and two executors on one machine
 * share a finished copy: each writes a private folder and renames it into place, so no reader sees half a
 * model. Hadoop settings are those of the Spark application ({@code spark.hadoop.*}), as Spark's own readers use.
 */
final class LocalModelCopies {
    private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    /** URI → local path, per JVM (part of the documented executor cache). */
    private static final Map<String, String> COPIES = new ConcurrentHashMap<>();

    private LocalModelCopies() {
    }

    /** {@code model} itself when it is a name or a local path; the local copy's path when it is a URI. */
    static String localModel(String model) {
        if (!URI_SCHEME.matcher(model).matches()) {
            return model;
        }
        return COPIES.computeIfAbsent(model, LocalModelCopies::copy);
    }

    private static String copy(String uri) {
        Configuration conf = hadoopConfiguration();
        // "file:///models/x/" names the folder x: Hadoop's getName() of a trailing slash is empty.
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(URI.create(uri.replaceAll("(?<!/)/+$", "")));
        try {
            FileSystem fs = source.getFileSystem(conf);
            if (!fs.exists(source)) {
                throw new IllegalArgumentException("model " + uri + " does not exist");
            }
            Path root = writableFolder();
            String name = source.getName();
            // The copy keeps its name (a folder named for a known model gets that model's settings) inside a folder
            // named for its digest.
            Path home = root.resolve(digest(uri, fs, source));
            Path target = home.resolve(name.isEmpty() ? "model" : name);
            if (Files.exists(target)) {
                return target.toString();
            }
            Files.createDirectories(home);
            Path partial = Files.createTempDirectory(home, ".partial-");
            Path copied = partial.resolve(target.getFileName().toString());
            fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(copied.toUri()), true);
            try {
                Files.move(copied, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // Another executor on this machine finished first; its copy is the same files.
                if (!Files.exists(target)) {
                    throw e;
                }
            } catch (IOException e) {
                if (!Files.exists(target)) { // a non-empty target folder reads as DirectoryNotEmptyException
                    throw e;
                }
            }
            deleteTree(partial);
            return target.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("copying model " + uri + " to local disk: " + e.getMessage(), e);
        }
    }

    /** The first {@link CacheRoot.Kind#SPARK} folder that can be created. */
    private static Path writableFolder() throws IOException {
        IOException last = null;
        for (Path folder : CacheRoot.folders(null, CacheRoot.Kind.SPARK)) {
            try {
                return Files.createDirectories(folder);
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("no writable cache folder; set " + CacheRoot.ENVIRONMENT_VARIABLE, last);
    }

    /** The application's Hadoop settings on an executor or driver; defaults outside Spark. */
    private static Configuration hadoopConfiguration() {
        Configuration conf = new Configuration();
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            for (scala.Tuple2<String, String> kv : env.conf().getAll()) {
                if (kv._1().startsWith("spark.hadoop.")) {
                    conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
                }
            }
        }
        return conf;
    }

    private static String digest(String uri, FileSystem fs, org.apache.hadoop.fs.Path source) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(uri.getBytes(StandardCharsets.UTF_8));
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(source, true);
            while (files.hasNext()) {
                LocatedFileStatus f = files.next();
                md.update((f.getPath().getName() + "\0" + f.getLen() + "\0" + f.getModificationTime() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
