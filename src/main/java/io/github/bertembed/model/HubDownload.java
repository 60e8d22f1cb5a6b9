package io.github.bertembed.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.onnx.OnnxModelFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A model by Hugging Face id, from the local Hugging Face cache or, for what the cache lacks, from the Hub into that
 * same cache, laid out as {@code huggingface_hub} lays it out ({@code blobs/<etag>}, {@code snapshots/<commit>/<file>}
 * links to them, {@code refs/<revision>}, {@code .no_exist/<commit>/<file>} for files the repo does not have), so
 * Python and Java share one cache and neither downloads twice.
 *
 * <p>Fetched: the ONNX file ({@code onnx/model.onnx}, or the variant asked for) and its external data, the
 * tokenizer ({@code tokenizer.json}, else {@code vocab.txt}) and its config, and the sentence-transformers files
 * with each module's config and Dense weights. Each file: a HEAD to {@code <endpoint>/<id>/resolve/<revision>/<file>}
 * for its commit, ETag and size (large files redirect to a CDN); then the bytes over HTTPS into
 * {@code blobs/<etag>.incomplete}, resumed after a broken connection, bounded by the size, checked against the
 * ETag (the SHA-256 of large files, the git blob hash of small ones), and moved into place. The first answer's
 * commit pins the rest, so one snapshot is never a mix of two commits. A complete snapshot in the cache is used
 * without any request; its ONNX and tokenizer files are checked against their blob names on every load, and a
 * damaged one is fetched again (offline: refused, naming it).
 *
 * <p>Settings ({@link Settings#fromEnvironment()}): the cache as {@link HubCache#root()}; {@code HF_ENDPOINT}
 * (default {@code https://huggingface.co}); {@code HF_TOKEN}, else the token file {@code huggingface-cli login}
 * writes ({@code $HF_TOKEN_PATH}, else {@code $HF_HOME/token}), sent to the endpoint's host only and never written
 * to a message; {@code HF_HUB_OFFLINE=1} or {@code BERT_EMBED_OFFLINE=1} forbid requests.
 *
 * <pre>{@code
 * ModelLocation where = HubDownload.locate("BAAI/bge-small-en-v1.5@main", null, HubDownload.Settings.fromEnvironment(),
 *         DownloadProgress.NONE);
 * }</pre>
 */
public final class HubDownload {
    /** The Hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern GIT_SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final List<String> OPTIONAL_FILES = List.of("config.json", "tokenizer_config.json",
            "special_tokens_map.json", "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json");

    private HubDownload() {
    }

    /**
     * Where and how to download.
     *
     * @param cache    the hub cache folder
     * @param endpoint the Hub's URL
     * @param token    an access token for private and gated repos, or null
     * @param offline  whether requests are forbidden
     */
    public record Settings(Path cache, String endpoint, String token, boolean offline) {
        @Override
        public String toString() { // the token stays out of logs and messages
            return "Settings[cache=" + cache + ", endpoint=" + endpoint + ", token=" + (token == null ? "none" : "***")
                    + ", offline=" + offline + "]";
        }

        /** The settings the environment gives, as huggingface_hub reads them. */
        public static Settings fromEnvironment() {
            Map<String, String> env = System.getenv();
            String endpoint = System.getProperty("bertembed.hf.endpoint", env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT));
            return new Settings(HubCache.root(), endpoint.replaceAll("/+$", ""), token(env),
                    isTrue(env.get("HF_HUB_OFFLINE")) || MavenModelJars.offline());
        }

        private static String token(Map<String, String> env) {
            String token = env.get("HF_TOKEN");
            if (token != null && !token.isBlank()) {
                return token.trim();
            }
            Path file = env.get("HF_TOKEN_PATH") != null ? Path.of(env.get("HF_TOKEN_PATH"))
                    : env.get("HF_HOME") != null ? Path.of(env.get("HF_HOME"), "token")
                    : Path.of(System.getProperty("user.home"), ".cache", "huggingface", "token");
            try {
                return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
            } catch (IOException e) {
                return null;
            }
        }

        private static boolean isTrue(String value) {
            return value != null && (value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes")
                    || value.equalsIgnoreCase("on"));
        }
    }

    /**
     * The model's snapshot folder, downloading what the cache lacks.
     *
     * @param onnxFile the ONNX file name (a variant such as {@code model_quantized.onnx}), or null for model.onnx
     * @throws IllegalArgumentException for an id, revision or file name that would leave the cache, a repo, revision
     *                                  or file the Hub does not have, a token it refuses, downloads forbidden while the
     *                                  cache lacks a file, or a damaged file offline; each naming the problem
     * @throws UncheckedIOException     when the cache cannot be written
     */
    public static ModelLocation locate(String id, String onnxFile, Settings settings, DownloadProgress progress) {
        HubCache.Id parsed = HubCache.parse(id);
        String onnx = onnxFile == null ? "model.onnx" : onnxFile;
        checkRelative(onnx, "ONNX file name");
        Path repoDir = settings.cache().resolve(parsed.folderName());
        String commit = HubCache.cachedCommit(repoDir, parsed.revision());
        if (commit != null) {
            Path snapshot = repoDir.resolve("snapshots").resolve(commit);
            List<String> damaged = damaged(snapshot, onnx);
            if (damaged.isEmpty() && isComplete(snapshot, onnx)) {
                return location(parsed, snapshot);
            }
            if (!damaged.isEmpty() && settings.offline()) {
                throw new IllegalArgumentException("Hugging Face model " + parsed.repo() + ": " + String.join(", ",
                        damaged) + " in " + snapshot + " no longer matches its hash (damaged), and downloads are off"
                        + " (HF_HUB_OFFLINE / BERT_EMBED_OFFLINE): delete the file and allow downloads once");
            }
            for (String file : damaged) {
                delete(snapshot.resolve(file));
            }
        }
        if (settings.offline()) {
            if (commit == null) {
                HubCache.locate(id, settings.cache()); // throws, naming the cache and how to fill it
            }
            throw new IllegalArgumentException("Hugging Face model " + parsed.repo() + ": the cache " + settings.cache()
                    + " lacks " + missing(repoDir.resolve("snapshots").resolve(commit), onnx) + ", and downloads are"
                    + " off (HF_HUB_OFFLINE / BERT_EMBED_OFFLINE)");
        }
        try {
            return new Fetch(parsed, settings, progress, repoDir).run(onnx);
        } catch (IOException e) {
            throw new IllegalArgumentException("Hugging Face model " + parsed.repo() + ": " + e.getMessage(), e);
        }
    }

    private static ModelLocation location(HubCache.Id id, Path snapshot) {
        return new ModelLocation(id.repo(), snapshot.toAbsolutePath().normalize(),
                "Hugging Face cache " + snapshot + " (" + id.repo() + "@" + id.revision() + ")", null, false);
    }

    private static boolean isComplete(Path snapshot, String onnx) {
        return missing(snapshot, onnx).isEmpty();
    }

    /** What a snapshot lacks to be loaded: "" when nothing. */
    private static String missing(Path snapshot, String onnx) {
        List<String> lacks = new ArrayList<>();
        if (!Files.isRegularFile(snapshot.resolve("onnx").resolve(onnx)) && !Files.isRegularFile(snapshot.resolve(onnx))) {
            lacks.add("onnx/" + onnx);
        }
        if (!Files.isRegularFile(snapshot.resolve("tokenizer.json")) && !Files.isRegularFile(snapshot.resolve("vocab.txt"))) {
            lacks.add("tokenizer.json");
        }
        return String.join(" and ", lacks);
    }

    /** The snapshot's ONNX and tokenizer files whose bytes no longer match the hash their blob is named by. */
    private static List<String> damaged(Path snapshot, String onnx) {
        List<String> out = new ArrayList<>();
        for (String file : List.of("onnx/" + onnx, onnx, "tokenizer.json", "vocab.txt")) {
            Path link = snapshot.resolve(file);
            try {
                if (!Files.isSymbolicLink(link) || !Files.isRegularFile(link)) {
                    continue;
                }
                String blob = Files.readSymbolicLink(link).getFileName().toString();
                String algorithm = SHA256.matcher(blob).matches() ? "SHA-256"
                        : GIT_SHA1.matcher(blob).matches() ? "git-blob" : null;
                if (algorithm != null && !HttpDownload.digest(link, algorithm).equals(blob)) {
                    out.add(file);
                }
            } catch (IOException e) {
                out.add(file);
            }
        }
        return out;
    }

    private static void delete(Path link) {
        try {
            if (Files.isSymbolicLink(link)) {
                Path blob = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
                Files.deleteIfExists(blob);
            }
            Files.deleteIfExists(link);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the damaged " + link + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a repo file name that could leave the snapshot: empty, absolute, with a backslash, a colon (a URL or
     * a drive), or a "." or ".." segment.
     */
    static void checkRelative(String file, String what) {
        boolean bad = file.isEmpty() || file.startsWith("/") || file.contains("\\") || file.contains(":")
                || file.contains("?") || file.contains("#");
        for (String segment : file.split("/", -1)) {
            bad |= segment.isEmpty() || segment.equals(".") || segment.equals("..");
        }
        if (bad) {
            throw new IllegalArgumentException(what + " '" + file + "' would leave the model's folder: expected a"
                    + " relative path such as onnx/model.onnx");
        }
    }

    /** One download of a repo's files at one commit. */
    private static final class Fetch {
        private final HubCache.Id id;
        private final Settings settings;
        private final DownloadProgress progress;
        private final Path repoDir;
        private final HttpClient http;
        /** host:port of the endpoint: the only place the token goes. */
        private final String endpointAuthority;
        /** The commit of the first answer: every later request names it. */
        private String commit;

        Fetch(HubCache.Id id, Settings settings, DownloadProgress progress, Path repoDir) {
            this.id = id;
            this.settings = settings;
            this.progress = progress;
            this.repoDir = repoDir;
            URI endpoint = URI.create(settings.endpoint() + "/");
            HttpDownload.checkSecure(endpoint, "the Hugging Face endpoint (HF_ENDPOINT)");
            this.endpointAuthority = endpoint.getAuthority();
            this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(Duration.ofSeconds(20)).build();
        }

        ModelLocation run(String onnx) throws IOException {
            if (!fetch("onnx/" + onnx) && !fetch(onnx)) {
                throw new IOException("the repo has neither onnx/" + onnx + " nor " + onnx + " at " + id.revision()
                        + (onnx.equals("model.onnx") ? " (no ONNX export: export one with optimum, or pick a repo"
                        + " that has one)" : ""));
            }
            Path snapshot = repoDir.resolve("snapshots").resolve(commit);
            Path graph = Files.isRegularFile(snapshot.resolve("onnx").resolve(onnx)) ? snapshot.resolve("onnx/" + onnx)
                    : snapshot.resolve(onnx);
            String graphFolder = snapshot.relativize(graph.getParent()).toString().replace('\\', '/');
            for (String data : OnnxModelFile.externalDataFiles(graph)) {
                checkRelative(data, "external data file");
                String file = graphFolder.isEmpty() ? data : graphFolder + "/" + data;
                if (!fetch(file)) {
                    throw new IOException(graph.getFileName() + " keeps weights in " + data + ", which the repo lacks");
                }
            }
            if (!fetch("tokenizer.json") && !fetch("vocab.txt")) {
                throw new IOException("the repo has neither tokenizer.json nor vocab.txt");
            }
            for (String file : OPTIONAL_FILES) {
                fetch(file);
            }
            Path modules = snapshot.resolve(SentenceTransformersConfig.MODULES_FILE);
            if (Files.isRegularFile(modules)) {
                for (JsonNode module : new ObjectMapper().readTree(modules.toFile())) {
                    String path = module.path("path").asText("");
                    if (path.isEmpty()) {
                        continue;
                    }
                    checkRelative(path, "module path in modules.json");
                    fetch(path + "/config.json");
                    if (module.path("type").asText("").endsWith(".Dense")) {
                        fetch(path + "/model.safetensors");
                    }
                }
            }
            if (!HubCache.isCommit(id.revision())) {
                Files.createDirectories(repoDir.resolve("refs"));
                Path ref = repoDir.resolve("refs").resolve(id.revision());
                Path temp = Files.createTempFile(repoDir.resolve("refs"), id.revision(), ".tmp");
                Files.writeString(temp, commit, StandardCharsets.US_ASCII);
                Files.move(temp, ref, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return location(id, snapshot);
        }

        /**
         * Fetches one file into the snapshot, unless it is there.
         *
         * @return false when the repo does not have it (remembered in .no_exist, as huggingface_hub does)
         */
        boolean fetch(String file) throws IOException {
            checkRelative(file, "file name");
            if (commit != null) {
                Path have = repoDir.resolve("snapshots").resolve(commit).resolve(file);
                if (Files.isRegularFile(have)) {
                    return true;
                }
                if (Files.exists(repoDir.resolve(".no_exist").resolve(commit).resolve(file))) {
                    return false;
                }
            }
            URI url = URI.create(settings.endpoint() + "/" + id.repo() + "/resolve/"
                    + (commit != null ? commit : id.revision()) + "/" + file);
            HttpResponse<Void> head;
            try {
                head = http.send(authorized(HttpRequest.newBuilder(url), url).method("HEAD",
                        HttpRequest.BodyPublishers.noBody()).header("Accept-Encoding", "identity").build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (java.net.ConnectException e) {
                throw new IOException("cannot reach " + settings.endpoint() + " (" + e.getMessage() + "); set"
                        + " HF_HUB_OFFLINE=1 to use the cache only, or HF_ENDPOINT to a mirror");
            }
            int status = head.statusCode();
            String error = head.headers().firstValue("x-error-code").orElse("");
            if (status == 401 || status == 403) {
                throw new IOException(id.repo() + " is private or gated and the Hub refused "
                        + (settings.token() == null ? "a request without a token: set HF_TOKEN (or run huggingface-cli"
                        + " login) with access to it" : "the token (HF_TOKEN or the token file): it has no access to it")
                        + " (HTTP " + status + ")");
            }
            if (status == 404 && error.equals("EntryNotFound")) {
                String c = head.headers().firstValue("x-repo-commit").orElse(commit);
                if (c != null && HubCache.isCommit(c)) {
                    commit = commit == null ? c : commit;
                    Path marker = repoDir.resolve(".no_exist").resolve(commit).resolve(file);
                    Files.createDirectories(marker.getParent());
                    if (!Files.exists(marker)) {
                        Files.createFile(marker);
                    }
                }
                return false;
            }
            if (status == 404) {
                throw new IOException(error.equals("RevisionNotFound") ? "the Hub has no revision '" + id.revision()
                        + "' of it" : "the Hub has no such repo (or it is private: set HF_TOKEN) (HTTP 404 at "
                        + url.getPath() + ")");
            }
            if (status != 200 && (status < 300 || status > 399)) {
                throw new IOException(url.getPath() + " answered HTTP " + status);
            }
            var headers = head.headers();
            String c = headers.firstValue("x-repo-commit").orElse(null);
            if (c == null || !HubCache.isCommit(c)) {
                throw new IOException(settings.endpoint() + " answered without a commit (X-Repo-Commit): not a"
                        + " Hugging Face Hub");
            }
            if (commit == null) {
                commit = c;
            }
            String etag = headers.firstValue("x-linked-etag").or(() -> headers.firstValue("etag"))
                    .map(e -> e.replaceFirst("^W/", "").replace("\"", "")).orElse(null);
            if (etag == null || etag.isEmpty()) {
                throw new IOException(url.getPath() + " answered without an ETag");
            }
            checkRelative(etag, "ETag");
            long size = headers.firstValue("x-linked-size").or(() -> headers.firstValue("content-length"))
                    .map(Long::parseLong).orElse(-1L);
            URI from = url;
            if (status >= 300) {
                from = url.resolve(headers.firstValue("location").orElseThrow(() ->
                        new IOException(url.getPath() + " redirected nowhere")));
                HttpDownload.checkSecure(from, "the download URL " + from.getHost());
            }
            Path blob = repoDir.resolve("blobs").resolve(etag);
            String algorithm = SHA256.matcher(etag).matches() ? "SHA-256" : GIT_SHA1.matcher(etag).matches()
                    ? "git-blob" : null;
            boolean intact = Files.isRegularFile(blob) && (algorithm == null ? Files.size(blob) == size
                    : HttpDownload.digest(blob, algorithm).equals(etag));
            if (!intact) {
                HttpRequest.Builder auth = authorized(HttpRequest.newBuilder(from), from);
                Map<String, String> extra = auth.build().headers().firstValue("authorization")
                        .map(v -> Map.of("Authorization", v)).orElse(Map.of());
                HttpDownload.fetch(http, new HttpDownload.Request(from, extra, size,
                                algorithm == null ? "SHA-256" : algorithm, algorithm == null ? null : etag),
                        blob.resolveSibling(etag + ".incomplete"), blob, file, progress);
            }
            link(repoDir.resolve("snapshots").resolve(commit).resolve(file), blob);
            return true;
        }

        /** The request with the token, when it goes to the endpoint itself (never to a CDN it redirects to). */
        private HttpRequest.Builder authorized(HttpRequest.Builder b, URI to) {
            if (settings.token() != null && to.getAuthority() != null
                    && to.getAuthority().equalsIgnoreCase(endpointAuthority)) {
                b.header("Authorization", "Bearer " + settings.token());
            }
            return b.timeout(Duration.ofMinutes(10));
        }

        /** The snapshot's file: a relative link to the blob, as huggingface_hub makes it (a copy where links fail). */
        private static void link(Path at, Path blob) throws IOException {
            Files.createDirectories(at.getParent());
            Files.deleteIfExists(at);
            try {
                Files.createSymbolicLink(at, at.getParent().relativize(blob));
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(blob, at);
            }
        }
    }
}
