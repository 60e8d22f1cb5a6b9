package io.github.bertembed.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The server's API described, where TEI describes its own: the OpenAPI 3 document at {@code /api-doc/openapi.json}
 * (every route, its request and response shapes, its errors) and Swagger UI for it at {@code /docs}, from the
 * {@code org.webjars:swagger-ui} jar when it is on the classpath (it is in the runnable jar).
 *
 * <p>The document is written by hand ({@code openapi.json} beside this class) and held to the server by
 * {@code ApiDocsTest}: every route the server registers is in it, and the server's real answers validate against
 * it. Only its version and, without an API key, its security scheme are set here.
 */
final class ApiDocs {
    static final String DOCUMENT_PATH = "/api-doc/openapi.json";
    static final String PAGE_PATH = "/docs";
    private static final String WEBJAR_PROPERTIES = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";

    private final byte[] document;
    private final String page;

    /**
     * @param keyed whether the server requires {@code Authorization: Bearer KEY} (the document then says so)
     */
    ApiDocs(ObjectMapper json, String version, boolean keyed) {
        try (InputStream in = ApiDocs.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the server's classes");
            }
            ObjectNode doc = (ObjectNode) json.readTree(in);
            ((ObjectNode) doc.get("info")).put("version", version);
            if (!keyed) { // no lock on the routes and no "Authorize" in Swagger UI for a server without a key
                doc.remove("security");
                ((ObjectNode) doc.get("components")).remove("securitySchemes");
            }
            this.document = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server's openapi.json", e);
        }
        String swaggerUi = swaggerUiVersion();
        this.page = swaggerUi == null ? null : page(swaggerUi);
    }

    byte[] document() {
        return document;
    }

    /** The Swagger UI page, or null when swagger-ui's webjar is not on the classpath. */
    String page() {
        return page;
    }

    private static String swaggerUiVersion() {
        try (InputStream in = ApiDocs.class.getResourceAsStream(WEBJAR_PROPERTIES)) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The page, with URLs relative to it ({@code /docs} has no trailing slash, so they resolve against the server's
     * root) so that it also works behind a proxy that serves the server under a path of its own.
     */
    private static String page(String swaggerUi) {
        String assets = "webjars/swagger-ui/" + swaggerUi + "/";
        return """
                <!DOCTYPE html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>bert-embed API</title>
                  <link rel="stylesheet" href="%sswagger-ui.css">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="%sswagger-ui-bundle.js"></script>
                  <script>
                    window.ui = SwaggerUIBundle({url: "%s", dom_id: "#swagger-ui", deepLinking: true});
                  </script>
                </body>
                </html>
                """.formatted(assets, assets, DOCUMENT_PATH.substring(1));
    }
}
