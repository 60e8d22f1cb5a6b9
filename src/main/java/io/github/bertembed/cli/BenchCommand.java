package io.github.bertembed.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.github.bertembed.bench.Bench;
import io.github.bertembed.bench.BenchCorpus;
import io.github.bertembed.bench.BenchPlot;
import io.github.bertembed.bench.BenchResults;
import io.github.bertembed.LongTextPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code bench}: latency and throughput, with peers side by side. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark: warm-up, latency p50/p90/p99/max of single short, medium and long texts,"
                + " throughput at each batch size, per-stage breakdown and encoder efficiency against the machine's"
                + " MatMul rate; with --compare, langchain4j and a plain onnxruntime + HuggingFace pipeline in the"
                + " same run, each engine in a JVM of its own. Prints Markdown; --json and --plot write the same results."})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--corpus", paramLabel = "FILE", description = "Texts (.txt, .jsonl, .jsonl.gz); default:"
            + " tests/corpora/fortunes-en.jsonl.gz.")
    Path corpus;

    @Option(names = "--documents", paramLabel = "N", defaultValue = "2000", description = "Documents; default ${DEFAULT-VALUE}.")
    int documents;

    @Option(names = "--batch-sizes", paramLabel = "LIST", split = ",", defaultValue = "1,8,32",
            description = "Batch sizes; default ${DEFAULT-VALUE}.")
    List<Integer> batchSizes;

    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: the cores).")
    int threads;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "200", description = "Latency samples per text; default ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "100", description = "Latency warm-up calls per text in"
            + " each engine's JVM (a fresh JVM's JIT needs them); default ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3", description = "Rounds in which bert-embed and the"
            + " peers take turns (throughput and latency), so that drift of the machine's speed falls on all alike;"
            + " default ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--compare", description = "Also run langchain4j and a plain onnxruntime + HF pipeline.")
    boolean compare;

    @Option(names = "--max-length", paramLabel = "N", description = "Max tokens (langchain4j uses 128 for all-minilm).")
    Integer maxLength;

    @Option(names = "--long-text", paramLabel = "POLICY", defaultValue = "truncate",
            description = "truncate (default), refuse, chunk or chunks.")
    LongTextPolicy longText;

    @Option(names = "--baseline", paramLabel = "MODEL", description = "Another model to compare with: docs/s ratio and"
            + " cosine of the vectors (e.g. the fp32 model of an int8 one).")
    String baseline;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE", description = "Write a PNG chart of latency and throughput.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        Bench.Options options = new Bench.Options(model.model, model.modelsDir,
                corpus != null ? corpus : BenchCorpus.defaultCorpus(), documents, batchSizes, threads, iterations,
                warmup, compare, maxLength, longText, baseline, rounds);
        BenchResults results = new Bench(options, m -> System.err.println("bench: " + m)).run();
        System.out.print(results.markdown());
        System.out.flush();
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), results);
        }
        if (plot != null) {
            BenchPlot.write(results, plot);
        }
        return 0;
    }
}
