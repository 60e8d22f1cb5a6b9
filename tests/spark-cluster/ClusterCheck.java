import io.github.bertembed.SentenceEmbedder;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The two ends of the cluster run (run.sh): "prepare N corpus out.parquet out.jsonl" writes N English documents
 * (the fortunes, then pairs of them) with ids as Parquet and as JSONL; "verify docs.parquet vectors.parquet" reads
 * EmbedJob's output and compares every vector with the in-process SentenceEmbedder.embed of its text, bit for bit.
 */
public class ClusterCheck {
    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("cluster-check")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        if (args[0].equals("prepare")) {
            prepare(spark, Integer.parseInt(args[1]), Path.of(args[2]), args[3], Path.of(args[4]));
        } else {
            verify(spark, args[1], args[2]);
        }
        spark.stop();
    }

    static void prepare(SparkSession spark, int n, Path corpus, String parquet, Path jsonl) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> fortunes = new ArrayList<>();
        try (var r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(corpus)),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                fortunes.add(json.readTree(line).get("text").asText());
            }
        }
        List<Row> rows = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int k = i % fortunes.size();
            String text = i < fortunes.size() ? fortunes.get(k)
                    : fortunes.get(k) + "\n" + fortunes.get((k + 1) % fortunes.size());
            rows.add(RowFactory.create((long) i, text));
            lines.append(json.writeValueAsString(Map.of("id", i, "text", text))).append('\n');
        }
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("text", DataTypes.StringType);
        spark.createDataFrame(rows, schema).coalesce(1).write().mode("overwrite").parquet(parquet);
        Files.writeString(jsonl, lines, StandardCharsets.UTF_8);
        System.out.println("prepared " + n + " documents: " + parquet + ", " + jsonl);
    }

    static void verify(SparkSession spark, String docs, String vectors) {
        Map<Long, String> texts = new HashMap<>();
        for (Row r : spark.read().parquet(docs).collectAsList()) {
            texts.put(r.getLong(0), r.getString(1));
        }
        List<Row> out = spark.read().parquet(vectors).collectAsList();
        Map<Long, Row> byId = new HashMap<>();
        for (Row r : out) {
            if (byId.put(r.getLong(r.fieldIndex("id")), r) != null) {
                throw new AssertionError("duplicate id " + r.getLong(0));
            }
        }
        System.out.println("output columns: " + String.join(", ", out.get(0).schema().fieldNames()));
        if (byId.size() != texts.size()) {
            throw new AssertionError(byId.size() + " rows for " + texts.size() + " documents");
        }
        int equal = 0;
        int truncated = 0;
        try (SentenceEmbedder embedder = SentenceEmbedder.builder().model("all-minilm-l6-v2").build()) {
            for (var e : texts.entrySet()) {
                Row r = byId.get(e.getKey());
                List<Float> v = r.getList(r.fieldIndex("embedding"));
                float[] expected = embedder.embed(e.getValue());
                boolean same = v.size() == expected.length;
                for (int i = 0; same && i < expected.length; i++) {
                    same = Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(v.get(i));
                }
                equal += same ? 1 : 0;
                truncated += r.getBoolean(r.fieldIndex("truncated")) ? 1 : 0;
            }
        }
        System.out.printf("verified %d documents: %d vectors bit-identical to in-process embed, %d truncated%n",
                texts.size(), equal, truncated);
        if (equal != texts.size()) {
            throw new AssertionError((texts.size() - equal) + " vectors differ");
        }
    }
}
