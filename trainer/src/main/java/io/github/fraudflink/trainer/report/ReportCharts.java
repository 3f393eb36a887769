package io.github.fraudflink.trainer.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the training report's charts as PNG images with XChart, off screen ({@code java.awt.headless} is set to
 * true unless the JVM was started with a value): precision-recall curve, ROC curve, score histogram by class and
 * feature importance.
 */
public final class ReportCharts {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    public static final int WIDTH = 760;
    public static final int HEIGHT = 500;

    private static final Color MODEL = new Color(0x1f, 0x5f, 0xa8);
    private static final Color FRAUD = new Color(0xc8, 0x32, 0x2d);
    private static final Color GENUINE = new Color(0x4f, 0x7f, 0xb0);
    private static final Color REFERENCE = new Color(0x99, 0x99, 0x99);
    private static final Color OPERATING = new Color(0xe0, 0x8a, 0x00);
    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);
    private static final BasicStroke SOLID = new BasicStroke(2.2f);

    private ReportCharts() {}

    /** Where the model operates at its threshold: recall (= TPR), precision and FPR. */
    public record OperatingPoint(double threshold, double recall, double precision, double falsePositiveRate) {}

    /** Precision against recall, with the operating point and the no-skill line at the fraud rate. */
    public static byte[] precisionRecall(Curves.Curve pr, double auprc, OperatingPoint op, double fraudRate) throws IOException {
        XYChart c = xy(String.format(Locale.ROOT, "Precision-recall, test period (AUPRC %.3f)", auprc), "recall", "precision");
        XYSeries s = c.addSeries("model", pr.x(), pr.y());
        line(s, MODEL, SOLID);
        XYSeries base = c.addSeries(String.format(Locale.ROOT, "no skill (fraud rate %.4f)", fraudRate),
                new double[] {0, 1}, new double[] {fraudRate, fraudRate});
        line(base, REFERENCE, DASHED);
        point(c, String.format(Locale.ROOT, "threshold %.3f: P %.3f, R %.3f", op.threshold(), op.precision(), op.recall()),
                op.recall(), op.precision());
        unitAxes(c);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return png(c);
    }

    /** True-positive rate against false-positive rate, with the operating point and the diagonal. */
    public static byte[] roc(Curves.Curve roc, double auc, OperatingPoint op) throws IOException {
        XYChart c = xy(String.format(Locale.ROOT, "ROC, test period (AUC %.3f)", auc), "false-positive rate",
                "true-positive rate (recall)");
        XYSeries s = c.addSeries("model", roc.x(), roc.y());
        line(s, MODEL, SOLID);
        XYSeries diag = c.addSeries("chance", new double[] {0, 1}, new double[] {0, 1});
        line(diag, REFERENCE, DASHED);
        point(c, String.format(Locale.ROOT, "threshold %.3f: FPR %.4f, TPR %.3f", op.threshold(), op.falsePositiveRate(),
                op.recall()), op.falsePositiveRate(), op.recall());
        unitAxes(c);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        return png(c);
    }

    /** Test transactions per score bin, genuine and fraud, on a logarithmic count axis, with the threshold. */
    public static byte[] scoreHistogram(Curves.ClassHistogram h, double threshold) throws IOException {
        XYChart c = xy("Scores by class, test period", "score", "transactions (log scale)");
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax(1.0);
        c.getStyler().setXAxisDecimalPattern("0.0");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        long max = 1;
        for (int b = 0; b < h.genuine().length; b++) {
            max = Math.max(max, Math.max(h.genuine()[b], h.fraud()[b]));
        }
        step(c, "genuine (" + String.format(Locale.ROOT, "%,d", sum(h.genuine())) + ")", h.edges(), h.genuine(), GENUINE);
        step(c, "fraud (" + String.format(Locale.ROOT, "%,d", sum(h.fraud())) + ")", h.edges(), h.fraud(), FRAUD);
        XYSeries t = c.addSeries(String.format(Locale.ROOT, "threshold %.3f", threshold), new double[] {threshold, threshold},
                new double[] {0.7, max * 1.5});
        line(t, OPERATING, DASHED);
        c.getStyler().setYAxisMin(0.7);
        c.getStyler().setYAxisMax(max * 1.5);
        return png(c);
    }

    /** Features by importance, largest first; {@code importance} is already in that order. */
    public static byte[] featureImportance(Map<String, Double> importance, String measure) throws IOException {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Feature importance (" + measure + ")").xAxisTitle("").yAxisTitle(measure).build();
        style(c.getStyler());
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLabelRotation(45);
        c.getStyler().setAvailableSpaceFill(0.7);
        c.getStyler().setPlotGridVerticalLinesVisible(false);
        c.getStyler().setYAxisDecimalPattern("#,##0.#");
        List<String> names = List.copyOf(importance.keySet());
        List<Double> values = names.stream().map(importance::get).toList();
        CategorySeries s = c.addSeries(measure, names, values);
        s.setFillColor(MODEL);
        return png(c);
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        style(c.getStyler());
        c.getStyler().setMarkerSize(10);
        return c;
    }

    /** The look of every chart here: white, light grid, sans-serif fonts. */
    public static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xcc, 0xcc, 0xcc));
        s.setPlotGridLinesColor(new Color(0xe6, 0xe6, 0xe6));
        s.setLegendBorderColor(new Color(0xdd, 0xdd, 0xdd));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setAntiAlias(true);
        s.setLocale(Locale.ROOT);
    }

    private static void unitAxes(XYChart c) {
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax(1.0);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setXAxisDecimalPattern("0.0");
        c.getStyler().setYAxisDecimalPattern("0.0");
    }

    private static void line(XYSeries s, Color color, BasicStroke stroke) {
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(stroke);
    }

    private static void point(XYChart c, String name, double x, double y) {
        // rounded: XChart 3.8.8 squeezes the x-axis ticks next to a one-point series with a long decimal x
        XYSeries s = c.addSeries(name, new double[] {Math.round(x * 1e4) / 1e4}, new double[] {Math.round(y * 1e4) / 1e4});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(OPERATING);
    }

    /** A histogram outline: horizontal at each bin's count, bins with no transactions left as gaps (log axis). */
    private static void step(XYChart c, String name, double[] edges, long[] counts, Color color) {
        int n = counts.length;
        double[] x = new double[3 * n];
        double[] y = new double[3 * n];
        for (int b = 0; b < n; b++) {
            double v = counts[b] > 0 ? counts[b] : Double.NaN;
            x[3 * b] = edges[b];
            y[3 * b] = v;
            x[3 * b + 1] = edges[b + 1];
            y[3 * b + 1] = v;
            // a break between bins, so that a bin next to an empty one does not draw a slope
            x[3 * b + 2] = edges[b + 1];
            y[3 * b + 2] = b + 1 < n && counts[b] > 0 && counts[b + 1] > 0 ? counts[b + 1] : Double.NaN;
        }
        XYSeries s = c.addSeries(name, x, y);
        line(s, color, SOLID);
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += x;
        }
        return s;
    }

    private static byte[] png(Chart<?, ?> c) throws IOException {
        return BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
    }
}
