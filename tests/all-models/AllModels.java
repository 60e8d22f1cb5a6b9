import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.github.bertembed.SentenceEmbedder;
import io.github.bertembed.pooling.VectorMath;

import java.nio.file.*;
import java.util.*;
import java.util.jar.*;
import java.util.zip.GZIPInputStream;

/**
 * For each langchain4j model jar on the classpath: bert-embed's vectors (the model named, found in its jar) against
 * langchain4j's own model class for it, on 200 fortunes that langchain4j sees whole (at most 128 tokens).
 * Run by run.sh beside it.
 */
public class AllModels {
    public static void main(String[] args) throws Exception {
        List<String> en = new ArrayList<>(), zh = new ArrayList<>();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (var f : List.of("fortunes-en.jsonl.gz", "fortunes-zh.jsonl.gz")) {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(new GZIPInputStream(Files.newInputStream(Path.of(System.getProperty("corpora"), f)))))) {
                String line; while ((line = r.readLine()) != null) (f.contains("zh") ? zh : en).add(json.readTree(line).get("text").asText());
            }
        }
        for (String entry : System.getProperty("java.class.path").split(":")) {
            if (!entry.contains("langchain4j-embeddings-") || entry.contains("langchain4j-embeddings-1")) continue;
            String cls = null, name = null;
            try (JarFile jar = new JarFile(entry)) {
                for (var e : Collections.list(jar.entries())) {
                    if (e.getName().endsWith("EmbeddingModel.class")) cls = e.getName().replace('/', '.').replace(".class", "");
                    if (!e.getName().contains("/") && e.getName().endsWith(".onnx")) name = e.getName().replace(".onnx", "");
                }
            }
            EmbeddingModel theirs = (EmbeddingModel) Class.forName(cls).getConstructor().newInstance();
            try (SentenceEmbedder ours = SentenceEmbedder.builder().model(name).build()) {
                List<String> texts = new ArrayList<>();
                for (String t : name.contains("zh") ? zh : en) {
                    if (!t.isBlank() && ours.tokenizer().encode(t).length() <= 128) texts.add(t);
                    if (texts.size() == 200) break;
                }
                List<float[]> mine = ours.embedAll(texts);
                double worst = 1; double maxAbs = 0;
                for (int i = 0; i < texts.size(); i++) {
                    float[] v = theirs.embed(TextSegment.from(texts.get(i))).content().vector();
                    worst = Math.min(worst, VectorMath.cosine(mine.get(i), v));
                    maxAbs = Math.max(maxAbs, VectorMath.maxAbsDifference(mine.get(i), v));
                }
                System.out.printf("%-20s dim %d layers %d pooling %s (%s) max %d (%s): vs langchain4j %s min cosine %.8f, max abs %.3g over %d texts; from %s%n",
                        name, ours.dimension(), ours.layers(), ours.pooling(), ours.settings().poolingSource(), ours.maxLength(),
                        ours.settings().maxLengthSource(), cls.substring(cls.lastIndexOf('.') + 1), worst, maxAbs, texts.size(), ours.location().origin().replaceAll(".*/", ""));
            }
        }
    }
}
