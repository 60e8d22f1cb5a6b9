package io.github.bertembed.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.bertembed.tokenizer.BertTokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Single-thread encode throughput of whole corpora: our WordPiece against HuggingFace tokenizers (through DJL)
 * on the same tokenizer.json, same texts, no truncation or padding. One operation = one pass over the corpus;
 * texts/s = ops/s × corpus size (printed at setup), tokens/s = texts/s × tokens per text.
 *
 * <p>Run: {@code mvn -Pjmh -DskipTests package && java -jar target/benchmarks.jar TokenizerBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Threads(1)
public class TokenizerBenchmark {

    /** en: Debian fortunes with the uncased all-MiniLM tokenizer; zh: fortunes-zh with the cased bge one. */
    @Param({"en", "zh"})
    public String corpus;

    private List<String> texts;
    private BertTokenizer ours;
    private HuggingFaceTokenizer huggingFace;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path models = Path.of(System.getProperty("bertembed.models", "onnx-models"));
        Path tests = Path.of(System.getProperty("bertembed.tests", "tests"));
        String model = corpus.equals("en") ? "all-minilm-l6-v2" : "bge-small-zh-v1.5";
        Path json = models.resolve(model).resolve("tokenizer.json");
        texts = read(tests.resolve("corpora").resolve("fortunes-" + corpus + ".jsonl.gz"));
        ours = BertTokenizer.fromFile(json);
        huggingFace = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false", "truncation", "false"));
        long tokens = 0;
        for (String t : texts) {
            tokens += ours.encode(t).length();
        }
        System.out.printf("%n[corpus %s: %d texts, %d tokens, %.1f tokens/text]%n", corpus, texts.size(), tokens,
                tokens / (double) texts.size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        huggingFace.close();
    }

    @Benchmark
    public void bertEmbed(Blackhole bh) {
        for (String t : texts) {
            bh.consume(ours.encode(t));
        }
    }

    @Benchmark
    public void huggingFaceDjl(Blackhole bh) {
        for (String t : texts) {
            bh.consume(huggingFace.encode(t));
        }
    }

    static List<String> read(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(json.readTree(line).get("text").asText());
            }
        }
        return out;
    }
}
