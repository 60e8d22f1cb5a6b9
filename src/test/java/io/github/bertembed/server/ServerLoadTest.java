package io.github.bertembed.server;

import org.junit.jupiter.api.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.bertembed.server.EmbeddingServerTest.JSON;
import static io.github.bertembed.server.EmbeddingServerTest.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded load on loopback: 64 clients × 100 requests, and SIGTERM in the middle of load on a real process. */
@Tag("server")
class ServerLoadTest {

    /** Short queries, fortunes and a few long texts: a request takes 1–4 of them. */
    private static List<String> pool() {
        List<String> pool = new ArrayList<>();
        String[] words = "fox dog market river cloud engine paper garden music winter".split(" ");
        Random r = new Random(7);
        for (int i = 0; i < 150; i++) {
            StringBuilder q = new StringBuilder();
            for (int w = 2 + r.nextInt(6); w > 0; w--) {
                q.append(words[r.nextInt(words.length)]).append(' ');
            }
            pool.add(q.toString().strip() + " " + i);
        }
        pool.addAll(TestData.english().subList(0, 120));
        for (int i = 0; i < 10; i++) {
            pool.add(String.join(" ", TestData.english().subList(i * 20, i * 20 + 20))); // over 256 tokens
        }
        return pool;
    }

    @Test
    void sixtyFourClientsGetTheInProcessVectorsAndNo5xx() throws Exception {
        List<String> pool = pool();
        Path folder = TestData.model("all-minilm-l6-v2");
        try (SentenceEmbedder raw = SentenceEmbedder.builder().model(folder.toString()).normalize(false).build();
             SentenceEmbedder inProcess = SentenceEmbedder.builder().model(folder.toString()).build();
             EmbeddingServer server = EmbeddingServer.start(raw, "m", ServerSettings.builder().port(0)
                     .build())) {
            Map<String, float[]> expected = new ConcurrentHashMap<>();
            for (String t : pool) {
                expected.put(t, inProcess.embed(t));
            }
            HttpClient http = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(8))
                    .build();
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger bad = new AtomicInteger();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 64; c++) {
                Random r = new Random(c);
                Thread t = new Thread(() -> {
                    for (int q = 0; q < 100; q++) {
                        List<String> texts = new ArrayList<>();
                        for (int n = 1 + r.nextInt(4); n > 0; n--) {
                            texts.add(pool.get(r.nextInt(pool.size())));
                        }
                        try {
                            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(server.url()
                                    + "/embed")).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                                    Map.of("inputs", texts)))).header("Content-Type", "application/json").build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (resp.statusCode() != 200) {
                                bad.incrementAndGet();
                                failures.add(resp.statusCode() + " " + resp.body());
                                continue;
                            }
                            JsonNode vectors = JSON.readTree(resp.body());
                            for (int i = 0; i < texts.size(); i++) {
                                if (!java.util.Arrays.equals(expected.get(texts.get(i)), floats(vectors.get(i)))) {
                                    failures.add("vector differs: " + texts.get(i));
                                }
                            }
                            ok.incrementAndGet();
                        } catch (Exception e) {
                            bad.incrementAndGet();
                            failures.add(e.toString());
                        }
                    }
                });
                t.start();
                clients.add(t);
            }
            for (Thread t : clients) {
                t.join();
            }
            assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())));
            assertEquals(6400, ok.get());
            assertEquals(0, bad.get());
            System.out.println("load: 64 clients x 100 requests, " + ok.get() + " answered 200, every vector equal");
        }
    }

    @Test
    void sigtermDuringLoadAnswersEveryAdmittedRequest() throws Exception {
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dslf4j.provider=org.slf4j.nop.NOPServiceProvider", "-cp", System.getProperty("java.class.path"), "io.github.bertembed.cli.Main", "serve",
                // TEI's option names: --model-id, --hostname, --served-model-name.
                "--port", "0", "--model-id", TestData.model("all-minilm-l6-v2").toString(), "--auto-truncate",
                "--hostname", "127.0.0.1", "--served-model-name", "tei-name")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Pattern started = Pattern.compile("bert-embed serving .* on (http://127\\.0\\.0\\.1:\\d+)");
        Matcher m = null;
        StringBuilder before = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            m = started.matcher(line);
            if (m.find()) {
                break;
            }
            before.append(line).append('\n');
            m = null;
        }
        assertTrue(m != null, "no start line; the server printed: " + before);
        String url = m.group(1);
        List<String> pool = pool();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertEquals("tei-name", JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/info")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("model_id").asText(), "--served-model-name");
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger draining = new AtomicInteger();
        AtomicBoolean incomplete = new AtomicBoolean();
        List<String> odd = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch loaded = new CountDownLatch(200);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            Random r = new Random(c);
            Thread t = new Thread(() -> {
                while (true) {
                    List<String> texts = new ArrayList<>();
                    for (int n = 1 + r.nextInt(4); n > 0; n--) {
                        texts.add(pool.get(r.nextInt(pool.size())));
                    }
                    try {
                        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(url + "/embed"))
                                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                                        Map.of("inputs", texts)))).build(), HttpResponse.BodyHandlers.ofString());
                        if (resp.statusCode() == 200) {
                            JsonNode v = JSON.readTree(resp.body());
                            if (v.size() != texts.size() || v.get(texts.size() - 1).size() != 384) {
                                incomplete.set(true);
                                odd.add("incomplete 200: " + resp.body());
                            }
                            ok.incrementAndGet();
                            loaded.countDown();
                        } else if (resp.statusCode() == 503) {
                            draining.incrementAndGet();
                        } else {
                            odd.add(resp.statusCode() + ": " + resp.body()); // answered, reported below
                        }
                    } catch (java.net.ConnectException e) {
                        refused.incrementAndGet();
                        return; // the server is gone
                    } catch (Exception e) {
                        refused.incrementAndGet();
                        if (!server.isAlive()) {
                            return;
                        }
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        assertTrue(loaded.await(120, TimeUnit.SECONDS), "load reached the server");
        // A real SIGTERM (Process.destroy would also close our end of the server's output).
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor());
        for (Thread t : clients) {
            t.join(60_000);
        }
        assertTrue(server.waitFor(60, TimeUnit.SECONDS));
        StringBuilder rest = new StringBuilder();
        for (String l = out.readLine(); l != null; l = out.readLine()) {
            rest.append(l).append('\n');
        }
        Matcher report = Pattern.compile("bert-embed stopped: (\\d+) requests answered with 200, (\\d+) admitted")
                .matcher(rest);
        assertTrue(report.find(), rest.toString());
        System.out.printf("SIGTERM under load: %d answered 200 (server says %s), %d answered 503 while draining, "
                + "%d connections refused after%n", ok.get(), report.group(1), draining.get(), refused.get());
        assertEquals(0, Integer.parseInt(report.group(2)), "no admitted request left unanswered");
        // The server's count includes the one /info answered before the load.
        assertEquals(Long.parseLong(report.group(1)), ok.get() + 1, "every 200 the server sent reached its client");
        assertTrue(!incomplete.get(), "every 200 was complete: " + odd);
        assertEquals(List.of(), odd, "every answer during shutdown was a complete 200 or a 503");
        assertEquals(0, server.exitValue(), "a complete drain exits 0 (systemd and Kubernetes read 143 as failure)");
    }
}
