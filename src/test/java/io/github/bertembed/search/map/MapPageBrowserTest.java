package io.github.bertembed.search.map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML map in a real headless Chromium: it loads offline (no request but its own file, no script error), draws N
 * points, shows a point's text on hover, zooms on the wheel, and its search box lights up the text's nearest
 * neighbours as exact search finds them. CI installs Debian's chromium; without one the test is skipped unless
 * BERT_EMBED_TEST_REQUIRE_BROWSER is set.
 */
@Tag("reference")
class MapPageBrowserTest {
    @TempDir
    Path tmp;

    @Test
    void pageLoadsOfflineShowsThePointsHoverZoomAndNeighbours() throws Exception {
        boolean required = System.getenv("BERT_EMBED_TEST_REQUIRE_BROWSER") != null;
        if (HeadlessBrowser.executable() == null) {
            Assumptions.assumeFalse(!required, "no chromium on this machine");
            throw new AssertionError("BERT_EMBED_TEST_REQUIRE_BROWSER is set but no chromium is installed");
        }
        List<String> texts = new ArrayList<>(TestData.english().subList(0, 400));
        texts.add("A text with </script> and <b>markup</b> & \"quotes\" in it");
        List<float[]> vectors;
        try (SentenceEmbedder e = SentenceEmbedder.builder().model("all-minilm-l6-v2")
                .modelsDir(TestData.modelsDir()).build()) {
            vectors = e.embedAll(texts);
        }
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            groups.add(texts.get(i).length() < 80 ? "short" : "long");
        }
        EmbeddingMap map = EmbeddingMap.of("fortunes", texts, vectors, null, groups, List.of(), 5);
        Path page = tmp.resolve("map.html");
        MapPage.write(map, page);

        try (HeadlessBrowser browser = new HeadlessBrowser(tmp.resolve("profile"))) {
            browser.open(page.toUri().toString());
            for (JsonNode e : browser.events) {
                String method = e.path("method").asText();
                if (method.equals("Network.requestWillBeSent")) {
                    String url = e.path("params").path("request").path("url").asText();
                    assertTrue(url.startsWith("file:"), "the page asked the network for " + url);
                }
                assertTrue(!method.equals("Runtime.exceptionThrown"), "script error: " + e);
            }
            assertEquals(texts.size(), browser.eval("window.bertEmbedMap.count()").asInt());

            // hover over a point: its text shows
            int target = 17;
            JsonNode at = browser.eval("window.bertEmbedMap.screenPosition(" + target + ")");
            assertTrue(browser.eval("window.bertEmbedMap.tooltip()").isNull(), "no tooltip before hovering");
            browser.mouse("mouseMoved", at.get(0).asDouble(), at.get(1).asDouble(), Map.of());
            JsonNode tip = browser.eval("window.bertEmbedMap.tooltip()");
            assertNotNull(tip);
            // the point under the cursor may be another one drawn on the same pixel: its text, then
            int under = browser.eval("(function(){var p=window.bertEmbedMap, x=" + at.get(0) + ", y=" + at.get(1)
                    + ", best=-1, d=1e9; for (var i=0;i<p.count();i++){var s=p.screenPosition(i);"
                    + " var e=(s[0]-x)*(s[0]-x)+(s[1]-y)*(s[1]-y); if (e<d){d=e;best=i;}} return best;})()").asInt();
            assertEquals(texts.get(under).length() > MapPage.TEXT_CHARS ? texts.get(under).substring(0,
                    MapPage.TEXT_CHARS) + "…" : texts.get(under), tip.asText());
            browser.mouse("mouseMoved", 3, 3, Map.of());
            assertTrue(browser.eval("window.bertEmbedMap.tooltip()").isNull(), "the tooltip goes away");

            // the wheel zooms in around the cursor
            double before = browser.eval("window.bertEmbedMap.scale()").asDouble();
            browser.mouse("mouseWheel", 600, 450, Map.of("deltaX", 0, "deltaY", -400));
            assertTrue(browser.eval("window.bertEmbedMap.scale()").asDouble() > 1.5 * before, "zoomed in");

            // typing in the search box lights up the text and its nearest neighbours in the vector space
            browser.eval("document.getElementById('search').focus()");
            browser.call("Input.insertText", Map.of("text", "</script> and <b>markup"));
            JsonNode lit = browser.eval("window.bertEmbedMap.highlighted()");
            int self = texts.size() - 1;
            List<Integer> expected = new ArrayList<>();
            expected.add(self);
            for (int j : map.neighbours()[self]) {
                expected.add(j);
            }
            List<Integer> got = new ArrayList<>();
            lit.forEach(n -> got.add(n.asInt()));
            assertEquals(expected, got);
            assertEquals(bruteForceNeighbours(vectors, self, 5), got.subList(1, got.size()));
            assertTrue(browser.eval("document.getElementById('panel').textContent").asText()
                    .contains(texts.get(expected.get(1)).substring(0, 20)), "the panel lists the neighbours");
        }
    }

    /** The k rows of highest dot product with row i, other than i, ties by row. */
    static List<Integer> bruteForceNeighbours(List<float[]> vectors, int i, int k) {
        List<Integer> rows = new ArrayList<>();
        double[] s = new double[vectors.size()];
        for (int r = 0; r < vectors.size(); r++) {
            double dot = 0;
            for (int j = 0; j < vectors.get(r).length; j++) {
                dot += (double) vectors.get(i)[j] * vectors.get(r)[j];
            }
            s[r] = dot;
            if (r != i) {
                rows.add(r);
            }
        }
        rows.sort((a, b) -> s[a] != s[b] ? Double.compare(s[b], s[a]) : Integer.compare(a, b));
        return rows.subList(0, k);
    }
}
