package io.github.bertembed.server;

import io.github.bertembed.LongTextPolicy;
import org.junit.jupiter.api.Tag;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's OpenAPI document held to the server: parsed by swagger-parser without complaint, naming every route
 * the server registers, and the server's real requests and answers (successes and each kind of error) valid against
 * it by Atlassian's OpenAPI validator; Swagger UI's page and assets served from their jar.
 */
@Tag("server")
class ApiDocsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "test-key";
    static SentenceEmbedder raw;
    static EmbeddingServer server;
    static HttpClient http;
    static String document;
    static OpenApiInteractionValidator validator;

    @BeforeAll
    static void start() throws Exception {
        raw = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString()).normalize(false).build();
        // Keyed, strict (long texts refused) and with a small client batch, so that every documented error is reachable.
        server = EmbeddingServer.start(raw, "all-minilm-l6-v2", ServerSettings.builder().port(0)
                .maxClientBatchSize(4).apiKey(KEY).longText(LongTextPolicy.REFUSE).build());
        http = HttpClient.newHttpClient();
        HttpResponse<String> doc = send("GET", ApiDocs.DOCUMENT_PATH, null, false);
        assertEquals(200, doc.statusCode(), "the document is served without the key");
        assertTrue(doc.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        document = doc.body();
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(document).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        raw.close();
    }

    static HttpResponse<String> send(String method, String path, String body, boolean withKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        }
        if (withKey) {
            b.header("Authorization", "Bearer " + KEY);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static SimpleResponse asValidated(HttpResponse<String> r) {
        SimpleResponse.Builder b = SimpleResponse.Builder.status(r.statusCode()).withBody(r.body());
        r.headers().map().forEach(b::withHeader);
        r.headers().firstValue("Content-Type").ifPresent(b::withContentType);
        return b.build();
    }

    static SimpleRequest asValidated(String method, String path, String body, boolean withKey) {
        SimpleRequest.Builder b = method.equals("GET") ? SimpleRequest.Builder.get(path)
                : SimpleRequest.Builder.post(path);
        if (body != null) {
            b.withBody(body).withContentType("application/json");
        }
        if (withKey) {
            b.withAuthorization("Bearer " + KEY);
        }
        return b.build();
    }

    /**
     * Sends the request and checks the exchange against the document: the request too when {@code wellFormed} (a
     * request meant to be refused is not), the answer always, with its status.
     */
    static HttpResponse<String> exchange(int expectedStatus, String method, String path, String body,
                                         boolean withKey, boolean wellFormed) throws Exception {
        HttpResponse<String> r = send(method, path, body, withKey);
        assertEquals(expectedStatus, r.statusCode(), method + " " + path + " " + body + " -> " + r.body());
        ValidationReport report = wellFormed
                ? validator.validate(asValidated(method, path, body, withKey), asValidated(r))
                : validator.validateResponse(path, Request.Method.valueOf(method), asValidated(r));
        assertFalse(report.hasErrors(), () -> method + " " + path + " " + body + " answered " + r.statusCode() + " "
                + abbreviated(r.body()) + ", which the document does not describe:\n" + report.getMessages().stream()
                .map(m -> m.getKey() + ": " + m.getMessage()).toList());
        return r;
    }

    static String abbreviated(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    static HttpResponse<String> ok(String method, String path, String body) throws Exception {
        return exchange(200, method, path, body, true, true);
    }

    static void refused(int status, String method, String path, String body) throws Exception {
        exchange(status, method, path, body, true, false);
    }

    @Test
    void documentIsOpenApi3ThatSwaggerParserReadsWithoutComplaint() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document, null, options);
        assertNotNull(parsed.getOpenAPI(), "parsed");
        assertTrue(parsed.getMessages() == null || parsed.getMessages().isEmpty(), "parser messages: "
                + parsed.getMessages());
        JsonNode doc = JSON.readTree(document);
        assertEquals("3.0.3", doc.get("openapi").asText());
        HttpResponse<String> info = ok("GET", "/info", null);
        assertEquals(JSON.readTree(info.body()).get("version").asText(), doc.path("info").path("version").asText(),
                "the document's version is the server's");
        assertTrue(doc.path("security").isArray(), "a keyed server's document says every route needs the key");
        JsonNode healthSecurity = doc.path("paths").path("/health").path("get").path("security");
        assertTrue(healthSecurity.isArray() && healthSecurity.isEmpty(), "health needs no key: " + healthSecurity);
    }

    @Test
    void aServerWithoutAKeyDocumentsNoneAndItsOwnVersion() throws Exception {
        JsonNode open = JSON.readTree(new ApiDocs(JSON, "9.8.7", false).document());
        assertEquals("9.8.7", open.path("info").path("version").asText());
        assertTrue(open.path("security").isMissingNode(), "no key required");
        assertTrue(open.path("components").path("securitySchemes").isMissingNode(), "no Authorize button");
        assertEquals(JSON.readTree(document).get("paths"), open.get("paths"), "the same routes");
    }

    @Test
    void documentNamesEveryRouteTheServerServesAndNoOther() throws Exception {
        Set<String> documented = new TreeSet<>();
        JsonNode paths = JSON.readTree(document).get("paths");
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(
                m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
        Set<String> served = new TreeSet<>();
        for (String route : server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                served.add(route);
            }
        }
        // The description itself, as TEI's document leaves out its /docs and /api-doc routes.
        served.remove("GET " + ApiDocs.DOCUMENT_PATH);
        served.remove("GET " + ApiDocs.PAGE_PATH);
        assertEquals(served, documented);
        assertTrue(documented.size() >= 18, "the TEI and OpenAI routes: " + documented);
    }

    @Test
    void everyRoutesAnswersAreTheOnesTheDocumentDescribes() throws Exception {
        ok("POST", "/embed", "{\"inputs\": \"a fox\"}");
        exchange(404, "POST", "/search", "{\"query\": \"a fox\"}", true, true); // started without --index
        ok("POST", "/embed", "{\"inputs\": [\"a fox\", [101, 1037, 4419, 102]], \"normalize\": false, "
                + "\"truncate\": true, \"truncation_direction\": \"Left\", \"dimensions\": 128}");
        ok("POST", "/", "{\"inputs\": [\"a fox\", \"a dog\"]}");
        ok("POST", "/invocations", "{\"inputs\": \"a fox\"}");
        ok("POST", "/embed_all", "{\"inputs\": [\"a fox\", \"héllo wörld\"]}");
        ok("POST", "/tokenize", "{\"inputs\": [\"a fox\", \"héllo wörld\"]}");
        ok("POST", "/tokenize", "{\"inputs\": \"a fox\", \"add_special_tokens\": false}");
        ok("POST", "/decode", "{\"ids\": [101, 1037, 4419, 102]}");
        ok("POST", "/decode", "{\"ids\": [[101, 1037, 4419, 102], [1037]], \"skip_special_tokens\": false}");
        ok("POST", "/similarity", "{\"inputs\": {\"source_sentence\": \"a fox\", \"sentences\": [\"a dog\", "
                + "\"a cat\"]}, \"parameters\": {\"truncate\": true}}");
        ok("GET", "/info", null);
        ok("GET", "/metrics", null);
        ok("POST", "/v1/embeddings", "{\"input\": \"a fox\", \"model\": \"all-minilm-l6-v2\"}");
        ok("POST", "/v1/embeddings", "{\"input\": [\"a fox\", \"a dog\"], \"encoding_format\": \"base64\", "
                + "\"dimensions\": 64, \"user\": \"u1\"}");
        ok("POST", "/v1/embeddings", "{\"input\": [[101, 1037, 4419, 102], [1037, 3899]]}");
        ok("POST", "/embeddings", "{\"input\": \"a fox\"}");
        ok("GET", "/v1/models", null);
        for (String health : List.of("/health", "/", "/ping")) {
            exchange(200, "GET", health, null, false, true);
        }

        String tooLong = "{\"inputs\": \"" + "fox ".repeat(400) + "\"}";
        // TEI's errors, in TEI's shape
        exchange(401, "POST", "/embed", "{\"inputs\": \"a fox\"}", false, false);
        exchange(401, "GET", "/info", null, false, false);
        exchange(401, "GET", "/metrics", null, false, false);
        refused(400, "POST", "/embed", "{\"inputs\": []}");
        refused(413, "POST", "/embed", tooLong);
        refused(413, "POST", "/embed", "{\"inputs\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}");
        refused(422, "POST", "/embed", "{\"inputs\": ");
        refused(422, "POST", "/embed", "{\"inputs\": \"a fox\", \"truncate\": \"yes\"}");
        refused(422, "POST", "/embed_all", "{\"inputs\": 7}");
        refused(413, "POST", "/tokenize", "{\"inputs\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}");
        refused(422, "POST", "/decode", "{\"ids\": \"x\"}");
        refused(422, "POST", "/similarity", "{\"inputs\": \"a fox\"}");
        refused(424, "POST", "/predict", "{\"inputs\": \"a fox\"}");
        refused(424, "POST", "/embed_sparse", "{\"inputs\": \"a fox\"}");
        refused(424, "POST", "/rerank", "{\"query\": \"a fox\", \"texts\": [\"a dog\"]}");
        refused(413, "POST", "/rerank", "{\"query\": \"a fox\", \"texts\": []}");
        // OpenAI's error object
        exchange(401, "POST", "/v1/embeddings", "{\"input\": \"a fox\"}", false, false);
        exchange(401, "GET", "/v1/models", null, false, false);
        refused(400, "POST", "/v1/embeddings", "{\"input\": []}");
        refused(404, "POST", "/v1/embeddings", "{\"input\": \"a fox\", \"model\": \"text-embedding-3-small\"}");
        refused(413, "POST", "/v1/embeddings", tooLong.replace("inputs", "input"));
        refused(422, "POST", "/v1/embeddings", "{\"input\": \"a fox\", \"encoding_format\": \"hex\"}");
        refused(422, "POST", "/embeddings", "not json");
    }

    @Test
    void theValidatorRefusesAnswersTheDocumentDoesNotDescribe() {
        // What the test above relies on: answers in another shape are reported, so a drift fails it.
        Map<String, SimpleResponse> wrong = new TreeMap<>();
        wrong.put("POST /embed", SimpleResponse.Builder.ok().withContentType("application/json")
                .withBody("{\"embeddings\": [[0.1]]}").build());
        wrong.put("POST /v1/embeddings", SimpleResponse.Builder.ok().withContentType("application/json")
                .withBody("{\"object\": \"list\", \"data\": [{\"object\": \"embedding\", \"embedding\": [0.1]}], "
                        + "\"model\": \"m\", \"usage\": {\"prompt_tokens\": 1, \"total_tokens\": 1}}").build());
        wrong.put("POST /tokenize", SimpleResponse.Builder.ok().withContentType("application/json")
                .withBody("[[{\"id\": 1, \"text\": \"a\"}]]").build());
        wrong.put("GET /info", SimpleResponse.Builder.ok().withContentType("application/json")
                .withBody("{\"model_id\": \"m\"}").build());
        wrong.put("POST /decode", SimpleResponse.Builder.status(422).withContentType("application/json")
                .withBody("{\"error\": {\"message\": \"m\"}}").build());
        for (var e : wrong.entrySet()) {
            String[] route = e.getKey().split(" ");
            ValidationReport report = validator.validateResponse(route[1], Request.Method.valueOf(route[0]),
                    e.getValue());
            assertTrue(report.hasErrors(), e.getKey() + " " + e.getValue().getResponseBody() + " passed");
        }
    }

    @Test
    void docsPageLoadsSwaggerUiFromItsJar() throws Exception {
        HttpResponse<String> page = send("GET", ApiDocs.PAGE_PATH, null, false);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("SwaggerUIBundle({url: \"api-doc/openapi.json\""), page.body());
        Matcher assets = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        List<String> fetched = new ArrayList<>();
        URI base = URI.create(server.url() + ApiDocs.PAGE_PATH);
        while (assets.find()) {
            URI asset = base.resolve(assets.group(1));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(asset).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), asset.toString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            assertTrue(type.contains("javascript") || type.contains("css"), asset + ": " + type);
            assertTrue(r.body().length() > 10_000, asset + " is Swagger UI's, not a stub");
            fetched.add(asset.getPath());
        }
        assertEquals(2, fetched.size(), "the script and the style sheet: " + fetched);
        // /docs/ (as TEI's Swagger UI has it) is sent to /docs, where the page's relative URLs resolve as above
        HttpResponse<String> slash = send("GET", ApiDocs.PAGE_PATH + "/", null, false);
        assertEquals(301, slash.statusCode());
        assertEquals(ApiDocs.PAGE_PATH, URI.create(server.url() + ApiDocs.PAGE_PATH + "/")
                .resolve(slash.headers().firstValue("Location").orElseThrow()).getPath());
        // and the document the page loads, resolved the same way
        HttpResponse<String> doc = http.send(HttpRequest.newBuilder(base.resolve("api-doc/openapi.json")).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(document, doc.body());
    }
}
