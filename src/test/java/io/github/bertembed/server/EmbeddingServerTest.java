package io.github.bertembed.server;

import io.github.bertembed.LongTextPolicy;
import org.junit.jupiter.api.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.tokenizer.Encoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server on a loopback port, through OpenAI's Java SDK and java.net.http, against the in-process embedder. */
@Tag("server")
class EmbeddingServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static SentenceEmbedder raw;
    static SentenceEmbedder inProcess;
    static EmbeddingServer server;
    static HttpClient http;

    @BeforeAll
    static void start() {
        String folder = TestData.model("all-minilm-l6-v2").toString();
        raw = SentenceEmbedder.builder().model(folder).normalize(false).build();
        inProcess = SentenceEmbedder.builder().model(folder).build();
        // Truncating by default, as the in-process embedder (the strict server below refuses long texts).
        server = EmbeddingServer.start(raw, "all-minilm-l6-v2", ServerSettings.builder().port(0)
                .build());
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
        raw.close();
        inProcess.close();
    }

    /** Texts a client can send as JSON (lone surrogates are not UTF-8), short and long. */
    static List<String> texts(int from, int count) {
        List<String> out = new ArrayList<>();
        for (String t : TestData.english().subList(from, from + count)) {
            out.add(t);
        }
        for (String t : TestData.hard()) {
            if (t.equals(new String(t.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))) {
                out.add(t);
            }
        }
        return out;
    }

    static HttpResponse<String> post(String url, String path, Object body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path))
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body)))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).floatValue();
        }
        return v;
    }

    static float[] floats(List<Float> list) {
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = list.get(i);
        }
        return v;
    }

    @Test
    void openAiSdkGetsTheInProcessVectorsAsFloatsAndBase64() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.url() + "/v1").apiKey("unused").build();
        List<String> texts = texts(0, 20);
        for (int from = 0; from < texts.size(); from += 32) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + 32));
            CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder()
                    .model("all-minilm-l6-v2").inputOfArrayOfStrings(batch).build());
            CreateEmbeddingResponse base64 = client.embeddings().create(EmbeddingCreateParams.builder()
                    .model("all-minilm-l6-v2").inputOfArrayOfStrings(batch)
                    .encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
            long tokens = 0;
            for (int i = 0; i < batch.size(); i++) {
                float[] expected = inProcess.embed(batch.get(i));
                assertEquals(i, floats.data().get(i).index());
                assertArrayEquals(expected, floats(floats.data().get(i).embedding()), batch.get(i));
                ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(
                        base64.data().get(i).embeddingValue().asBase64())).order(ByteOrder.LITTLE_ENDIAN);
                float[] decoded = new float[bytes.remaining() / 4];
                bytes.asFloatBuffer().get(decoded);
                assertArrayEquals(expected, decoded);
                tokens += inProcess.embedDetailed(List.of(batch.get(i))).get(0).tokens();
            }
            assertEquals(tokens, floats.usage().promptTokens());
            assertEquals(tokens, floats.usage().totalTokens());
            assertEquals("all-minilm-l6-v2", floats.model());
        }
        // Token ids (the model's vocabulary, special tokens as given) and one string.
        String text = "The quick brown fox jumps over the lazy dog.";
        List<Long> ids = new ArrayList<>();
        for (int id : inProcess.tokenizer().encode(text).ids()) {
            ids.add((long) id);
        }
        CreateEmbeddingResponse byIds = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").inputOfArrayOfTokens(ids).build());
        assertArrayEquals(inProcess.embed(text), floats(byIds.data().get(0).embedding()));
        CreateEmbeddingResponse one = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").input(text).dimensions(64).build());
        float[] cut = java.util.Arrays.copyOf(inProcess.embed(text), 64);
        VectorMath.normalize(cut);
        assertArrayEquals(cut, floats(one.data().get(0).embedding()), "dimensions: the first 64, unit length");
        assertEquals("all-minilm-l6-v2", client.models().list().data().get(0).id());

        // OpenAI's own limit, not TEI's 32: LangChain sends up to 1,000 texts a call.
        List<String> thousand = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            thousand.add(texts(0, 40).get(i % 40) + " " + i);
        }
        CreateEmbeddingResponse many = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").inputOfArrayOfStrings(thousand).build());
        assertEquals(1000, many.data().size());
        assertArrayEquals(inProcess.embed(thousand.get(999)), floats(many.data().get(999).embedding()));
        List<String> tooManyTexts = java.util.Collections.nCopies(2049, "a fox");
        OpenAIServiceException tooMany = assertThrows(OpenAIServiceException.class, () -> client.embeddings().create(
                EmbeddingCreateParams.builder().model("all-minilm-l6-v2").inputOfArrayOfStrings(tooManyTexts).build()));
        assertEquals(413, tooMany.statusCode());
        assertEquals("input", tooMany.param().orElseThrow());
        assertEquals("invalid_request_error", tooMany.type().orElseThrow());
        assertTrue(tooMany.getMessage().contains("batch size 2049 > maximum allowed batch size 2048 (serve"
                + " --max-openai-batch-size)"), tooMany.getMessage());

        // Another model's name: OpenAI's 404 model_not_found, through the SDK's own exception.
        com.openai.errors.NotFoundException unknown = assertThrows(com.openai.errors.NotFoundException.class,
                () -> client.embeddings().create(EmbeddingCreateParams.builder().model("text-embedding-3-small")
                        .input(text).build()));
        assertEquals("model_not_found", unknown.code().orElseThrow());
        assertEquals("model", unknown.param().orElseThrow());
        assertTrue(unknown.getMessage().contains("--accept-any-model"), unknown.getMessage());

        // TEI also serves OpenAI's route without /v1: the SDK with the server's own URL as its base.
        OpenAIClient bare = OpenAIOkHttpClient.builder().baseUrl(server.url()).apiKey("unused").build();
        CreateEmbeddingResponse viaBare = bare.embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").input(text).build());
        assertArrayEquals(inProcess.embed(text), floats(viaBare.data().get(0).embedding()), "/embeddings");
        OpenAIServiceException bareError = assertThrows(OpenAIServiceException.class, () -> bare.embeddings()
                .create(EmbeddingCreateParams.builder().model("all-minilm-l6-v2").inputOfArrayOfStrings(tooManyTexts)
                        .build()));
        assertEquals(413, bareError.statusCode());
        assertEquals("input", bareError.param().orElseThrow(), "OpenAI's error object on /embeddings too");
    }

    /**
     * TEI's other names for its routes: {@code POST /} embeds (what huggingface_hub's
     * {@code InferenceClient.feature_extraction} sends to a TEI URL, the body as it sends it, unset fields left
     * out), as does SageMaker's {@code /invocations}; {@code GET /} and {@code /ping} answer health.
     */
    @Test
    void teiDefaultRoutesEmbedAndAnswerHealth() throws Exception {
        String url = server.url();
        String text = "The quick brown fox jumps over the lazy dog.";
        for (String path : List.of("/", "/invocations")) {
            HttpResponse<String> r = post(url, path, Map.of("inputs", text, "normalize", true, "truncate", true));
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            assertArrayEquals(inProcess.embed(text), floats(JSON.readTree(r.body()).get(0)), path);
            JsonNode two = JSON.readTree(post(url, path, Map.of("inputs", List.of(text, "a dog"))).body());
            assertArrayEquals(inProcess.embed("a dog"), floats(two.get(1)), path);
        }
        assertEquals(200, get(url, "/").statusCode());
        assertEquals(200, get(url, "/ping").statusCode());
        HttpResponse<String> bad = post(url, "/", Map.of("inputs", 3));
        assertEquals(422, bad.statusCode());
        assertEquals("Validation", JSON.readTree(bad.body()).get("error_type").asText(), "TEI's error shape on /");
        // Unknown routes and methods answer JSON in the route family's shape (not Javalin's plain text), and a
        // route asked with another method is 405, as TEI's.
        HttpResponse<String> none = post(url, "/nope", Map.of("inputs", "a"));
        assertEquals(404, none.statusCode());
        assertEquals("no route POST /nope", JSON.readTree(none.body()).get("error").asText());
        HttpResponse<String> method = get(url, "/embed");
        assertEquals(405, method.statusCode(), method.body());
        assertEquals("Validation", JSON.readTree(method.body()).get("error_type").asText(), method.body());
        HttpResponse<String> openAi = get(url, "/v1/nope");
        assertEquals(404, openAi.statusCode());
        assertEquals("invalid_request_error", JSON.readTree(openAi.body()).at("/error/type").asText(),
                openAi.body());
        String series = "bert_embed_http_requests_total{route=\"unmatched\",status=\"404\"}";
        assertTrue(get(url, "/metrics").body().contains(series),
                "unknown paths share one series, so a scanner cannot grow the metrics without bound");
    }

    /**
     * TEI's x-compute-* and x-*-time headers on the embedding routes. The counts are what TEI counts: characters as
     * Rust's chars() (Python's len(): 13 for "héllo wörld 😀", whose emoji is two Java chars), a token id as one, and
     * the tokens HuggingFace's tokenizer gives all-MiniLM-L6-v2 ([CLS] hello world [SEP] is 4; the accents stripped
     * and the emoji [UNK], the other text is 5).
     */
    @Test
    void embeddingRoutesSendTeisComputeHeaders() throws Exception {
        String url = server.url();
        String accented = "héllo wörld 😀";
        HttpResponse<String> one = post(url, "/embed", Map.of("inputs", accented));
        assertEquals(200, one.statusCode(), one.body());
        assertComputeHeaders(one, 13, 5);
        assertComputeHeaders(post(url, "/embed", Map.of("inputs", List.of("hello world", accented))), 24, 9);
        assertComputeHeaders(post(url, "/embed_all", Map.of("inputs", "hello world")), 11, 4);
        HttpResponse<String> ids = post(url, "/v1/embeddings", Map.of("input", List.of(101, 7592, 2088, 102)));
        assertComputeHeaders(ids, 4, 4);
        assertEquals(4, JSON.readTree(ids.body()).at("/usage/prompt_tokens").asInt(), "usage and header agree");
        assertComputeHeaders(post(url, "/embeddings", Map.of("input", "hello world")), 11, 4);
        assertTrue(get(url, "/info").headers().firstValue("x-compute-time").isEmpty(), "only where TEI sends them");
        assertTrue(post(url, "/embed", Map.of("inputs", 3)).headers().firstValue("x-compute-time").isEmpty(),
                "not on an error");
    }

    /**
     * The long-text policy's default, truncate (as TEI's): a long input is embedded as the in-process embedder
     * embeds it, and x-compute-truncated counts it on both protocols; TEI's "truncate": false still refuses it.
     */
    @Test
    void longInputsAreTruncatedByDefaultAndCounted() throws Exception {
        String url = server.url();
        String longText = String.join(" ", TestData.english().subList(0, 40));
        HttpResponse<String> r = post(url, "/embed", Map.of("inputs", List.of(longText, "a fox", longText)));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("2", r.headers().firstValue("x-compute-truncated").orElseThrow());
        assertArrayEquals(inProcess.embed(longText), floats(JSON.readTree(r.body()).get(0)));
        assertEquals(256 * 2 + inProcess.tokenizer().encode("a fox").length(),
                Long.parseLong(r.headers().firstValue("x-compute-tokens").orElseThrow()));
        r = post(url, "/v1/embeddings", Map.of("input", List.of("a fox", longText)));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("1", r.headers().firstValue("x-compute-truncated").orElseThrow());
        assertEquals("0", post(url, "/embed", Map.of("inputs", "a fox")).headers()
                .firstValue("x-compute-truncated").orElseThrow());
        assertEquals(413, post(url, "/embed", Map.of("inputs", longText, "truncate", false)).statusCode());
        assertTrue(JSON.readTree(get(url, "/info").body()).get("auto_truncate").asBoolean());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.builder().longText(LongTextPolicy.CHUNK).build());
        assertTrue(e.getMessage().contains("truncate or refuse"), e.getMessage());
    }

    static void assertComputeHeaders(HttpResponse<String> r, long characters, long tokens) {
        assertEquals(200, r.statusCode(), r.body());
        var h = r.headers();
        assertEquals("cpu", h.firstValue("x-compute-type").orElseThrow());
        assertEquals(characters, Long.parseLong(h.firstValue("x-compute-characters").orElseThrow()), "characters");
        assertEquals(tokens, Long.parseLong(h.firstValue("x-compute-tokens").orElseThrow()), "tokens");
        assertEquals("0", h.firstValue("x-compute-truncated").orElseThrow());
        long total = Long.parseLong(h.firstValue("x-total-time").orElseThrow());
        assertEquals(total, Long.parseLong(h.firstValue("x-compute-time").orElseThrow()));
        for (String part : List.of("x-tokenization-time", "x-queue-time", "x-inference-time")) {
            long ms = Long.parseLong(h.firstValue(part).orElseThrow());
            assertTrue(ms >= 0 && ms <= total, part + " " + ms + " within the total " + total);
        }
    }

    /** TEI's routes for classifiers, re-rankers and SPLADE models answer 424 on an embedding model, as TEI's. */
    @Test
    void otherModelKindsRoutesAre424AsTeis() throws Exception {
        String url = server.url();
        String modelType = "te_request_failure{err=\"model_type\"}";
        String scrape = get(url, "/metrics").body();
        double before = scrape.contains(modelType) ? sample(scrape, modelType) : 0; // absent until one is counted
        Map<String, String> expected = Map.of(
                "/predict", "Backend error: Model is not a classifier model",
                "/embed_sparse", "Backend error: Model is not an embedding model with SPLADE pooling",
                "/rerank", "Backend error: model is not a re-ranker model");
        for (var e : expected.entrySet()) {
            HttpResponse<String> r = post(url, e.getKey(),
                    Map.of("inputs", "a fox", "query", "a fox", "texts", List.of("a dog")));
            assertEquals(424, r.statusCode(), e.getKey() + ": " + r.body());
            JsonNode body = JSON.readTree(r.body());
            assertEquals(e.getValue(), body.get("error").asText(), e.getKey());
            assertEquals("Backend", body.get("error_type").asText(), e.getKey());
        }
        HttpResponse<String> empty = post(url, "/rerank", Map.of("query", "a fox", "texts", List.of()));
        assertEquals(413, empty.statusCode(), "TEI checks an empty `texts` first: " + empty.body());
        assertEquals("`texts` cannot be empty", JSON.readTree(empty.body()).get("error").asText());
        assertEquals(422, post(url, "/predict", Map.of("text", "a fox")).statusCode(), "no inputs");
        assertEquals(before + 3, sample(get(url, "/metrics").body(), modelType), "TEI's failure cause");
        assertEquals(200, post(url, "/embed", Map.of("inputs", "a fox")).statusCode(), "still serving");
    }

    /** CORS as TEI's: a browser page of any origin may call the server by default, or pages of the given origins. */
    @Test
    void browserPagesMayCallTheServerAsTeisCorsAllows() throws Exception {
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/embed"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, preflight.statusCode());
        assertEquals("*", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase(
                java.util.Locale.ROOT).contains("content-type"), preflight.headers().map().toString());
        HttpResponse<String> r = post(server.url(), "/embed", Map.of("inputs", "a fox"), "Origin", "http://app.example");
        assertEquals(200, r.statusCode());
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

        try (SentenceEmbedder model = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString())
                .normalize(false).build();
             EmbeddingServer only = EmbeddingServer.start(model, "m", ServerSettings.builder().port(0)
                     .corsAllowOrigins(List.of("https://app.example.com")).build())) {
            r = post(only.url(), "/embed", Map.of("inputs", "x"), "Origin", "https://app.example.com");
            assertEquals("https://app.example.com", r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
            r = post(only.url(), "/embed", Map.of("inputs", "x"), "Origin", "https://elsewhere.example");
            assertEquals(200, r.statusCode(), "answered, but the browser is not told it may read it");
            assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), r.headers().map().toString());
        }
    }

    /** TEI's {@code dimensions} on /embed: the pooled vector's first N values, then normalized (when asked). */
    @Test
    void embedDimensionsCutsThePooledVectorThenNormalizesAsTei() throws Exception {
        String url = server.url();
        String text = "The quick brown fox jumps over the lazy dog.";
        float[] cut = java.util.Arrays.copyOf(raw.embed(text), 64);
        JsonNode plain = JSON.readTree(post(url, "/embed", Map.of("inputs", text, "dimensions", 64,
                "normalize", false)).body());
        assertArrayEquals(cut, floats(plain.get(0)), "the first 64 pooled values");
        VectorMath.normalize(cut);
        JsonNode unit = JSON.readTree(post(url, "/embed", Map.of("inputs", List.of(text, text), "dimensions", 64))
                .body());
        assertArrayEquals(cut, floats(unit.get(1)), "cut, then normalized");
        assertArrayEquals(inProcess.embed(text), floats(JSON.readTree(post(url, "/embed", Map.of("inputs", text,
                "dimensions", 384)).body()).get(0)), "all of them: the plain vector");
        for (Object bad : List.of(0, 385)) {
            HttpResponse<String> r = post(url, "/embed", Map.of("inputs", text, "dimensions", bad));
            assertEquals(413, r.statusCode(), r.body()); // TEI's status for its validation errors
            assertEquals("Validation", JSON.readTree(r.body()).get("error_type").asText());
        }
        assertEquals(422, post(url, "/embed", Map.of("inputs", text, "dimensions", "64")).statusCode());
    }

    @Test
    void teiRoutesHaveTeisShapes() throws Exception {
        String url = server.url();
        List<String> texts = texts(100, 10);
        for (int from = 0; from < texts.size(); from += 32) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + 32));
            HttpResponse<String> r = post(url, "/embed", Map.of("inputs", batch));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode vectors = JSON.readTree(r.body());
            assertEquals(batch.size(), vectors.size());
            for (int i = 0; i < batch.size(); i++) {
                assertArrayEquals(inProcess.embed(batch.get(i)), floats(vectors.get(i)), batch.get(i));
            }
        }
        JsonNode single = JSON.readTree(post(url, "/embed", Map.of("inputs", "a fox", "normalize", false)).body());
        assertArrayEquals(raw.embed("a fox"), floats(single.get(0)), "normalize false: the pooled vector");
        // As TEI, no response compression, even when the client offers it (Python's requests and httpx do).
        HttpResponse<String> offered = post(url, "/embed", Map.of("inputs", texts.get(0)), "Accept-Encoding", "gzip, deflate");
        assertEquals(200, offered.statusCode());
        assertEquals(java.util.Optional.empty(), offered.headers().firstValue("Content-Encoding"));
        assertArrayEquals(inProcess.embed(texts.get(0)), floats(JSON.readTree(offered.body()).get(0)));

        JsonNode all = JSON.readTree(post(url, "/embed_all", Map.of("inputs", List.of("a fox", "the dog"))).body());
        Encoding fox = raw.tokenizer().encode("a fox");
        assertEquals(fox.length(), all.get(0).size());
        float[][] tokens = raw.tokenVectors(fox);
        for (int t = 0; t < tokens.length; t++) {
            assertArrayEquals(tokens[t], floats(all.get(0).get(t)));
        }
        // Mean pooling of those token vectors is the sentence vector (the model's own pooling).
        float[] mean = new float[raw.dimension()];
        for (float[] tok : tokens) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += tok[j] / tokens.length;
            }
        }
        assertArrayEquals(raw.embed("a fox"), mean, 1e-5f);

        String text = "héllo wörld 😀";
        JsonNode tok = JSON.readTree(post(url, "/tokenize", Map.of("inputs", text)).body()).get(0);
        Encoding e = raw.tokenizer().encode(text);
        assertEquals(e.length(), tok.size());
        assertTrue(tok.get(0).get("special").asBoolean());
        assertTrue(tok.get(0).get("start").isNull());
        assertEquals("[CLS]", tok.get(0).get("text").asText());
        assertEquals(e.ids()[1], tok.get(1).get("id").asInt());
        assertEquals("héllo", tok.get(1).get("text").asText());
        assertEquals(0, tok.get(1).get("start").asInt());
        assertEquals(6, tok.get(1).get("stop").asInt(), "UTF-8 byte offsets, as TEI");
        assertEquals(7, tok.get(2).get("start").asInt());

        JsonNode decoded = JSON.readTree(post(url, "/decode", Map.of("ids", e.ids())).body());
        assertEquals(raw.tokenizer().decode(e.ids(), true), decoded.get(0).asText());

        JsonNode sim = JSON.readTree(post(url, "/similarity", Map.of("inputs",
                Map.of("source_sentence", "a fox", "sentences", List.of("a dog", "the stock market")))).body());
        assertEquals((float) VectorMath.dot(inProcess.embed("a fox"), inProcess.embed("a dog")),
                sim.get(0).floatValue());
        assertTrue(sim.get(0).floatValue() > sim.get(1).floatValue());

        // TEI's Input also takes token ids, alone or mixed with strings in a batch, used as given.
        int[] foxIds = raw.tokenizer().encode("a quick brown fox").ids();
        JsonNode byIds = JSON.readTree(post(url, "/embed", Map.of("inputs", foxIds)).body());
        assertEquals(1, byIds.size());
        assertArrayEquals(inProcess.embed("a quick brown fox"), floats(byIds.get(0)), "[int]: one input");
        JsonNode mixedBatch = JSON.readTree(post(url, "/embed", Map.of("inputs", List.of("the dog", foxIds))).body());
        assertArrayEquals(inProcess.embed("the dog"), floats(mixedBatch.get(0)));
        assertArrayEquals(inProcess.embed("a quick brown fox"), floats(mixedBatch.get(1)), "[string | [int]]");
        JsonNode allByIds = JSON.readTree(post(url, "/embed_all", Map.of("inputs", List.of(foxIds))).body());
        assertEquals(foxIds.length, allByIds.get(0).size());
        JsonNode openAiMixed = JSON.readTree(post(url, "/v1/embeddings", Map.of("input", List.of(foxIds, "the dog"))).body());
        assertArrayEquals(inProcess.embed("a quick brown fox"), floats(openAiMixed.get("data").get(0).get("embedding")));
        assertArrayEquals(inProcess.embed("the dog"), floats(openAiMixed.get("data").get(1).get("embedding")));

        JsonNode info = JSON.readTree(get(url, "/info").body());
        assertEquals("all-minilm-l6-v2", info.get("model_id").asText());
        assertEquals(384, info.get("dimension").asInt());
        assertEquals(raw.maxLength(), info.get("max_input_length").asInt());
        assertEquals(16384, info.get("max_batch_tokens").asInt());
        assertEquals(32, info.get("max_client_batch_size").asInt());
        assertEquals("mean", info.path("model_type").path("embedding").path("pooling").asText());
        assertEquals(200, get(url, "/health").statusCode());

        String metrics = get(url, "/metrics").body();
        assertTrue(metrics.contains("bert_embed_http_requests_total{route=\"/embed\",status=\"200\"}"), metrics);
        assertTrue(metrics.contains("bert_embed_http_request_duration_seconds_bucket{route=\"/embed\",le=\"0.005\"}"));
        assertTrue(metrics.contains("bert_embed_batch_inference_duration_seconds_sum"));
    }

    /**
     * TEI's metric names, labels and buckets (router/src/http/server.rs, core/src/infer.rs, core/src/queue.rs,
     * router/src/prometheus.rs), counting what TEI counts: a known sequence of requests, each count checked.
     */
    @Test
    void metricsAreTeisNamesCountingWhatTeiCounts() throws Exception {
        try (SentenceEmbedder model = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString())
                .normalize(false).build();
             EmbeddingServer strict = EmbeddingServer.start(model, "m", ServerSettings.builder().port(0)
                     .maxClientBatchSize(4).longText(LongTextPolicy.REFUSE).build())) {
            String url = strict.url();
            int[] ids = model.tokenizer().encode("a fox").ids();
            assertEquals(200, post(url, "/embed", Map.of("inputs", "a fox")).statusCode());         // single
            assertEquals(200, post(url, "/embed", Map.of("inputs", List.of("a", "b"))).statusCode()); // batch of 2
            assertEquals(200, post(url, "/embed", Map.of("inputs", ids)).statusCode());              // single (ids)
            assertEquals(400, post(url, "/embed", Map.of("inputs", List.of())).statusCode());         // batch, empty
            assertEquals(413, post(url, "/embed", Map.of("inputs", "word ".repeat(400))).statusCode()); // too long
            assertEquals(413, post(url, "/embed", Map.of("inputs", List.of("1", "2", "3", "4", "5"))).statusCode());
            assertEquals(422, post(url, "/embed", "{\"inputs\":").statusCode()); // not JSON: TEI's extractor refuses it
            assertEquals(200, post(url, "/v1/embeddings", Map.of("input", List.of("x", "y"))).statusCode());

            HttpResponse<String> r = get(url, "/metrics");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            String m = r.body();
            assertEquals(3.0, sample(m, "te_request_count{method=\"single\"}"), m);
            assertEquals(4.0, sample(m, "te_request_count{method=\"batch\"}"));
            assertEquals(2.0, sample(m, "te_request_success{method=\"single\"}"));
            assertEquals(2.0, sample(m, "te_request_success{method=\"batch\"}"));
            assertEquals(1.0, sample(m, "te_request_failure{err=\"empty\"}"));
            assertEquals(1.0, sample(m, "te_request_failure{err=\"tokenization\"}"));
            assertEquals(1.0, sample(m, "te_request_failure{err=\"batch_size\"}"));
            assertEquals(6.0, sample(m, "te_embed_count"), "inputs that reached the model: 1 + 2 + 1 + 2");
            assertEquals(6.0, sample(m, "te_embed_success"));
            assertEquals(6.0, sample(m, "te_request_input_length_count"));
            for (String h : List.of("te_embed_duration", "te_embed_tokenization_duration", "te_embed_queue_duration",
                    "te_embed_inference_duration")) {
                assertEquals(6.0, sample(m, h + "_count"), h + ": one for each input embedded");
            }
            for (String h : List.of("te_request_duration", "te_request_tokenization_duration",
                    "te_request_queue_duration", "te_request_inference_duration")) {
                assertEquals(4.0, sample(m, h + "_count"), h + ": successful requests only");
                assertTrue(m.contains("# TYPE " + h + " histogram"), h);
                // TEI's 35 duration buckets: 15 µs growing by half each step
                assertEquals(36, m.lines().filter(l -> l.startsWith(h + "_bucket{")).count(), h);
                assertTrue(m.contains(h + "_bucket{le=\"1.5000000000000002E-5\"}"), h);
            }
            assertTrue(sample(m, "te_request_inference_duration_sum") > 0);
            assertEquals(4.0, sample(m, "te_batch_next_size_count"), "four calls of the model");
            assertEquals(6.0, sample(m, "te_batch_next_size_sum"));
            assertEquals(0.0, sample(m, "te_queue_size"));
            assertEquals(1.0, sample(m, "bert_embed_http_requests_total{route=\"/embed\",status=\"422\"}"));
            assertEquals(3.0, sample(m, "bert_embed_http_requests_total{route=\"/embed\",status=\"200\"}"));
            // TEI's input length buckets: powers of two up to the model's maximum input length
            assertTrue(m.contains("te_request_input_length_bucket{le=\"256.0\"}"), m);
            assertTrue(!m.contains("te_request_input_length_bucket{le=\"512.0\"}"));
        }
    }

    /** The value of one sample line of a Prometheus text scrape. */
    static double sample(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " not in " + scrape));
    }

    @Test
    void everyLimitHasItsStatusAndBodyAndTheServerKeepsServing() throws Exception {
        try (SentenceEmbedder model = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString())
                .normalize(false).build();
             EmbeddingServer strict = EmbeddingServer.start(model, "m", ServerSettings.builder().port(0)
                     .maxClientBatchSize(4).apiKey("s3cret").maxBodyBytes(20_000).longText(LongTextPolicy.REFUSE)
                     .build())) {
            String url = strict.url();
            String[] auth = {"Authorization", "Bearer s3cret"};
            HttpResponse<String> r = post(url, "/embed", Map.of("inputs", "x"));
            assertEquals(401, r.statusCode());
            assertEquals("Unauthorized", JSON.readTree(r.body()).get("error_type").asText());
            assertEquals(401, post(url, "/embed", Map.of("inputs", "x"), "Authorization", "Bearer s3cre").statusCode());
            assertEquals(401, post(url, "/embed", Map.of("inputs", "x"), "Authorization", "s3cret").statusCode());
            assertEquals(401, get(url, "/metrics").statusCode());
            assertEquals(200, get(url, "/health").statusCode(), "health needs no key");
            assertEquals(200, get(url, "/ping").statusCode(), "nor TEI's other health routes");
            assertEquals(200, get(url, "/").statusCode());
            assertEquals(401, post(url, "/", Map.of("inputs", "x")).statusCode(), "POST / embeds: it needs the key");
            assertEquals(200, post(url, "/", Map.of("inputs", "x"), auth).statusCode());

            r = post(url, "/embed", Map.of("inputs", List.of("a", "b", "c", "d", "e")), auth);
            assertEquals(413, r.statusCode());
            assertEquals("batch size 5 > maximum allowed batch size 4 (serve --max-client-batch-size)",
                    JSON.readTree(r.body()).get("error").asText());

            String longText = String.join(" ", TestData.english().subList(0, 40));
            int tokens = model.tokenizer().toBuilder().maxLength(0).build().encode(longText).length();
            assertTrue(tokens > 256);
            r = post(url, "/embed", Map.of("inputs", longText), auth);
            assertEquals(413, r.statusCode());
            assertEquals("Input validation error: `inputs` must have less than 256 tokens. Given: " + tokens
                    + " (send \"truncate\": true, or start the server with --long-text truncate)",
                    JSON.readTree(r.body()).get("error").asText());
            r = post(url, "/embed", Map.of("inputs", longText, "truncate", true), auth);
            assertEquals(200, r.statusCode(), "with truncation the same text is embedded");
            assertArrayEquals(inProcess.embed(longText), floats(JSON.readTree(r.body()).get(0)));

            r = post(url, "/embed", Map.of("inputs", "x".repeat(30_000)), auth);
            assertEquals(413, r.statusCode());
            assertTrue(JSON.readTree(r.body()).get("error").asText()
                    .contains("over the limit of 20000 (serve --payload-limit)"));

            r = post(url, "/embed", "{\"inputs\": [\"a\", ", auth);
            assertEquals(422, r.statusCode());
            assertTrue(JSON.readTree(r.body()).get("error").asText().startsWith("Failed to parse the request body"));
            r = post(url, "/embed", Map.of("inputs", 42), auth);
            assertEquals(422, r.statusCode());
            assertEquals("Validation", JSON.readTree(r.body()).get("error_type").asText());
            r = post(url, "/embed", Map.of("inputs", List.of()), auth);
            assertEquals(400, r.statusCode(), "TEI answers 400 for empty inputs");
            assertEquals("Empty", JSON.readTree(r.body()).get("error_type").asText());
            assertEquals("`inputs` cannot be empty", JSON.readTree(r.body()).get("error").asText());
            assertEquals(422, post(url, "/embed", Map.of("inputs", List.of("a", 5)), auth).statusCode());
            assertEquals(422, post(url, "/embed", Map.of("inputs", List.of(101, "a")), auth).statusCode());
            r = post(url, "/embed", Map.of("inputs", List.of(List.of(101, 5_000_000_000L, 102))), auth);
            assertEquals(422, r.statusCode());
            assertTrue(JSON.readTree(r.body()).get("error").asText().contains("outside the vocabulary"));
            r = post(url, "/embed", Map.of("inputs", "a", "prompt_name", "query"), auth);
            assertEquals(413, r.statusCode(), "TEI's status for a validation error");
            assertTrue(JSON.readTree(r.body()).get("error").asText().contains("no prompts were found"));
            // /similarity takes truncate under "parameters", as TEI.
            Map<String, Object> similar = Map.of("source_sentence", "a fox", "sentences", List.of(longText));
            assertEquals(413, post(url, "/similarity", Map.of("inputs", similar), auth).statusCode());
            r = post(url, "/similarity", Map.of("inputs", similar, "parameters", Map.of("truncate", true)), auth);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals((float) VectorMath.dot(inProcess.embed("a fox"), inProcess.embed(longText)),
                    JSON.readTree(r.body()).get(0).floatValue());
            assertEquals(422, post(url, "/embed", Map.of("inputs", "a", "truncate", "yes"), auth).statusCode());
            assertEquals(422, post(url, "/embed", Map.of("inputs", "a", "truncation_direction", "Up"), auth)
                    .statusCode());

            // OpenAI's error object on /v1.
            r = post(url, "/v1/embeddings", Map.of("input", longText, "model", "m"), auth);
            assertEquals(413, r.statusCode());
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertEquals("invalid_request_error", error.get("type").asText());
            assertEquals("input", error.get("param").asText());
            assertEquals("context_length_exceeded", error.get("code").asText());
            assertTrue(error.get("message").asText().endsWith("Given: " + tokens
                    + " (start the server with --long-text truncate)"), error.toString());
            r = post(url, "/v1/embeddings", Map.of("input", "a", "model", "text-embedding-3-small"), auth);
            assertEquals(404, r.statusCode());
            error = JSON.readTree(r.body()).get("error");
            assertEquals("model_not_found", error.get("code").asText());
            assertEquals("invalid_request_error", error.get("type").asText());
            assertEquals("model", error.get("param").asText());
            assertEquals(200, post(url, "/v1/embeddings", Map.of("input", "a"), auth).statusCode(),
                    "no model named: the served one");
            try (EmbeddingServer anyName = EmbeddingServer.start(model, "m", ServerSettings.builder().port(0)
                    .acceptAnyModel(true).build())) {
                r = post(anyName.url(), "/v1/embeddings", Map.of("input", "a fox", "model", "text-embedding-3-small"));
                assertEquals(200, r.statusCode(), "--accept-any-model takes any name, as TEI");
                assertEquals("text-embedding-3-small", JSON.readTree(r.body()).get("model").asText());
            }
            r = post(url, "/v1/embeddings", Map.of("input", "a", "encoding_format", "hex"), auth);
            assertEquals(422, r.statusCode());
            assertEquals("encoding_format", JSON.readTree(r.body()).get("error").get("param").asText());
            r = post(url, "/v1/embeddings", Map.of("input", "a"));
            assertEquals(401, r.statusCode());
            assertEquals("authentication_error", JSON.readTree(r.body()).get("error").get("type").asText());
            assertEquals(404, get(url, "/nope", auth).statusCode());

            r = post(url, "/embed", Map.of("inputs", List.of("still", "serving")), auth);
            assertEquals(200, r.statusCode());
            assertArrayEquals(inProcess.embed("serving"), floats(JSON.readTree(r.body()).get(1)));
        }
    }

    @Test
    void promptNameEmbedsTheModelsPromptBeforeEachInput() throws Exception {
        // A model folder with sentence-transformers prompts: the test model's files and a config naming two.
        Path original = TestData.model("all-minilm-l6-v2").toAbsolutePath();
        Path folder = Files.createDirectories(Files.createTempDirectory("bert-embed-prompts").resolve("all-minilm-l6-v2"));
        for (String file : List.of("model.onnx", "tokenizer.json", ".bert-embed")) {
            if (Files.exists(original.resolve(file))) {
                Files.createSymbolicLink(folder.resolve(file), original.resolve(file));
            }
        }
        Files.writeString(folder.resolve("config_sentence_transformers.json"),
                "{\"prompts\": {\"query\": \"query: \", \"passage\": \"passage: \"}, \"default_prompt_name\": null}");
        try (SentenceEmbedder model = SentenceEmbedder.builder().model(folder.toString()).normalize(false).build();
             EmbeddingServer prompted = EmbeddingServer.start(model, "m", ServerSettings.builder().port(0).build())) {
            assertEquals(Map.of("query", "query: ", "passage", "passage: "), model.prompts());
            String url = prompted.url();
            int[] dog = raw.tokenizer().encode("the dog").ids();
            JsonNode v = JSON.readTree(post(url, "/embed", Map.of("inputs", List.of("a fox", dog),
                    "prompt_name", "query")).body());
            assertArrayEquals(inProcess.embed("query: a fox"), floats(v.get(0)), "the prompt before the text");
            assertArrayEquals(inProcess.embed("query: the dog"), floats(v.get(1)), "before the ids' text, as TEI");
            JsonNode plain = JSON.readTree(post(url, "/embed", Map.of("inputs", "a fox")).body());
            assertArrayEquals(inProcess.embed("a fox"), floats(plain.get(0)), "no prompt_name, no prompt");
            JsonNode tok = JSON.readTree(post(url, "/tokenize", Map.of("inputs", "a fox", "prompt_name", "passage"))
                    .body()).get(0);
            assertEquals("passage", tok.get(1).get("text").asText());
            HttpResponse<String> r = post(url, "/embed", Map.of("inputs", "a fox", "prompt_name", "nope"));
            assertEquals(413, r.statusCode());
            assertTrue(JSON.readTree(r.body()).get("error").asText().endsWith("Available prompts: [query, passage]"),
                    r.body());
            // TEI's --default-prompt: before every input of a request that names none, on every embedding route.
            try (EmbeddingServer defaulted = EmbeddingServer.start(model, "m", ServerSettings.builder().port(0)
                    .defaultPrompt("query: ").build())) {
                String d = defaulted.url();
                assertArrayEquals(inProcess.embed("query: a fox"),
                        floats(JSON.readTree(post(d, "/embed", Map.of("inputs", "a fox")).body()).get(0)));
                assertArrayEquals(inProcess.embed("passage: a fox"), floats(JSON.readTree(post(d, "/embed",
                        Map.of("inputs", "a fox", "prompt_name", "passage")).body()).get(0)), "the request's wins");
                assertArrayEquals(inProcess.embed("query: a fox"), floats(JSON.readTree(post(d, "/v1/embeddings",
                        Map.of("input", "a fox", "encoding_format", "float")).body()).at("/data/0/embedding")));
            }
        } finally {
            try (var files = Files.list(folder)) {
                for (Path f : files.toList()) {
                    Files.delete(f); // the links, not what they point to
                }
            }
            Files.delete(folder);
            Files.delete(folder.getParent());
        }
    }

    @Test
    void anEmbedderThatNormalizesIsRefusedWithAReason() {
        try (SentenceEmbedder normalizing = SentenceEmbedder.builder()
                .model(TestData.model("all-minilm-l6-v2").toString()).build()) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> EmbeddingServer.start(normalizing, "m", ServerSettings.builder().port(0).build()));
            assertTrue(e.getMessage().contains("normalize(false)"), e.getMessage());
        }
    }

    @Test
    void overloadGets429WithRetryAfterAndNoCrash() throws Exception {
        // The model thread stops in its first encoder run until released: the two admitted requests stay in flight.
        java.util.concurrent.CountDownLatch inModel = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean(true);
        io.github.bertembed.StageListener gate = new io.github.bertembed.StageListener() {
            @Override
            public void encoderRun(EncoderRun run) {
                if (armed.getAndSet(false)) {
                    inModel.countDown();
                    try {
                        release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (SentenceEmbedder model = SentenceEmbedder.builder().model(TestData.model("all-minilm-l6-v2").toString())
                .normalize(false).stageListener(gate).build();
             EmbeddingServer small = EmbeddingServer.start(model, "m", ServerSettings.builder().port(0)
                     .maxConcurrentRequests(2).build())) {
            var first = pool.submit(() -> post(small.url(), "/embed", Map.of("inputs", List.of("a", "b"))));
            assertTrue(inModel.await(60, java.util.concurrent.TimeUnit.SECONDS), "the first request is in the model");
            var second = pool.submit(() -> post(small.url(), "/embed", Map.of("inputs", List.of("c"))));
            for (long deadline = System.nanoTime() + 60_000_000_000L; small.inFlight() < 2; ) {
                assertTrue(System.nanoTime() < deadline, "the second request was admitted");
                Thread.sleep(1);
            }
            int refused = 6;
            for (int i = 0; i < refused; i++) {
                HttpResponse<String> r = post(small.url(), "/embed", Map.of("inputs", List.of("d", "e")));
                assertEquals(429, r.statusCode(), r.body());
                assertEquals("1", r.headers().firstValue("Retry-After").orElse(null));
                assertTrue(r.body().contains("(serve --max-concurrent-requests)"), r.body());
                assertEquals("Overloaded", JSON.readTree(r.body()).get("error_type").asText());
            }
            release.countDown();
            assertEquals(200, first.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            String m = get(small.url(), "/metrics").body();
            assertEquals(refused, sample(m, "te_request_failure{err=\"overloaded\"}"), m);
            assertEquals(2, sample(m, "te_request_success{method=\"batch\"}"));
            assertEquals(200, post(small.url(), "/embed", Map.of("inputs", "after")).statusCode());
        } finally {
            pool.shutdownNow();
        }
    }

}
