package io.github.bertembed.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PNG answering one question with its values on the bars, the model, machine and date in its titles. With peers
 * side by side: documents per second of each engine, embedding only and as a whole process (JVM start and model
 * load included). Without: bert-embed's documents per second at each batch size.
 *
 * <pre>{@code
 * BenchPlot.write(results, Path.of("bench.png"));
 * }</pre>
 */
public final class BenchPlot {
    private static final Color EMBEDDING = new Color(0x7FA7DD);
    private static final Color WHOLE = new Color(0xC9DBF2);

    private BenchPlot() {
    }

    public static void write(BenchResults r, Path file) throws IOException {
        CategoryChart chart = ChartStyle.apply(r.peers.size() >= 2 ? peers(r) : batchSizes(r), "#,##0");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** "model, max length N, machine, date": what makes the figures comparable, and where they were measured. */
    private static String context(BenchResults r) {
        Map<String, Object> m = r.machine;
        return m.get("model") + ", max length " + m.get("max length") + ", " + m.get("long texts") + " | "
                + m.get("cpu") + ", " + m.get("threads") + " threads | " + LocalDate.now();
    }

    private static CategoryChart peers(BenchResults r) {
        int documents = r.throughput.isEmpty() ? 0 : r.throughput.get(r.throughput.size() - 1).documents();
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520)
                .title("Documents per second, " + String.format("%,d", documents) + " documents, each engine in its own JVM")
                .xAxisTitle(context(r)).yAxisTitle("documents/s (higher is better)").build();
        List<String> engines = new ArrayList<>(r.peers.keySet());
        List<Double> embedding = new ArrayList<>();
        List<Double> whole = new ArrayList<>();
        for (double[] v : r.peers.values()) {
            embedding.add(v[0]);
            whole.add(v[1]);
        }
        chart.addSeries("embedding", engines, embedding).setFillColor(EMBEDDING);
        chart.addSeries("whole process (JVM start and model load included)", engines, whole).setFillColor(WHOLE);
        return chart;
    }

    private static CategoryChart batchSizes(BenchResults r) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520)
                .title("bert-embed documents per second by batch size")
                .xAxisTitle(context(r)).yAxisTitle("documents/s (higher is better)").build();
        List<String> batches = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (BenchResults.Stages st : r.stages) {
            for (BenchResults.Throughput t : r.throughput) {
                if (t.engine().equals(BertEmbedPeer.NAME) && t.batchSize() == st.batchSize()
                        && !t.setting().equals(SideBySide.WHOLE_PROCESS)) {
                    batches.add("batch " + t.batchSize());
                    rates.add(t.documentsPerSecond());
                    break;
                }
            }
        }
        chart.addSeries("embedding", batches, rates).setFillColor(EMBEDDING);
        return chart;
    }
}
