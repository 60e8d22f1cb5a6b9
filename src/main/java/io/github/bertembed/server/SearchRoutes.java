package io.github.bertembed.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.github.bertembed.Embedding;
import io.github.bertembed.pooling.VectorMath;
import io.github.bertembed.search.Hit;
import io.github.bertembed.search.SearchOptions;
import io.github.bertembed.search.VectorIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /search} (bert-embed's own route, not TEI's): {@code {"query": "..."}} or {@code {"queries": [...]}}
 * with an optional {@code "k"} (default 10), embedded by the server's model as the index's queries are (its query
 * prompt, normalized as its vectors are), then searched. Same admission, limits and metrics as the embedding routes;
 * a server started without an index answers 404.
 */
final class SearchRoutes {
    /** Most hits a query may ask for. */
    static final int MAX_K = 1000;

    private final InferenceService service;
    private final ServerSettings settings;
    private final VectorIndex index;
    private final ObjectMapper json;

    SearchRoutes(InferenceService service, ServerSettings settings, VectorIndex index, ObjectMapper json) {
        this.service = service;
        this.settings = settings;
        this.index = index;
        this.json = json;
    }

    Object search(JsonNode body) {
        if (index == null) {
            throw new ApiError(404, "Validation", "this server has no search index: start it with serve --index DIR",
                    null);
        }
        JsonNode query = body.get("query");
        JsonNode queries = body.get("queries");
        if ((query == null || query.isNull()) == (queries == null || queries.isNull())) {
            throw ApiError.validation("give `query` (a string) or `queries` (an array of strings)", "query");
        }
        boolean single = query != null && !query.isNull();
        if (single && !query.isTextual()) {
            throw ApiError.validation("`query` must be a string", "query");
        }
        List<String> texts = single ? List.of(query.asText())
                : service.inputs(Protocol.TEI).texts(queries, "queries");
        int k = k(body);
        String prompt = index.manifest().queryPrompt();
        List<String> prompted = new ArrayList<>(texts.size());
        long characters = 0;
        for (String t : texts) {
            prompted.add(prompt + t);
            characters += t.length();
        }
        InferenceService.Embedded embedded = service.embedTexts(prompted, TeiRoutes.truncate(body, settings), false,
                single ? "query" : "queries", characters);
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (Embedding e : embedded.vectors()) {
            vectors.add(index.manifest().normalized() ? VectorMath.normalized(e.vector()) : e.vector());
        }
        List<List<Hit>> hits = index.searchAll(vectors, SearchOptions.top(k));
        ArrayNode out = json.createArrayNode();
        for (List<Hit> h : hits) {
            out.add(hits(h));
        }
        return new ComputeStats.Answer(single ? out.get(0) : out, embedded.stats());
    }

    private ArrayNode hits(List<Hit> hits) {
        ArrayNode a = json.createArrayNode();
        for (Hit h : hits) {
            h.writeTo(a.addObject());
        }
        return a;
    }

    private static int k(JsonNode body) {
        JsonNode k = body.get("k");
        if (k == null || k.isNull()) {
            return 10;
        }
        if (!k.isIntegralNumber() || k.asLong() < 1 || k.asLong() > MAX_K) {
            throw ApiError.validation("`k` must be an integer from 1 to " + MAX_K + ", got " + k, "k");
        }
        return k.asInt();
    }
}
