package io.github.bertembed.cli;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.bench.SearchBench;
import io.github.bertembed.search.VectorIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench-search}: search methods side by side on one index. */
@Command(name = "bench-search", mixinStandardHelpOptions = true,
        description = {"Benchmark search on an index: exact (one query at a time, and a batch), quantized with and"
                + " without rescoring, HNSW; recall@k against exact search, time and queries/s, memory. Prints Markdown.",
                "--synthetic N measures exact search on N random unit vectors (built in a temporary folder)."})
final class BenchSearchCommand implements Callable<Integer> {
    @Option(names = "--index", paramLabel = "DIR", description = "The index to search.")
    Path index;

    @Option(names = "--queries", paramLabel = "FILE", description = "Query texts (one a line, or .jsonl), embedded by"
            + " the index's model (default: --query-rows rows of the index itself).")
    Path queries;

    @Option(names = "--query-rows", paramLabel = "N", defaultValue = "100", description = "Without --queries: this"
            + " many of the index's own rows as queries (default ${DEFAULT-VALUE}).")
    int queryRows;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "Most queries read from"
            + " --queries (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--synthetic", paramLabel = "N", description = "Instead of --index: N random 384-d unit vectors.")
    Long synthetic;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "10", description = "Hits per query (default"
            + " ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Rounds, methods taking turns"
            + " (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Folder holding named models.")
    Path modelsDir;

    @Override
    public Integer call() throws Exception {
        if ((index == null) == (synthetic == null)) {
            throw new IllegalArgumentException("give --index DIR or --synthetic N");
        }
        Path tmp = null;
        VectorIndex opened;
        if (synthetic != null) {
            tmp = Files.createTempDirectory("bert-embed-bench-search");
            System.err.println("bench-search: writing " + synthetic + " random vectors to " + tmp);
            opened = SearchBench.synthetic(tmp.resolve("index"), synthetic, 384);
        } else {
            opened = VectorIndex.open(index);
        }
        try (VectorIndex searched = opened) {
            List<float[]> q;
            if (queries != null) {
                List<String> texts = new ArrayList<>();
                try (InputRecords r = InputRecords.open(queries, false)) {
                    while (r.hasNext() && texts.size() < limit) {
                        texts.add(searched.manifest().queryPrompt() + r.next().text());
                    }
                }
                try (SentenceEmbedder e = SentenceEmbedder.builder().model(searched.manifest().model())
                        .modelsDir(modelsDir).build()) {
                    q = e.embedAll(texts);
                }
            } else {
                q = SearchBench.rowsAsQueries(searched, queryRows);
            }
            System.out.print(new SearchBench(searched, q, k, rounds, m -> System.err.println("bench-search: " + m))
                    .run());
        } finally {
            if (tmp != null) {
                try (var files = Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        return 0;
    }
}
