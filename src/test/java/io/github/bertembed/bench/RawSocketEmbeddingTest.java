package io.github.bertembed.bench;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TinyBertModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw-socket side of {@code loadtest --same-jvm} over a real loopback connection: each index embeds that text
 * (its vector's first value, bit for bit, against the same embedder called directly), a bad line gets an error and
 * the connection goes on serving, and closing it stops the listening.
 */
class RawSocketEmbeddingTest {
    @TempDir
    Path dir;

    @Test
    void anIndexEmbedsThatTextAndABadLineGetsAnError() throws Exception {
        Path model = TinyBertModel.write(dir.resolve("tiny"));
        List<String> texts = List.of("the cat sat on the mat", "a king and a queen", "the river and its banks");
        int port;
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().model(model.toString()).build();
             RawSocketEmbedding raw = new RawSocketEmbedding(embedder, texts);
             Socket socket = new Socket(InetAddress.getLoopbackAddress(), raw.port())) {
            port = raw.port();
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            for (int i : new int[] {2, 0, 1, 2}) {
                String expected = "ok " + Integer.toHexString(Float.floatToRawIntBits(embedder.embed(texts.get(i))[0]));
                assertEquals(expected, ask(out, in, Integer.toString(i)), "text " + i);
            }
            // Different texts give different answers (the answer is the text's, not a constant).
            assertTrue(!ask(out, in, "0").equals(ask(out, in, "1")));
            assertEquals("error not a text index: two", ask(out, in, "two"));
            assertEquals("error no text 3 (0..2)", ask(out, in, "3"));
            assertEquals("error no text -1 (0..2)", ask(out, in, "-1"));
            assertTrue(ask(out, in, "1").startsWith("ok "), "still serving after the errors");
        }
        assertThrows(IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                "closed: nothing listens on its port any more");
    }

    private static String ask(OutputStream out, BufferedReader in, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return in.readLine();
    }
}
