package io.github.bertembed.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Copies a model found in a jar (its {@code .onnx} and tokenizer resources) into a cache folder, once, so that it
 * can be used like any model folder. The folder is named by the SHA-256 of the resources' content and checked
 * against it on every load; a copy is written into a temporary folder and renamed into place in one step, so
 * two JVMs that start together both end with a complete, verified copy, and a damaged copy is replaced.
 *
 * <p>The copies go into the {@code models/} folder of the first writable {@link CacheRoot}.
 *
 * <pre>{@code
 * Path folder = new ModelCache(CacheRoot.folders(null, CacheRoot.Kind.MODELS)).copy("e5-small-v2", onnxUrl,
 *         tokenizerUrl, origin);
 * }</pre>
 */
final class ModelCache {
    /** Written into each copied folder: the model's name, where it came from, the content hash. */
    static final String MARKER = "bert-embed-model.properties";
    static final String MODEL_FILE = "model.onnx";
    static final String TOKENIZER_FILE = "tokenizer.json";

    private final List<Path> folders;

    /** @param folders the {@link CacheRoot.Kind#MODELS} folders, in the order tried */
    ModelCache(List<Path> folders) {
        this.folders = List.copyOf(folders);
    }

    /**
     * The verified cache folder holding {@code model.onnx} and {@code tokenizer.json} copied from the two
     * resources, copying them first when no intact copy exists.
     *
     * @param origin names the resources in errors (jar and entry)
     * @throws IllegalArgumentException when a resource cannot be read (a truncated or corrupt jar entry)
     * @throws UncheckedIOException     when no cache root is writable, naming each one tried
     */
    Path copy(String name, URL onnx, URL tokenizer, String origin) {
        String sha = contentHash(onnx, tokenizer, origin);
        String folderName = name + "-" + sha.substring(0, 32);
        List<String> failures = new ArrayList<>();
        for (Path models : folders) {
            Path folder = models.resolve(folderName);
            try {
                if (isIntact(folder, sha)) {
                    return folder;
                }
                return copyInto(models, folder, name, onnx, tokenizer, origin, sha);
            } catch (IOException | UncheckedIOException e) {
                // unwritable (read-only, full, not a folder): try the next root
                failures.add(models + " (" + e.getMessage() + ")");
            }
        }
        throw new UncheckedIOException(new IOException("cannot copy model '" + name + "' from " + origin
                + " into a cache folder; tried " + failures + ". Set " + CacheRoot.ENVIRONMENT_VARIABLE
                + " (or -D" + CacheRoot.SYSTEM_PROPERTY + ") to a writable folder"));
    }

    private static Path copyInto(Path models, Path folder, String name, URL onnx, URL tokenizer, String origin,
                                 String sha) throws IOException {
        Files.createDirectories(models);
        Path tmp = Files.createTempDirectory(models, ".copy-");
        try {
            MessageDigest onnxDigest = sha256();
            MessageDigest tokenizerDigest = sha256();
            copyResource(onnx, tmp.resolve(MODEL_FILE), onnxDigest, origin);
            copyResource(tokenizer, tmp.resolve(TOKENIZER_FILE), tokenizerDigest, origin);
            if (!sha.equals(combine(onnxDigest, tokenizerDigest))) {
                throw new IllegalArgumentException(origin + " changed while it was being copied");
            }
            Files.writeString(tmp.resolve(MARKER), "name=" + name + "\norigin=" + origin.replace("\\", "\\\\")
                    + "\nsha256=" + sha + "\n", StandardCharsets.UTF_8);
            for (int attempt = 0; ; attempt++) {
                try {
                    // A folder rename is atomic: other JVMs see no folder or a complete one.
                    Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
                    return folder;
                } catch (IOException e) {
                    // Linux reports a non-empty target as a plain FileSystemException ("Directory not empty").
                    if (!Files.isDirectory(folder)) {
                        throw e;
                    }
                    if (isIntact(folder, sha)) {
                        return folder; // another JVM finished first
                    }
                    if (attempt > 0) {
                        throw e;
                    }
                    // A damaged copy: move it aside in one step (a reader never sees half of it), then delete it.
                    Path stale = Files.createTempDirectory(models, ".stale-");
                    Files.move(folder, stale.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
                    deleteTree(stale);
                }
            }
        } finally {
            deleteTree(tmp);
        }
    }

    /** Whether a copied folder holds both files and their content matches the hash its name was made from. */
    static boolean isIntact(Path folder, String sha) throws IOException {
        Path model = folder.resolve(MODEL_FILE);
        Path tok = folder.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(model) || !Files.isRegularFile(tok)) {
            return false;
        }
        MessageDigest m = sha256();
        MessageDigest t = sha256();
        try (InputStream a = Files.newInputStream(model); InputStream b = Files.newInputStream(tok)) {
            digest(a, m);
            digest(b, t);
        }
        return sha.equals(combine(m, t));
    }

    private static String contentHash(URL onnx, URL tokenizer, String origin) {
        MessageDigest m = sha256();
        MessageDigest t = sha256();
        stream(onnx, m, null, origin);
        stream(tokenizer, t, null, origin);
        return combine(m, t);
    }

    private static void copyResource(URL url, Path target, MessageDigest digest, String origin) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            stream(url, digest, out, origin);
        }
    }

    /**
     * Reads a resource into a digest (and a file, when {@code out} is given). A jar entry is also checked against
     * the size and CRC-32 its jar records, which the JDK's jar streams do not check: a damaged jar fails here,
     * naming the jar and entry, instead of yielding a model with altered weights.
     */
    private static void stream(URL url, MessageDigest digest, OutputStream out, String origin) {
        long expectedSize = -1;
        long expectedCrc = -1;
        long size = 0;
        CRC32 crc = new CRC32();
        try {
            URLConnection connection = url.openConnection();
            if (connection instanceof JarURLConnection jar && jar.getJarEntry() != null) {
                expectedSize = jar.getJarEntry().getSize();
                expectedCrc = jar.getJarEntry().getCrc();
            }
            try (InputStream in = connection.getInputStream()) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, n);
                    crc.update(buf, 0, n);
                    size += n;
                    if (out != null) {
                        writeTo(out, buf, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + url + " (model " + origin + "): " + e
                    + "; the jar is truncated or corrupt: download it again", e);
        }
        if ((expectedSize >= 0 && size != expectedSize) || (expectedCrc >= 0 && crc.getValue() != expectedCrc)) {
            throw new IllegalArgumentException("cannot read " + url + " (model " + origin + "): the entry's content ("
                    + size + " bytes, CRC " + Long.toHexString(crc.getValue()) + ") does not match what the jar records ("
                    + expectedSize + " bytes, CRC " + Long.toHexString(expectedCrc) + "); the jar is corrupt: download"
                    + " it again");
        }
    }

    private static void writeTo(OutputStream out, byte[] buf, int n) {
        try {
            out.write(buf, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the cache folder, not the resource: the caller tries the next root
        }
    }

    private static void digest(InputStream in, MessageDigest digest) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            digest.update(buf, 0, n);
        }
    }

    /** One hash for the pair: SHA-256 over the two files' SHA-256 digests. */
    private static String combine(MessageDigest onnx, MessageDigest tokenizer) {
        MessageDigest both = sha256();
        both.update(onnx.digest());
        both.update(tokenizer.digest());
        return HexFormat.of().formatHex(both.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
