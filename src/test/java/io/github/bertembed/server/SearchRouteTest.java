package io.github.bertembed.server;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.batch.Precision;
import io.github.bertembed.search.Hit;
import io.github.bertembed.search.IndexManifest;
import io.github.bertembed.search.SemanticSearch;
import io.github.bertembed.search.SearchOptions;
import io.github.bertembed.search.VectorIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /search} on a real server and client on loopback, against the library's in-process search. */
@Tag("server")
class SearchRouteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "s3cret";
    @TempDir
    static Path tmp;
    static SentenceEmbedder embedder;
    static SentenceEmbedder raw;
    static VectorIndex index;
    static EmbeddingServer server;
    static OpenApiInteractionValidator validator;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path model = TestData.model("all-minilm-l6-v2");
        embedder = SentenceEmbedder.builder().model(model.toString()).build();
        raw = SentenceEmbedder.builder().model(model.toString()).normalize(false).build();
        List<String> texts = TestData.english().subList(0, 300);
        index = VectorIndex.create(tmp.resolve("idx"), IndexManifest.of("all-minilm-l6-v2", embedder.modelSha256(),
                384, true, "mean", embedder.maxLength(), "", "", Precision.INT8, false));
        List<float[]> vectors = embedder.embedAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            index.add("f" + i, texts.get(i), vectors.get(i));
        }
        index.commit();
        server = EmbeddingServer.start(raw, "all-minilm-l6-v2", ServerSettings.builder().port(0).apiKey(KEY)
                .maxClientBatchSize(4).build(), index);
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(
                send("GET", "/api-doc/openapi.json", null, true).body()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        index.close();
        raw.close();
        embedder.close();
    }

    static HttpResponse<String> send(String method, String path, String body, boolean key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (key) {
            b.header("Authorization", "Bearer " + KEY);
        }
        b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The exchange, checked against the server's own API document. */
    static JsonNode search(int status, String body) throws Exception {
        HttpResponse<String> r = send("POST", "/search", body, true);
        assertEquals(status, r.statusCode(), r.body());
        SimpleRequest.Builder rq = new SimpleRequest.Builder(Request.Method.POST, "/search").withBody(body)
                .withContentType("application/json").withAuthorization("Bearer " + KEY);
        ValidationReport report = validator.validate(rq.build(), SimpleResponse.Builder.status(r.statusCode())
                .withContentType("application/json").withBody(r.body()).build());
        assertFalse(status == 200 && report.hasErrors(), () -> report.getMessages().toString());
        return JSON.readTree(r.body());
    }

    @Test
    void hitsEqualTheLibrarysSearch() throws Exception {
        SemanticSearch library = new SemanticSearch(index, embedder);
        List<String> queries = List.of("money cannot buy happiness", "computers crash", "the meaning of life");
        List<List<Hit>> expected = library.search(queries, SearchOptions.top(5));
        JsonNode batch = search(200, JSON.writeValueAsString(java.util.Map.of("queries", queries, "k", 5)));
        JsonNode single = search(200, "{\"query\": \"computers crash\", \"k\": 5}");
        assertEquals(batch.get(1), single);
        for (int q = 0; q < queries.size(); q++) {
            for (int i = 0; i < 5; i++) {
                JsonNode h = batch.get(q).get(i);
                Hit e = expected.get(q).get(i);
                assertEquals(e.id(), h.get("id").asText());
                assertEquals(e.text(), h.get("text").asText());
                assertEquals(i + 1, h.get("rank").asInt());
                assertEquals(e.score(), h.get("score").asDouble(), 1e-6);
            }
        }
        assertEquals(10, search(200, "{\"query\": \"a fox\"}").size()); // k defaults to 10
    }

    @Test
    void limitsAuthAndMetricsAreTheEmbeddingRoutes() throws Exception {
        assertEquals(401, send("POST", "/search", "{\"query\": \"a fox\"}", false).statusCode());
        search(422, "{\"query\": \"a fox\", \"k\": 0}");
        search(422, "{\"query\": \"a fox\", \"queries\": [\"b\"]}");
        search(422, "{}");
        search(413, "{\"queries\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}"); // over max_client_batch_size
        String metrics = send("GET", "/metrics", null, true).body();
        assertTrue(metrics.contains("route=\"/search\""), metrics);
    }

    @Test
    void anIndexOfAnotherModelIsRefusedAtStart() throws Exception {
        try (SentenceEmbedder other = SentenceEmbedder.builder().model(TestData.model("bge-small-zh-v1.5").toString())
                .normalize(false).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddingServer.start(other, "bge", ServerSettings.builder().port(0).build(), index));
            assertTrue(e.getMessage().contains("holds vectors of model all-minilm-l6-v2 (sha256 "
                    + embedder.modelSha256() + ", 384 dimensions), not of bge (sha256 " + other.modelSha256()
                    + ", 512 dimensions)"), e.getMessage());
        }
    }
}
