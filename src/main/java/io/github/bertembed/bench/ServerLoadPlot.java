package io.github.bertembed.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * A PNG of a server load test: two charts side by side, each with its own axis and its values on the bars — how
 * many requests a second the server answers at each number of concurrent clients, and how long a request takes
 * there (p50 and p99) — titled with the model, the machine and the date.
 *
 * <pre>{@code
 * ServerLoadPlot.write(results, "all-minilm-l6-v2", Path.of("server-load.png"));
 * }</pre>
 */
public final class ServerLoadPlot {
    private ServerLoadPlot() {
    }

    public static void write(List<ServerLoad.Result> results, String model, Path file) throws IOException {
        List<String> levels = new ArrayList<>();
        List<Double> rate = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (ServerLoad.Result r : results) {
            levels.add(r.clients() + (r.clients() == 1 ? " client" : " clients"));
            rate.add(r.requestsPerSecond());
            p50.add(r.p50());
            p99.add(r.p99());
        }
        String context = model + " | " + MachineRate.cpuName() + " | " + LocalDate.now();
        CategoryChart throughput = chart("Requests answered per second", "requests/s (higher is better)", context,
                "#,##0");
        throughput.addSeries("requests/s", levels, rate).setFillColor(new Color(0x7FA7DD));
        CategoryChart latency = chart("Time per request", "milliseconds (lower is better)", context, "#,##0.0");
        latency.addSeries("p50", levels, p50).setFillColor(new Color(0x8CCB9B));
        latency.addSeries("p99", levels, p99).setFillColor(new Color(0xF2C46B));

        BufferedImage left = BitmapEncoder.getBufferedImage(throughput);
        BufferedImage right = BitmapEncoder.getBufferedImage(latency);
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(),
                Math.max(left.getHeight(), right.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.drawImage(left, 0, 0, null);
        g.drawImage(right, left.getWidth(), 0, null);
        g.dispose();
        ImageIO.write(both, "png", file.toFile());
    }

    private static CategoryChart chart(String title, String yAxis, String context, String decimalPattern) {
        return ChartStyle.apply(new CategoryChartBuilder().width(640).height(480).title(title).xAxisTitle(context)
                .yAxisTitle(yAxis).build(), decimalPattern);
    }
}
