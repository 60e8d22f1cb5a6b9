package io.github.bertembed.bench;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.awt.Font;

/**
 * The look every bar chart of ours shares: values on the bars (dark, at the bar's top, readable on short bars too),
 * the legend below the plot, a white background, the value axis from zero.
 *
 * <pre>{@code
 * ChartStyle.apply(chart, "#,##0");
 * }</pre>
 */
final class ChartStyle {
    private ChartStyle() {
    }

    static CategoryChart apply(CategoryChart chart, String decimalPattern) {
        CategoryStyler s = chart.getStyler();
        s.setLabelsVisible(true);
        s.setLabelsFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        s.setLabelsPosition(1.0);
        s.setLabelsFontColorAutomaticEnabled(false);
        s.setLabelsFontColor(Color.BLACK);
        s.setDecimalPattern(decimalPattern);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotGridVerticalLinesVisible(false);
        s.setYAxisMin(0.0);
        return chart;
    }
}
