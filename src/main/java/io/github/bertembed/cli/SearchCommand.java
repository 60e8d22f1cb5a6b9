package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.search.Hit;
import io.github.bertembed.search.SearchOptions;
import io.github.bertembed.search.SemanticSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code search}: the nearest records of an index to each query. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search an index ('index' builds one) for each query's nearest records; the queries are"
                + " embedded by the index's model, with its query prompt.",
                "JSONL output: {\"query\": ..., \"rank\": 1, \"id\": ..., \"score\": ..., \"text\": ...} a hit,"
                        + " best first."})
final class SearchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--index", paramLabel = "DIR", required = true, description = "The index folder.")
    Path index;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "10", description = "Hits per query"
            + " (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--method", paramLabel = "M", defaultValue = "auto", description = "auto (default: the HNSW"
            + " graph if the index has one, else its quantized codes, else exact), exact, quantized or hnsw.")
    SearchOptions.SearchMethod method;

    @Option(names = "--rescore", paramLabel = "N", defaultValue = "4", description = "Quantized search: rescore"
            + " k x N candidates with the float query (default ${DEFAULT-VALUE}; 0: quantized scores only).")
    int rescore;

    @Option(names = "--rescore-against", paramLabel = "T", defaultValue = "float32", description = "float32"
            + " (default: the stored float vectors) or quantized (the codes, as sentence-transformers rescores).")
    SearchOptions.RescoreTarget against;

    @Option(names = "--ef", paramLabel = "N", defaultValue = "100", description = "HNSW: candidates from the graph,"
            + " rescored exactly (default ${DEFAULT-VALUE}).")
    int ef;

    @Option(names = "--binary-score", paramLabel = "S", defaultValue = "float_query", description = "Binary"
            + " indexes: float_query (default: the float query against the rows' signs) or hamming (the query's own"
            + " sign bits, as sentence-transformers).")
    SearchOptions.BinaryScore binaryScore;

    @Option(names = "--input", paramLabel = "FILE", description = "Queries, one a line (or .jsonl {\"text\": ...}).")
    Path input;

    @Option(names = {"--model", "--model-id"}, paramLabel = "NAME|DIR|JAR", description = "The model that embeds"
            + " the queries (default: the index's; another must be the same weights).")
    String model;

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Folder holding named models.")
    Path modelsDir;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for the query model (default: the cores).")
    int threads;

    @Parameters(paramLabel = "QUERY", arity = "0..*", description = "Queries.")
    List<String> queries = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(queries);
        if (input != null) {
            try (InputRecords r = InputRecords.open(input, false)) {
                while (r.hasNext()) {
                    all.add(r.next().text());
                }
            }
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no queries: give QUERY arguments or --input FILE");
        }
        SearchOptions options = new SearchOptions(k, method, rescore, against, ef, binaryScore);
        SentenceEmbedder.Builder b = SentenceEmbedder.builder().modelsDir(modelsDir).threads(threads)
                .downloadProgress(DownloadBar.onTerminal());
        if (model != null) {
            b.model(model);
        }
        try (SemanticSearch search = SemanticSearch.open(index, b);
             PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out,
                     StandardCharsets.UTF_8)))) {
            for (int from = 0; from < all.size(); from += 256) {
                List<String> batch = all.subList(from, Math.min(all.size(), from + 256));
                List<List<Hit>> hits = search.search(batch, options);
                for (int q = 0; q < batch.size(); q++) {
                    for (Hit h : hits.get(q)) {
                        out.println(line(batch.get(q), h));
                    }
                }
            }
        }
        return 0;
    }

    static String line(String query, Hit h) {
        ObjectNode n = JSON.createObjectNode();
        n.put("query", query);
        return h.writeTo(n).toString();
    }
}
