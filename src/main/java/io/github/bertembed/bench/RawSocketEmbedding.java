package io.github.bertembed.bench;

import io.github.bertembed.SentenceEmbedder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The embedder behind a bare loopback socket, beside a hosted server in the in-process JVM
 * ({@code loadtest --same-jvm}): a line with a text's index comes in, the text is embedded on the connection's own
 * thread, and a line goes back, {@code ok} and the bits of the vector's first value in hex (so that a test can tell
 * the text was embedded). No HTTP, no JSON: a lone request over it costs what any out-of-process call costs on this
 * machine (the core idling while the request travels), so a served request's p50 over this one's is the HTTP and
 * JSON cost alone. A line that is not an index in range gets {@code error} and the reason.
 *
 * <pre>{@code
 * try (RawSocketEmbedding raw = new RawSocketEmbedding(embedder, texts)) {
 *     int port = raw.port(); // a client writes "17\n" and reads "ok 3d1b2c4e\n"
 * }
 * }</pre>
 */
public final class RawSocketEmbedding implements AutoCloseable {
    private final SentenceEmbedder embedder;
    private final List<String> texts;
    private final ServerSocket listener;

    /** Listens on an ephemeral loopback port; each connection is served on a daemon thread of its own. */
    public RawSocketEmbedding(SentenceEmbedder embedder, List<String> texts) throws IOException {
        this.embedder = embedder;
        this.texts = texts;
        this.listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "raw-socket-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port it listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread t = new Thread(() -> answer(s), "raw-socket-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    private void answer(Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                     StandardCharsets.US_ASCII));
             OutputStream out = socket.getOutputStream()) {
            socket.setTcpNoDelay(true); // as Jetty's connections: an answer leaves at once
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(reply(line).getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    private String reply(String line) {
        int index;
        try {
            index = Integer.parseInt(line.trim());
        } catch (NumberFormatException e) {
            return "error not a text index: " + line + "\n";
        }
        if (index < 0 || index >= texts.size()) {
            return "error no text " + index + " (0.." + (texts.size() - 1) + ")\n";
        }
        float[] v = embedder.embed(texts.get(index));
        return "ok " + Integer.toHexString(Float.floatToRawIntBits(v[0])) + "\n";
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
