package io.github.bertembed.bench;

import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.embedding.InputEmbeddings;
import io.github.bertembed.onnx.EmbeddingLayerGraph;
import io.github.bertembed.onnx.EncoderGraph;
import io.github.bertembed.onnx.OnnxEncoder;
import io.github.bertembed.onnx.OnnxModelFile;
import io.github.bertembed.onnx.SessionOptions;
import io.github.bertembed.pooling.Pooling;
import io.github.bertembed.tokenizer.BertTokenizer;
import io.github.bertembed.tokenizer.Encoding;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Each stage of the pipeline on one batch of English fortunes (max length 128), and the whole pipeline: time per
 * batch. The stages' sum against {@code endToEnd} shows where time goes; the Java stages (tokenize, input
 * embeddings, pooling) should be a few percent of it.
 *
 * <p>Run: {@code mvn -Pjmh -DskipTests package && java -jar target/benchmarks.jar EmbeddingBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class EmbeddingBenchmark {
    /** Texts per batch. */
    @Param({"1", "32"})
    public int batch;

    private List<String> texts;
    private BertTokenizer tokenizer;
    private List<Encoding> encodings;
    private int seq;
    private InputEmbeddings inputs;
    private float[] embedded;
    private long[] mask;
    private float[] hidden;
    private OnnxEncoder encoder;
    private SentenceEmbedder embedder;
    private int dim;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path models = Path.of(System.getProperty("bertembed.models", "onnx-models"));
        Path tests = Path.of(System.getProperty("bertembed.tests", "tests"));
        texts = BenchCorpus.read(tests.resolve("corpora/fortunes-en.jsonl.gz"), 1000).subList(500, 500 + batch);
        embedder = SentenceEmbedder.builder().modelsDir(models).model("all-minilm-l6-v2").maxLength(128)
                .batchSize(batch).build();
        tokenizer = embedder.tokenizer();
        inputs = embedder.inputEmbeddings();
        dim = inputs.hidden();
        encodings = tokenizer.encodeBatch(texts);
        for (Encoding e : encodings) {
            seq = Math.max(seq, e.length());
        }
        embedded = inputEmbeddings(encodings, seq);
        mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < encodings.get(b).length(); t++) {
                mask[b * seq + t] = 1;
            }
        }
        OnnxModelFile model = OnnxModelFile.read(embedder.folder().resolve("model.onnx"));
        encoder = OnnxEncoder.open(EncoderGraph.cut(model, EmbeddingLayerGraph.find(model),
                io.github.bertembed.onnx.EncoderRewrite.PLAIN), SessionOptions.defaults());
        hidden = encoder.run(embedded, mask, batch, seq, dim);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoder.close();
        embedder.close();
    }

    @Benchmark
    public List<Encoding> tokenize() {
        return tokenizer.encodeBatch(texts);
    }

    @Benchmark
    public float[] inputEmbeddings() {
        return inputEmbeddings(encodings, seq);
    }

    @Benchmark
    public float[] encoder() {
        return encoder.run(embedded, mask, batch, seq, dim);
    }

    @Benchmark
    public void pooling(Blackhole bh) {
        for (int b = 0; b < batch; b++) {
            float[] v = new float[dim];
            Pooling.MEAN.pool(hidden, b, seq, dim, encodings.get(b).attentionMask(), v);
            bh.consume(v);
        }
    }

    @Benchmark
    public List<float[]> endToEnd() {
        return embedder.embedAll(texts);
    }

    /** The input embedding layer over a batch padded to {@code seq}, as the embedder runs it. */
    private float[] inputEmbeddings(List<Encoding> batch, int seq) {
        int hidden = inputs.hidden();
        float[] x = new float[batch.size() * seq * hidden];
        for (int b = 0; b < batch.size(); b++) {
            Encoding e = batch.get(b);
            inputs.compute(e.ids(), e.typeIds(), e.attentionMask(), x, b * seq * hidden);
        }
        return x;
    }
}
