package io.github.bertembed.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * One file fetched over HTTP into place, the way every model download here is done: HTTPS (plain HTTP only to a
 * loopback address: a local mirror or a test), written to a partial file, bounded by the size the server declared,
 * resumed with a Range request after a broken connection, checked against the expected digest, then moved into
 * place in one step. Nothing half-written is ever at the target path.
 */
final class HttpDownload {
    /** Tries of one file, resuming each time from the bytes already on disk. */
    private static final int ATTEMPTS = 3;

    private HttpDownload() {
    }

    /** What to fetch and how to check it. */
    record Request(URI uri, Map<String, String> headers, long size, String algorithm, String digest) {
    }

    /**
     * Refuses a URL that is not HTTPS, unless it names a loopback address.
     *
     * @throws IllegalArgumentException naming the URL's scheme and host
     */
    static void checkSecure(URI uri, String what) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return;
        }
        if (scheme.equals("http") && isLoopback(uri.getHost())) {
            return;
        }
        throw new IllegalArgumentException(what + " must be an https:// URL (plain http only to a loopback address),"
                + " not " + uri.getScheme() + "://" + uri.getHost());
    }

    private static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        try {
            return host.equalsIgnoreCase("localhost") || InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Fetches {@code request} to {@code target}, through {@code partial} (kept between calls so a later call
     * resumes it).
     *
     * @throws IOException naming the URL (never a header value) when the server fails, sends more than it declared,
     *                     or the bytes do not match the digest (then the partial file is removed)
     */
    static void fetch(HttpClient http, Request request, Path partial, Path target, String file,
                      DownloadProgress progress) throws IOException {
        Files.createDirectories(partial.getParent());
        IOException last = null;
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                try {
                    fetchOnce(http, request, partial, file, progress);
                    last = null;
                    break;
                } catch (java.net.ConnectException e) {
                    throw new IOException("cannot connect to " + request.uri().getHost() + ": " + e.getMessage(), e);
                } catch (IOException e) {
                    last = e; // a broken connection: resume from what arrived
                    if (e instanceof RefusedDownload) {
                        throw e;
                    }
                }
            }
            if (last != null) {
                throw last;
            }
            String actual = digest(partial, request.algorithm());
            if (request.digest() != null && !actual.equals(request.digest())) {
                Files.deleteIfExists(partial);
                throw new IOException(request.uri().getPath() + " arrived with " + request.algorithm() + " " + actual
                        + ", expected " + request.digest() + " (removed; fetch it again)");
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            progress.finished();
        }
    }

    /** A failure that another try would not fix. */
    static final class RefusedDownload extends IOException {
        RefusedDownload(String message) {
            super(message);
        }
    }

    private static void fetchOnce(HttpClient http, Request request, Path partial, String file,
                                  DownloadProgress progress)
            throws IOException {
        long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        if (request.size() >= 0 && have > request.size()) {
            Files.delete(partial);
            have = 0;
        }
        if (request.size() >= 0 && have == request.size()) {
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(request.uri()).GET().header("Accept-Encoding", "identity");
        request.headers().forEach(b::header);
        if (have > 0) {
            b.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedDownload("interrupted while fetching " + request.uri().getPath());
        }
        int status = response.statusCode();
        boolean append = status == 206 && have > 0;
        if (status != 200 && !append) {
            response.body().close();
            throw new RefusedDownload(request.uri().getPath() + " answered HTTP " + status);
        }
        progress.started(file, request.size());
        if (append) {
            progress.advanced(have);
        }
        long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
        long limit = request.size() >= 0 ? request.size() : declared >= 0 ? declared + (append ? have : 0) : Long.MAX_VALUE;
        long total = append ? have : 0;
        try (InputStream in = response.body();
             OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > limit) {
                    throw new RefusedDownload(request.uri().getPath() + " sent more than the " + limit
                            + " bytes it declared");
                }
                out.write(buf, 0, n);
                progress.advanced(n);
            }
        }
        if (request.size() >= 0 && total < request.size()) {
            throw new IOException(request.uri().getPath() + ": the connection ended after " + total + " of "
                    + request.size() + " bytes");
        }
    }

    /** A file's digest, hex: "SHA-256", "SHA-1", or "git-blob" (SHA-1 over "blob N\0" and the bytes, as git). */
    static String digest(Path file, String algorithm) throws IOException {
        try {
            boolean git = algorithm.equals("git-blob");
            MessageDigest d = MessageDigest.getInstance(git ? "SHA-1" : algorithm);
            if (git) {
                d.update(("blob " + Files.size(file) + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
