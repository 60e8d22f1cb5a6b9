package io.github.bertembed.search.map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A map as one self-contained HTML page (no network: its script and data are inline): the points on a canvas,
 * coloured by group, the text on hover, zoom (wheel) and pan (drag), and a search box that finds texts and
 * highlights a text's nearest neighbours (found in the original vector space, not on the plane).
 *
 * <pre>{@code
 * MapPage.write(map, Path.of("map.html"));
 * }</pre>
 */
public final class MapPage {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Characters of a text kept for hover and search. */
    static final int TEXT_CHARS = 600;

    private MapPage() {
    }

    public static void write(EmbeddingMap map, Path file) throws IOException {
        String template;
        try (InputStream in = MapPage.class.getResourceAsStream("map.html")) {
            if (in == null) {
                throw new IllegalStateException("map.html is missing from the map's classes");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // inside <script>: "</" would end the element, so it is written as the equivalent JSON escape
        String data = JSON.writeValueAsString(data(map)).replace("</", "<\\/");
        Files.writeString(file, template.replace("/*MAP_DATA*/null", data)
                .replace("<!--TITLE-->", escape(map.title())), StandardCharsets.UTF_8);
    }

    static ObjectNode data(EmbeddingMap map) {
        ObjectNode d = JSON.createObjectNode();
        d.put("title", map.title());
        d.putArray("explained").add(map.explained()[0]).add(map.explained()[1]);
        ArrayNode groups = d.putArray("groups");
        map.groups().forEach(groups::add);
        ArrayNode pts = d.putArray("points");
        for (int i = 0; i < map.points().size(); i++) {
            EmbeddingMap.Point p = map.points().get(i);
            ObjectNode o = pts.addObject();
            o.put("x", Math.round(p.x() * 1e5) / 1e5);
            o.put("y", Math.round(p.y() * 1e5) / 1e5);
            String t = p.text().length() > TEXT_CHARS ? p.text().substring(0, TEXT_CHARS) + "…" : p.text();
            o.put("t", t);
            if (p.label() != null) {
                o.put("l", p.label());
            }
            if (p.group() != null) {
                o.put("g", map.groups().indexOf(p.group()));
            }
            ArrayNode n = o.putArray("n");
            ArrayNode s = o.putArray("s");
            if (map.neighbours() != null && map.neighbours()[i] != null) {
                for (int j = 0; j < map.neighbours()[i].length; j++) {
                    n.add(map.neighbours()[i][j]);
                    s.add(Math.round(map.scores()[i][j] * 1e4) / 1e4);
                }
            }
        }
        ArrayNode arrows = d.putArray("arrows");
        for (int[] a : map.arrows()) {
            arrows.addArray().add(a[0]).add(a[1]);
        }
        return d;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
