package io.github.bertembed.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Hugging Face Hub on loopback, because the real Hub cannot be reached from here. It answers as
 * the Hub's documented resolve endpoint does for {@code huggingface_hub}'s {@code file_download.py}:
 * {@code HEAD|GET /<org>/<name>/resolve/<revision>/<file>} with {@code X-Repo-Commit}; small files directly with
 * their git blob hash as {@code ETag}; large (LFS) files as a 302 to a CDN URL with {@code X-Linked-Etag} (their
 * SHA-256) and {@code X-Linked-Size}; {@code 404} with {@code X-Error-Code: EntryNotFound}, {@code RevisionNotFound}
 * or {@code RepoNotFound}; {@code 401} for a private repo without its token; Range requests answered 206.
 * Faults on demand: a connection cut after some bytes, a flipped byte.
 */
final class HubStandIn implements AutoCloseable {
    final String repo;
    final String commit;
    private final Map<String, byte[]> files;
    private final Set<String> lfs;
    private final String token;
    private final HttpServer server;
    /** The CDN large files redirect to: another authority than the Hub's, as the real CDN is another host. */
    private final HttpServer cdn;
    /** Every request: "METHOD path [Range] [auth]" (the auth as "auth", never its value). */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** Paths of CDN requests that carried an Authorization header. */
    final List<String> cdnWithAuthorization = new CopyOnWriteArrayList<>();
    /** Cut the next CDN answers after this many bytes (0: never), this many times. */
    volatile long cutAfter;
    final AtomicInteger cuts = new AtomicInteger();
    /** Flip one byte of every CDN answer. */
    volatile boolean corrupt;

    HubStandIn(String repo, String commit, Map<String, byte[]> files, Set<String> lfs, String token) throws IOException {
        this.repo = repo;
        this.commit = commit;
        this.files = files;
        this.lfs = lfs;
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn.createContext("/", this::handle);
        cdn.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static String gitBlob(byte[] bytes) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-1");
        d.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(d.digest(bytes));
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            String range = x.getRequestHeaders().getFirst("Range");
            String auth = x.getRequestHeaders().getFirst("Authorization");
            requests.add(x.getRequestMethod() + " " + path + (range == null ? "" : " " + range)
                    + (auth == null ? "" : " auth"));
            if (path.startsWith("/cdn/")) {
                if (auth != null) {
                    cdnWithAuthorization.add(path);
                }
                cdn(x, path.substring(5), range);
                return;
            }
            String prefix = "/" + repo + "/resolve/";
            if (!path.startsWith(prefix)) {
                error(x, 404, "RepoNotFound");
                return;
            }
            if (token != null && !("Bearer " + token).equals(auth)) {
                error(x, 401, "GatedRepo");
                return;
            }
            String rest = path.substring(prefix.length());
            String revision = rest.substring(0, rest.indexOf('/'));
            String file = rest.substring(rest.indexOf('/') + 1);
            if (!revision.equals("main") && !revision.equals(commit)) {
                error(x, 404, "RevisionNotFound");
                return;
            }
            byte[] body = files.get(file);
            x.getResponseHeaders().add("X-Repo-Commit", commit);
            if (body == null) {
                error(x, 404, "EntryNotFound");
                return;
            }
            if (lfs.contains(file)) {
                String sha = sha256(body);
                x.getResponseHeaders().add("X-Linked-Etag", "\"" + sha + "\"");
                x.getResponseHeaders().add("X-Linked-Size", Integer.toString(body.length));
                x.getResponseHeaders().add("ETag", "\"" + gitBlob(sha.getBytes()) + "\"");
                x.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/cdn/" + sha);
                x.sendResponseHeaders(302, -1);
                return;
            }
            x.getResponseHeaders().add("ETag", "\"" + gitBlob(body) + "\"");
            send(x, body, 0, x.getRequestMethod().equals("HEAD"), 0);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void cdn(HttpExchange x, String sha, String range) throws Exception {
        byte[] body = null;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            if (lfs.contains(f.getKey()) && sha256(f.getValue()).equals(sha)) {
                body = f.getValue();
            }
        }
        if (body == null) {
            x.sendResponseHeaders(404, -1);
            return;
        }
        if (corrupt) {
            body = body.clone();
            body[body.length / 2] ^= 1;
        }
        long from = range == null ? 0 : Long.parseLong(range.replace("bytes=", "").replace("-", ""));
        long cut = cutAfter > 0 && cuts.getAndDecrement() > 0 ? cutAfter : 0;
        send(x, body, (int) from, false, cut);
    }

    private static void send(HttpExchange x, byte[] body, int from, boolean head, long cutAfter) throws IOException {
        if (from > 0) {
            x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        int length = body.length - from;
        if (head) {
            x.getResponseHeaders().add("Content-Length", Integer.toString(length));
            x.sendResponseHeaders(200, -1);
            return;
        }
        x.sendResponseHeaders(from > 0 ? 206 : 200, length);
        OutputStream out = x.getResponseBody();
        if (cutAfter > 0 && cutAfter < length) {
            out.write(body, from, (int) cutAfter);
            out.flush();
            throw new IOException("connection cut on purpose"); // the exchange closes without the rest
        }
        out.write(body, from, length);
    }

    private static void error(HttpExchange x, int status, String code) throws IOException {
        x.getResponseHeaders().add("X-Error-Code", code);
        x.sendResponseHeaders(status, -1);
    }

    @Override
    public void close() {
        server.stop(0);
        cdn.stop(0);
    }
}
