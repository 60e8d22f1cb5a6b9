package io.github.bertembed.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A PNG of a bench run: latency percentiles per engine and text size, and throughput per engine and setting. */
public final class BenchPlot {
    private BenchPlot() {
    }

    public static void write(BenchResults r, Path file) throws IOException {
        CategoryChart latency = new CategoryChartBuilder().width(900).height(420)
                .title("Latency, one text per call").xAxisTitle("engine / text").yAxisTitle("ms").build();
        List<String> labels = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p90 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (BenchResults.Latency l : r.latency) {
            labels.add(l.engine() + " " + l.text());
            p50.add(l.p50());
            p90.add(l.p90());
            p99.add(l.p99());
        }
        latency.addSeries("p50", labels, p50);
        latency.addSeries("p90", labels, p90);
        latency.addSeries("p99", labels, p99);
        latency.getStyler().setXAxisLabelRotation(30);

        CategoryChart throughput = new CategoryChartBuilder().width(900).height(420)
                .title("Throughput, all documents").xAxisTitle("engine / setting").yAxisTitle("documents/s").build();
        List<String> names = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (BenchResults.Throughput t : r.throughput) {
            names.add(t.engine() + " b" + t.batchSize() + " " + t.setting().split(",")[0]);
            rates.add(t.documentsPerSecond());
        }
        throughput.addSeries("documents/s", names, rates);
        throughput.getStyler().setXAxisLabelRotation(30);
        throughput.getStyler().setLegendVisible(false);

        BufferedImage top = BitmapEncoder.getBufferedImage(latency);
        BufferedImage bottom = BitmapEncoder.getBufferedImage(throughput);
        BufferedImage both = new BufferedImage(Math.max(top.getWidth(), bottom.getWidth()),
                top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(top, 0, 0, null);
        g.drawImage(bottom, 0, top.getHeight(), null);
        g.dispose();
        ImageIO.write(both, "png", file.toFile());
    }
}
