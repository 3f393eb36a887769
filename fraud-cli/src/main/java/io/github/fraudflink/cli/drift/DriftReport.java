package io.github.fraudflink.cli.drift;

import io.github.fraudflink.model.drift.Psi;
import io.github.fraudflink.trainer.report.ReportCharts;
import io.github.fraudflink.trainer.report.TrainingReport;
import java.awt.Color;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The drift report: one self-contained HTML file (charts embedded as PNG data URIs, drawn with XChart in the style
 * of the trainer's {@link ReportCharts}): the model, the window and its rows, a table of every column by PSI with its
 * level, and per column the reference and current shares per bin side by side, with each bin's term of the PSI.
 */
final class DriftReport {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final int WIDTH = 720;
    static final int HEIGHT = 360;
    private static final Color REFERENCE = new Color(0xa0, 0xa0, 0xa0);
    private static final Color CURRENT = new Color(0x1f, 0x5f, 0xa8);

    private DriftReport() {}

    /** Writes the report to {@code file} (its folder created when missing). */
    static void write(Path file, DriftResult r) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, html(r), StandardCharsets.UTF_8);
    }

    static String html(DriftResult r) throws IOException {
        StringBuilder h = new StringBuilder(256 * 1024);
        String title = r.model() + " " + r.version();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append(" - drift report</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<header><h1>").append(esc(r.model())).append(" <span class=\"version\">").append(esc(r.version()))
                .append("</span></h1>\n<p class=\"sub\">Drift report &middot; ").append(esc(r.role()))
                .append(" &middot; event time [").append(esc(r.from().toString())).append(", ")
                .append(esc(r.to().toString())).append(") &middot; ").append(esc(r.chosenBy())).append("</p></header>\n");

        DriftResult.Column worst = r.columns().isEmpty() ? null : r.columns().get(0);
        h.append("<section class=\"cards\">\n");
        card(h, "Scored transactions", String.format(Locale.ROOT, "%,d", r.rows()), "rows of this model in the window");
        card(h, "Largest PSI", worst == null ? "&ndash;" : DriftResult.psiText(worst.psi()),
                worst == null ? "" : esc(worst.name()) + " &middot; " + esc(worst.level()));
        card(h, "Major / moderate / stable", r.count("major") + " / " + r.count("moderate") + " / " + r.count("stable"),
                r.columns().size() + " columns compared");
        h.append("</section>\n");

        // the summary table
        h.append("<section><h2>PSI by column, largest first</h2>\n<table class=\"summary\">\n<thead><tr><th>column</th>"
                + "<th>PSI</th><th>level</th><th>alert</th><th>rows with a value</th><th>outside the reference range"
                + "</th></tr></thead>\n<tbody>\n");
        for (DriftResult.Column c : r.columns()) {
            String alert = c.alert();
            h.append("<tr").append(alert.isEmpty() ? "" : " class=\"" + alert + "\"").append("><td><a href=\"#")
                    .append(anchor(c.name())).append("\"><code>").append(esc(c.name())).append("</code></a>")
                    .append(c.score() ? " <span class=\"proto\">(the model's output)</span>" : "").append("</td><td>")
                    .append(DriftResult.psiText(c.psi())).append("</td><td><span class=\"level ")
                    .append(c.level().replace(' ', '-')).append("\">").append(esc(c.level())).append("</span></td><td>")
                    .append(alert.isEmpty() ? "" : esc(alert)).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", c.counted())).append(c.missing() == 0 ? ""
                            : String.format(Locale.ROOT, " <span class=\"proto\">(%,d without)</span>", c.missing()))
                    .append("</td><td>").append(outside(c)).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        h.append(String.format(Locale.ROOT, "<p class=\"note\">PSI = &sum; over bins of (current share &minus; reference"
                + " share) &times; ln(current share / reference share), each share at least %s (an empty bin counts as"
                + " that), computed by the scoring job's own code (<code>Psi</code>; the job's gauge"
                + " <code>fraud_drift_psi</code> over its sliding window). Levels: stable below %.1f, moderate %.1f to"
                + " %.2f, major above %.2f; rows marked <span class=\"warn-chip\">warn</span> are above %.1f,"
                + " <span class=\"page-chip\">page</span> above %.1f. Bins are the reference's: [lower, upper); a value"
                + " outside the reference range counts in the nearest end bin.</p>\n",
                fmt(Psi.FLOOR, 4), DriftResult.MODERATE_FROM, DriftResult.MODERATE_FROM, DriftResult.MAJOR_ABOVE,
                DriftResult.MAJOR_ABOVE, DriftResult.WARN_ABOVE, DriftResult.PAGE_ABOVE));
        notes(h, r);
        h.append("</section>\n");

        // per column
        for (DriftResult.Column c : r.columns()) {
            column(h, c);
        }

        h.append("<section class=\"two\"><div><h2>Window</h2>\n<table>\n<tbody>\n");
        kv(h, "model", r.model() + " " + r.version());
        kv(h, "role", r.role());
        kv(h, "chosen", r.chosenBy());
        kv(h, "event time from (inclusive)", r.from().toString());
        kv(h, "event time to (exclusive)", r.to().toString());
        kv(h, "rows", String.format(Locale.ROOT, "%,d", r.rows()));
        kv(h, "reference", r.manifestUri());
        h.append("</tbody>\n</table></div>\n<div><h2>Models of the role in the window</h2>\n<table>\n<thead><tr>"
                + "<th>model</th><th>version</th><th>rows</th></tr></thead>\n<tbody>\n");
        for (ServedScores.ModelRows m : r.windowModels()) {
            h.append("<tr><td>").append(esc(m.model())).append("</td><td>").append(esc(m.version())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", m.rows())).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table></div></section>\n");
        h.append("<footer>Generated by ./fraud drift on ").append(Instant.now().toString(), 0, 19)
                .append("Z from the served features in PostgreSQL (<code>scored_transactions</code>) and the model's"
                        + " manifest (<code>reference_distributions</code>, the training data's histograms).</footer>\n");
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void notes(StringBuilder h, DriftResult r) {
        List<String> notes = new ArrayList<>();
        if (ServedScores.SHADOW.equals(r.role())) {
            notes.add("A shadow's own features are not stored: scored_transactions holds the champion's features by name."
                    + " The job computes one feature vector per transaction and feeds each model the features it names,"
                    + " so a feature the shadow shares with the champion is compared with the values the shadow was"
                    + " fed; its score (shadow_score) is always compared.");
        }
        if (!r.notStored().isEmpty()) {
            notes.add("Not compared, no value stored in the window (scored_transactions holds the champion's features):"
                    + " " + String.join(", ", r.notStored()) + ".");
        }
        if (!r.calendar().isEmpty()) {
            notes.add("Not compared, calendar features: " + String.join(", ", r.calendar()) + ". The scoring job does not"
                    + " watch them either: over any window shorter than a week their distribution differs from the"
                    + " training data's by design (a night has no daytime hours, a Sunday no weekdays).");
        }
        if (!r.noReference().isEmpty()) {
            notes.add("Not compared, no usable reference histogram in the manifest: " + String.join(", ", r.noReference())
                    + ".");
        }
        if (r.windowModels().size() > 1) {
            notes.add("Other models of this role scored in the window too (table below); each is reported on its own"
                    + " (--model, --model-version).");
        }
        for (String n : notes) {
            h.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        }
    }

    private static String outside(DriftResult.Column c) {
        long n = c.counted();
        if (n == 0 || c.below() + c.above() == 0) {
            return "0";
        }
        List<String> parts = new ArrayList<>();
        if (c.below() > 0) {
            parts.add(String.format(Locale.ROOT, "%.1f%% below %s", 100.0 * c.below() / n, fmt(c.edges()[0], 6)));
        }
        if (c.above() > 0) {
            parts.add(String.format(Locale.ROOT, "%.1f%% at or above %s", 100.0 * c.above() / n,
                    fmt(c.edges()[c.edges().length - 1], 6)));
        }
        return String.join(", ", parts);
    }

    private static void column(StringBuilder h, DriftResult.Column c) throws IOException {
        String alert = c.alert();
        h.append("<section id=\"").append(anchor(c.name())).append("\"").append(alert.isEmpty() ? "" : " class=\"" + alert + "\"")
                .append("><h2><code>").append(esc(c.name())).append("</code> &middot; PSI ").append(DriftResult.psiText(c.psi()))
                .append(" <span class=\"level ").append(c.level().replace(' ', '-')).append("\">").append(esc(c.level()))
                .append("</span>").append(alert.isEmpty() ? "" : " <span class=\"" + alert + "-chip\">" + alert + "</span>")
                .append("</h2>\n");
        String[] labels = binLabels(c.edges());
        double[] ref = shares(c.reference());
        double[] cur = shares(c.current());
        h.append("<div class=\"two\"><figure><img src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(chart(c, labels, ref, cur))).append("\" alt=\"")
                .append(esc(c.name())).append(": reference and current shares per bin\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\"></figure>\n");
        h.append("<div><table>\n<thead><tr><th>bin</th><th>reference</th><th>current</th><th>PSI term</th></tr></thead>\n<tbody>\n");
        for (int b = 0; b < labels.length; b++) {
            double pe = Math.max(Psi.FLOOR, ref[b]);
            double pa = Math.max(Psi.FLOOR, cur[b]);
            h.append("<tr><td><code>").append(esc(labels[b])).append("</code></td><td>").append(percent(ref[b]))
                    .append("</td><td>").append(percent(cur[b])).append("</td><td>")
                    .append(Double.isNaN(cur[b]) ? "&ndash;" : String.format(Locale.ROOT, "%.4f", (pa - pe) * Math.log(pa / pe)))
                    .append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n<p class=\"note\">").append(String.format(Locale.ROOT, "%,d", c.counted()))
                .append(" values in the window");
        if (c.missing() > 0) {
            h.append(String.format(Locale.ROOT, ", %,d rows without one", c.missing()));
        }
        h.append("; outside the reference range: ").append(outside(c)).append(".</p></div></div>\n</section>\n");
    }

    /** Reference and current shares per bin, side by side. */
    static byte[] chart(DriftResult.Column c, String[] labels, double[] ref, double[] cur) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(c.name() + " - PSI " + DriftResult.psiText(c.psi()) + " (" + c.level() + ")")
                .xAxisTitle(c.score() ? "score bin" : "bin").yAxisTitle("share of rows").build();
        ReportCharts.style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setYAxisDecimalPattern("0%");
        chart.getStyler().setYAxisMin(0.0);
        if (labels.length > 5) {
            chart.getStyler().setXAxisLabelRotation(35);
        }
        List<String> x = List.of(labels);
        CategorySeries r = chart.addSeries("reference (training)", x, list(ref));
        r.setFillColor(REFERENCE);
        CategorySeries w = chart.addSeries("current window", x, list(cur));
        w.setFillColor(CURRENT);
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    private static List<Double> list(double[] v) {
        List<Double> l = new ArrayList<>(v.length);
        for (double d : v) {
            l.add(Double.isNaN(d) ? 0.0 : d);
        }
        return l;
    }

    /** Each count over the total; NaN when the total is 0. */
    static double[] shares(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] s = new double[counts.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = total == 0 ? Double.NaN : (double) counts[i] / total;
        }
        return s;
    }

    /**
     * A label per bin from its edges: {@code [lower, upper)} with as few digits as tell the two apart, or the one value
     * of a bin no wider than rounding (the trainer closes a histogram just above its largest value, e.g. 1 and
     * 1.0000000000000002: that bin holds the value 1).
     */
    static String[] binLabels(double[] edges) {
        String[] labels = new String[edges.length - 1];
        for (int i = 0; i < labels.length; i++) {
            double lo = edges[i];
            double hi = edges[i + 1];
            if (hi - lo <= 1e-9 * Math.max(1, Math.abs(lo))) {
                labels[i] = fmt(lo, 6);
                continue;
            }
            int p = 4;
            while (p < 17 && fmt(lo, p).equals(fmt(hi, p))) {
                p++;
            }
            labels[i] = "[" + fmt(lo, p) + ", " + fmt(hi, p) + ")";
        }
        return labels;
    }

    /**
     * {@code v} with {@code p} significant digits (never fewer than its integer digits), trailing zeros dropped; very
     * large or small magnitudes in scientific notation.
     */
    static String fmt(double v, int p) {
        if (v == 0) {
            return "0";
        }
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        double a = Math.abs(v);
        if (a >= 1e15 || a < 1e-6) {
            return String.format(Locale.ROOT, "%." + (p - 1) + "e", v);
        }
        BigDecimal b = new BigDecimal(v);
        BigDecimal r;
        if (a >= 1) {
            int intDigits = b.precision() - b.scale();
            r = b.setScale(Math.max(0, p - intDigits), RoundingMode.HALF_EVEN);
        } else {
            r = b.round(new MathContext(p, RoundingMode.HALF_EVEN));
        }
        String s = r.stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "&ndash;" : String.format(Locale.ROOT, "%.2f%%", 100 * share);
    }

    private static void card(StringBuilder h, String label, String value, String note) {
        h.append("<div class=\"card\"><div class=\"label\">").append(esc(label)).append("</div><div class=\"value\">")
                .append(value).append("</div><div class=\"note\">").append(note).append("</div></div>\n");
    }

    private static void kv(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    /** An HTML id for a column name. */
    static String anchor(String name) {
        return "c-" + name.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    static String esc(String s) {
        return TrainingReport.esc(s);
    }

    // the trainer's report.html look, plus the levels and alerts
    private static final String CSS = TrainingReport.PAGE_CSS + """
            section.warn { border-left: 6px solid #e0a000; }
            section.page { border-left: 6px solid #c8322d; }
            section.two, div.two { display: flex; flex-wrap: wrap; gap: 32px; }
            section.two > div, div.two > div { flex: 1 1 460px; min-width: 0; }
            table.summary tr.warn td { background: #fff6dd; }
            table.summary tr.page td { background: #fde7e6; font-weight: 600; }
            .level { padding: 1px 6px; border-radius: 3px; font-size: 13px; }
            .level.stable { background: #e6f4ea; color: #1d7a38; }
            .level.moderate { background: #fff3cd; color: #8a6100; }
            .level.major { background: #fde7e6; color: #b3261e; font-weight: 600; }
            .level.no-data { background: #eee; color: #777; }
            .warn-chip { background: #e0a000; color: #fff; padding: 1px 6px; border-radius: 3px; font-size: 13px; }
            .page-chip { background: #c8322d; color: #fff; padding: 1px 6px; border-radius: 3px; font-size: 13px; }
            figure { margin: 0; flex: 1 1 600px; max-width: 720px; }
            """;
}
