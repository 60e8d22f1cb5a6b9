package io.github.bertembed.bench;

import io.github.bertembed.batch.Precision;
import io.github.bertembed.search.Hit;
import io.github.bertembed.search.IndexManifest;
import io.github.bertembed.search.SearchOptions;
import io.github.bertembed.search.SearchOptions.SearchMethod;
import io.github.bertembed.search.VectorIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Search side by side on one index: exact search (one query at a time, and all queries as one batch), the
 * quantized codes with and without rescoring, and the HNSW graph, in rounds that take turns; each with its recall
 * against exact search, its speed and the memory its vectors take.
 *
 * <pre>{@code
 * String table = new SearchBench(index, queries, 10, 3, System.err::println).run();
 * }</pre>
 */
public final class SearchBench {
    private final VectorIndex index;
    private final List<float[]> queries;
    private final int k;
    private final int rounds;
    private final Consumer<String> log;

    public SearchBench(VectorIndex index, List<float[]> queries, int k, int rounds, Consumer<String> log) {
        this.index = index;
        this.queries = queries;
        this.k = k;
        this.rounds = rounds;
        this.log = log;
    }

    /** Rows of the index, spread evenly, as queries (each finds itself first: a test of the plumbing, not recall). */
    public static List<float[]> rowsAsQueries(VectorIndex index, int n) {
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(index.vector(i * (index.size() / n)));
        }
        return out;
    }

    /**
     * An index of {@code rows} random unit vectors (a fixed seed): exact search costs the same whatever the
     * vectors are, so speed at a size no collection here reaches can be measured.
     */
    public static VectorIndex synthetic(Path dir, long rows, int dimension) throws IOException {
        Files.createDirectories(dir.getParent());
        VectorIndex index = VectorIndex.create(dir, IndexManifest.of("synthetic", null, dimension, true, "mean", 0, "",
                "", Precision.FLOAT32, false));
        Random r = new Random(42);
        for (long i = 0; i < rows; i++) {
            float[] v = new float[dimension];
            double norm = 0;
            for (int j = 0; j < dimension; j++) {
                v[j] = (float) r.nextGaussian();
                norm += v[j] * v[j];
            }
            for (int j = 0; j < dimension; j++) {
                v[j] /= (float) Math.sqrt(norm);
            }
            index.add(i, null, v);
            if (i % 65536 == 65535) {
                index.checkpoint();
            }
        }
        index.commit();
        return index;
    }

    /** Runs every method the index offers and returns a Markdown table. */
    public String run() {
        List<long[]> exact = new ArrayList<>();
        for (List<Hit> hits : index.searchAll(queries, options(SearchMethod.EXACT, 4))) {
            exact.add(hits.stream().mapToLong(Hit::row).toArray());
        }
        List<String> names = new ArrayList<>();
        List<Runnable> runs = new ArrayList<>();
        List<double[]> recall = new ArrayList<>();
        List<double[][]> times = new ArrayList<>();
        // exact, one query at a time
        add(names, runs, recall, times, "exact, one query at a time", () -> {
            for (float[] q : queries) {
                index.search(q, options(SearchMethod.EXACT, 4));
            }
        }, 1.0);
        add(names, runs, recall, times, "exact, " + queries.size() + " queries as one batch",
                () -> index.searchAll(queries, options(SearchMethod.EXACT, 4)), 1.0);
        Precision p = index.manifest().precisionValue();
        if (p != Precision.FLOAT32) {
            for (int rescore : new int[] {0, 4}) {
                SearchOptions o = options(SearchMethod.QUANTIZED, rescore);
                add(names, runs, recall, times, p.name().toLowerCase() + (p == Precision.BINARY ? ", float query" : "")
                        + (rescore == 0 ? ", no rescoring"
                        : ", rescore x" + rescore) + ", batch", () -> index.searchAll(queries, o),
                        recall(exact, index.searchAll(queries, o)));
            }
        }
        if (p == Precision.BINARY) {
            for (int rescore : new int[] {0, 4}) {
                SearchOptions o = options(SearchMethod.QUANTIZED, rescore)
                        .withBinaryScore(SearchOptions.BinaryScore.HAMMING);
                add(names, runs, recall, times, "binary, Hamming (sentence-transformers), " + (rescore == 0
                        ? "no rescoring" : "rescore x" + rescore) + ", batch", () -> index.searchAll(queries, o),
                        recall(exact, index.searchAll(queries, o)));
            }
        }
        if (index.manifest().hnsw()) {
            SearchOptions o = options(SearchMethod.HNSW, 4);
            add(names, runs, recall, times, "HNSW (Lucene, ef 100), one query at a time", () -> {
                for (float[] q : queries) {
                    index.search(q, o);
                }
            }, recall(exact, index.searchAll(queries, o)));
        }
        for (Runnable r : runs) {
            r.run(); // warm-up: JIT, sessions, page cache
        }
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < runs.size(); m++) {
                long t0 = System.nanoTime();
                runs.get(m).run();
                times.get(m)[0][round] = (System.nanoTime() - t0) / 1e9;
            }
            log.accept("round " + (round + 1) + " of " + rounds);
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format("%,d rows of %d dimensions, %d queries, k = %d, %d rounds (median):%n%n",
                index.size(), index.manifest().dimension(), queries.size(), k, rounds));
        md.append("| method | recall@").append(k).append(" vs exact | time for all queries | per query | queries/s |\n");
        md.append("|---|---|---|---|---|\n");
        for (int m = 0; m < runs.size(); m++) {
            double[] t = times.get(m)[0].clone();
            Arrays.sort(t);
            double median = t[t.length / 2];
            md.append(String.format("| %s | %.4f | %.3f s | %.2f ms | %,.0f |%n", names.get(m), recall.get(m)[0],
                    median, 1000 * median / queries.size(), queries.size() / median));
        }
        md.append(String.format("%nmemory of the searched vectors: %,d bytes (%s)%n", index.vectorMemoryBytes(),
                index.manifest().precision()));
        return md.toString();
    }

    private SearchOptions options(SearchMethod m, int rescore) {
        return SearchOptions.top(k).withMethod(m).withRescore(rescore);
    }

    private void add(List<String> names, List<Runnable> runs, List<double[]> recall, List<double[][]> times,
                     String name, Runnable run, double r) {
        names.add(name);
        runs.add(run);
        recall.add(new double[] {r});
        times.add(new double[][] {new double[rounds]});
    }

    /** The share of exact search's top-k that {@code found} holds, over all queries. */
    public static double recall(List<long[]> exact, List<List<Hit>> found) {
        long hit = 0;
        long total = 0;
        for (int q = 0; q < exact.size(); q++) {
            Set<Long> truth = new HashSet<>();
            for (long r : exact.get(q)) {
                truth.add(r);
            }
            for (Hit h : found.get(q)) {
                hit += truth.contains(h.row()) ? 1 : 0;
            }
            total += exact.get(q).length;
        }
        return (double) hit / total;
    }
}
