package io.github.fraudflink.trainer.report;

import io.github.fraudflink.model.ModelManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a training run's HTML report ({@code report.html}) with its PNG charts ({@code charts/}): model identity,
 * protocol, data sizes, the test metrics next to the Fraud Detection Handbook's published baselines, the
 * precision-recall and ROC curves, the scores by class and the feature importance. For people; the manifest stays
 * the machine-readable record.
 */
public final class TrainingReport {
    public static final String FILE_NAME = "report.html";
    public static final String CHARTS_DIR = "charts";
    public static final String PR_CHART = "precision_recall.png";
    public static final String ROC_CHART = "roc.png";
    public static final String HISTOGRAM_CHART = "score_histogram.png";
    public static final String IMPORTANCE_CHART = "feature_importance.png";
    private static final int HISTOGRAM_BINS = 50;

    private TrainingReport() {}

    /** Rows and frauds of one slice of the data. */
    public record Slice(String label, String period, long rows, long frauds) {}

    /** How the PMML export scored compared with xgboost4j. */
    public record PmmlAgreement(String path, int rowsCompared, double maxAbsDifference, double tolerance) {}

    /**
     * Everything the report shows.
     *
     * @param manifest the xgboost artifact's manifest (name, version, threshold, metrics, training)
     * @param protocol a description of the evaluation protocol
     * @param slices data sizes: the whole data, then training, validation, test
     * @param testScores the model's scores on the test rows
     * @param testLabels their labels
     * @param featureImportance importance of each feature by schema name (absent features count 0)
     * @param importanceMeasure what the importance is, e.g. {@code gain}
     * @param folds per-fold test metrics of a prequential run (the first is the main split), empty for one split
     * @param foldLabels each fold's label (its training start)
     * @param pmml agreement of the PMML export, or null when there is none
     * @param artifacts what was written (files, checksums), by label
     */
    public record Input(ModelManifest manifest, String protocol, List<Slice> slices, double[] testScores,
            boolean[] testLabels, Map<String, Double> featureImportance, String importanceMeasure,
            List<Map<String, Double>> folds, List<String> foldLabels, PmmlAgreement pmml, Map<String, String> artifacts) {}

    /** Writes {@code dir/report.html} and {@code dir/charts/*.png}; returns the report's path. */
    public static Path write(Path dir, Input in) throws IOException {
        Path charts = dir.resolve(CHARTS_DIR);
        Files.createDirectories(charts);
        ModelManifest m = in.manifest();
        double threshold = m.threshold();
        double[] s = in.testScores();
        boolean[] y = in.testLabels();
        long pos = 0;
        long flagged = 0;
        long tp = 0;
        for (int i = 0; i < s.length; i++) {
            pos += y[i] ? 1 : 0;
            if (s[i] >= threshold) {
                flagged++;
                tp += y[i] ? 1 : 0;
            }
        }
        long neg = s.length - pos;
        ReportCharts.OperatingPoint op = new ReportCharts.OperatingPoint(threshold, pos == 0 ? 0 : (double) tp / pos,
                flagged == 0 ? 0 : (double) tp / flagged, neg == 0 ? 0 : (double) (flagged - tp) / neg);

        List<String> chartFiles = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Curves.Curve pr = Curves.precisionRecall(s, y);
        if (!pr.isEmpty()) {
            Files.write(charts.resolve(PR_CHART), ReportCharts.precisionRecall(pr, Curves.stepArea(pr), op,
                    (double) pos / s.length));
            chartFiles.add(PR_CHART);
        } else {
            notes.add("The test period has no fraud: no precision-recall curve.");
        }
        Curves.Curve roc = Curves.roc(s, y);
        if (!roc.isEmpty()) {
            Files.write(charts.resolve(ROC_CHART), ReportCharts.roc(roc, Curves.trapezoidArea(roc), op));
            chartFiles.add(ROC_CHART);
        } else {
            notes.add("The test period has only one class: no ROC curve.");
        }
        if (s.length > 0) {
            Files.write(charts.resolve(HISTOGRAM_CHART),
                    ReportCharts.scoreHistogram(Curves.histogram(s, y, HISTOGRAM_BINS), threshold));
            chartFiles.add(HISTOGRAM_CHART);
        }
        Map<String, Double> importance = byImportance(in.featureImportance(), m.featureNames());
        Files.write(charts.resolve(IMPORTANCE_CHART), ReportCharts.featureImportance(importance, in.importanceMeasure()));
        chartFiles.add(IMPORTANCE_CHART);

        Path report = dir.resolve(FILE_NAME);
        Files.writeString(report, html(in, op, chartFiles, notes, importance), StandardCharsets.UTF_8);
        return report;
    }

    /** Importance of every schema feature (0 when the model never splits on it), largest first, ties by name. */
    static Map<String, Double> byImportance(Map<String, Double> raw, List<String> names) {
        List<String> order = new ArrayList<>(names);
        order.sort(Comparator.comparingDouble((String n) -> -raw.getOrDefault(n, 0.0)).thenComparing(n -> n));
        Map<String, Double> m = new LinkedHashMap<>();
        order.forEach(n -> m.put(n, raw.getOrDefault(n, 0.0)));
        return m;
    }

    private static String html(Input in, ReportCharts.OperatingPoint op, List<String> charts, List<String> notes,
            Map<String, Double> importance) {
        ModelManifest m = in.manifest();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(m.name() + " " + m.version())).append(" - training report</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<header><h1>").append(esc(m.name())).append(" <span class=\"version\">").append(esc(m.version()))
                .append("</span></h1>\n<p class=\"sub\">Training report &middot; feature schema <code>")
                .append(esc(m.featureSchemaId())).append("</code> &middot; created ").append(esc(String.valueOf(m.createdAt())))
                .append(m.createdBy() == null ? "" : " by " + esc(m.createdBy())).append("</p></header>\n");

        // headline figures
        h.append("<section class=\"cards\">\n");
        card(h, "AUPRC", m.metric("auprc"), "average precision, test period");
        card(h, "ROC AUC", m.metric("roc_auc"), "test period");
        card(h, "Card precision@100", m.metric("card_precision_at_100"), "mean over test days");
        h.append("<div class=\"card\"><div class=\"label\">Threshold</div><div class=\"value\">")
                .append(f3(m.threshold())).append("</div><div class=\"note\">precision ").append(f3(op.precision()))
                .append(" &middot; recall ").append(f3(op.recall())).append("</div></div>\n");
        h.append("</section>\n");

        // metrics next to the handbook
        h.append("<section><h2>Test metrics and the handbook's baselines</h2>\n<table class=\"metrics\">\n<thead><tr>")
                .append("<th></th><th class=\"this\">this model</th>");
        for (HandbookBaselines.Baseline b : HandbookBaselines.ALL) {
            h.append("<th>").append(esc(b.model())).append("<br><span class=\"proto\">").append(esc(b.protocol()))
                    .append("</span></th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        baselineRow(h, "ROC AUC", m.metric("roc_auc"), HandbookBaselines.Baseline::rocAuc);
        baselineRow(h, "AUPRC (average precision)", m.metric("auprc"), HandbookBaselines.Baseline::averagePrecision);
        baselineRow(h, "Card precision@100", m.metric("card_precision_at_100"), HandbookBaselines.Baseline::cardPrecisionAt100);
        int cols = HandbookBaselines.ALL.size();
        plainRow(h, "Precision at threshold", m.metric("precision_at_threshold"), cols);
        plainRow(h, "Recall at threshold", m.metric("recall_at_threshold"), cols);
        plainRow(h, "F1 at threshold", m.metric("f1_at_threshold"), cols);
        plainRow(h, "Validation AUPRC (early stopping)", m.metric("validation_auprc"), cols);
        prequentialRow(h, m, "roc_auc", "ROC AUC", HandbookBaselines.Baseline::rocAuc);
        prequentialRow(h, m, "auprc", "AUPRC", HandbookBaselines.Baseline::averagePrecision);
        prequentialRow(h, m, "card_precision_at_100", "card precision@100", HandbookBaselines.Baseline::cardPrecisionAt100);
        h.append("</tbody>\n</table>\n<p class=\"note\">The handbook's figures (Le Borgne et al., <em>Reproducible Machine"
                + " Learning for Credit Card Fraud Detection</em>) are for reference: they were measured on the handbook's"
                + " data window (train 2018-07-25..07-31, test 2018-08-08..08-14) with its 15 features, which include"
                + " terminal risk windows; the <code>").append(esc(m.featureSchemaId())).append("</code> schema has"
                + " account features only. Prequential: the mean over 4 folds, each 7 days earlier.</p>\n</section>\n");

        if (in.folds() != null && in.folds().size() > 1) {
            h.append("<section><h2>Prequential folds</h2>\n<table>\n<thead><tr><th>fold</th><th>training start</th>"
                    + "<th>test transactions</th><th>test frauds</th><th>AUPRC</th><th>ROC AUC</th>"
                    + "<th>card precision@100</th></tr></thead>\n<tbody>\n");
            for (int k = 0; k < in.folds().size(); k++) {
                Map<String, Double> f = in.folds().get(k);
                h.append("<tr><td>").append(k).append("</td><td>").append(esc(in.foldLabels().get(k))).append("</td><td>")
                        .append(count(f.get("test_transactions"))).append("</td><td>").append(count(f.get("test_frauds")))
                        .append("</td><td>").append(f3(f.get("auprc"))).append("</td><td>").append(f3(f.get("roc_auc")))
                        .append("</td><td>").append(f3(f.get("card_precision_at_100"))).append("</td></tr>\n");
            }
            h.append("</tbody>\n</table>\n</section>\n");
        }

        // charts
        h.append("<section><h2>Charts</h2>\n");
        for (String n : notes) {
            h.append("<p class=\"note\">").append(esc(n)).append("</p>\n");
        }
        h.append("<div class=\"charts\">\n");
        for (String c : charts) {
            h.append("<figure><img src=\"").append(CHARTS_DIR).append('/').append(c).append("\" alt=\"")
                    .append(esc(c.replace(".png", "").replace('_', ' '))).append("\" width=\"").append(ReportCharts.WIDTH)
                    .append("\" height=\"").append(ReportCharts.HEIGHT).append("\"></figure>\n");
        }
        h.append("</div>\n</section>\n");

        // data and protocol
        h.append("<section class=\"two\"><div><h2>Data</h2>\n<table>\n<thead><tr><th></th><th>period</th>"
                + "<th>transactions</th><th>frauds</th><th>fraud rate</th></tr></thead>\n<tbody>\n");
        for (Slice sl : in.slices()) {
            h.append("<tr><th>").append(esc(sl.label())).append("</th><td>").append(esc(sl.period())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", sl.rows())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", sl.frauds())).append("</td><td>")
                    .append(sl.rows() == 0 ? "&ndash;" : String.format(Locale.ROOT, "%.2f%%", 100.0 * sl.frauds() / sl.rows()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n<p class=\"note\">Test rows leave out the cards already known to be compromised,"
                + " as in the handbook.</p></div>\n");
        h.append("<div><h2>Protocol and training</h2>\n<table>\n<tbody>\n");
        kv(h, "protocol", in.protocol());
        if (m.training() != null) {
            m.training().forEach((k, v) -> {
                if (!k.equals("protocol")) {
                    kv(h, k, v);
                }
            });
        }
        h.append("</tbody>\n</table></div></section>\n");

        // importance and artifacts
        h.append("<section class=\"two\"><div><h2>Feature importance</h2>\n<table>\n<thead><tr><th>feature</th><th>")
                .append(esc(in.importanceMeasure())).append("</th></tr></thead>\n<tbody>\n");
        importance.forEach((k, v) -> h.append("<tr><td><code>").append(esc(k)).append("</code></td><td>")
                .append(v == 0 ? "0 (not used)" : String.format(Locale.ROOT, "%,.2f", v)).append("</td></tr>\n"));
        h.append("</tbody>\n</table></div>\n<div><h2>Artifacts</h2>\n<table>\n<tbody>\n");
        in.artifacts().forEach((k, v) -> kv(h, k, v));
        h.append("</tbody>\n</table>\n");
        PmmlAgreement p = in.pmml();
        if (p != null) {
            boolean ok = p.maxAbsDifference() <= p.tolerance();
            h.append("<p class=\"").append(ok ? "ok" : "bad").append("\">PMML (<code>").append(esc(p.path()))
                    .append("</code>) against xgboost4j on ").append(String.format(Locale.ROOT, "%,d", p.rowsCompared()))
                    .append(" test rows: largest score difference ")
                    .append(String.format(Locale.ROOT, "%.2e", p.maxAbsDifference())).append(ok ? " (within " : " (ABOVE ")
                    .append(String.format(Locale.ROOT, "%.0e", p.tolerance())).append(", the loader's tolerance)</p>\n");
        }
        h.append("</div></section>\n");
        h.append("<footer>Generated by the fraud-flink trainer on ").append(Instant.now().toString().substring(0, 19))
                .append("Z. The manifest (<code>manifest.json</code>) holds these figures in full precision.</footer>\n");
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void card(StringBuilder h, String label, double v, String note) {
        h.append("<div class=\"card\"><div class=\"label\">").append(esc(label)).append("</div><div class=\"value\">")
                .append(f3(v)).append("</div><div class=\"note\">").append(esc(note)).append("</div></div>\n");
    }

    private static void baselineRow(StringBuilder h, String label, double mine,
            java.util.function.ToDoubleFunction<HandbookBaselines.Baseline> f) {
        h.append("<tr><th>").append(esc(label)).append("</th><td class=\"this\">").append(f3(mine)).append("</td>");
        for (HandbookBaselines.Baseline b : HandbookBaselines.ALL) {
            h.append("<td>").append(f3(f.applyAsDouble(b))).append("</td>");
        }
        h.append("</tr>\n");
    }

    /** Mean &plusmn; sd over the prequential folds, next to the handbook's prequential means (when there are folds). */
    private static void prequentialRow(StringBuilder h, ModelManifest m, String key, String label,
            java.util.function.ToDoubleFunction<HandbookBaselines.Baseline> f) {
        double mean = m.metric("prequential_" + key + "_mean");
        double sd = m.metric("prequential_" + key + "_std");
        if (Double.isNaN(mean)) {
            return;
        }
        h.append("<tr><th>Prequential ").append(esc(label)).append(" (mean &plusmn; sd)</th><td class=\"this\">")
                .append(f3(mean)).append(" &plusmn; ").append(f3(sd)).append("</td>");
        for (HandbookBaselines.Baseline b : HandbookBaselines.ALL) {
            h.append(HandbookBaselines.PREQUENTIAL.equals(b.protocol()) ? "<td>" + f3(f.applyAsDouble(b)) + "</td>"
                    : "<td class=\"na\">&ndash;</td>");
        }
        h.append("</tr>\n");
    }

    private static void plainRow(StringBuilder h, String label, double v, int emptyCols) {
        if (Double.isNaN(v)) {
            return;
        }
        h.append("<tr><th>").append(esc(label)).append("</th><td class=\"this\">").append(f3(v)).append("</td>")
                .append("<td class=\"na\">&ndash;</td>".repeat(emptyCols)).append("</tr>\n");
    }

    private static void kv(StringBuilder h, String k, String v) {
        h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
    }

    private static String f3(Double v) {
        return v == null || Double.isNaN(v) ? "&ndash;" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String count(Double v) {
        return v == null || Double.isNaN(v) ? "&ndash;" : String.format(Locale.ROOT, "%,d", Math.round(v));
    }

    /** A day range {@code from..to} (inclusive) of event times in epoch millis, UTC. */
    public static String period(long fromMillis, long toMillis) {
        LocalDate a = Instant.ofEpochMilli(fromMillis).atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate b = Instant.ofEpochMilli(toMillis).atZone(ZoneOffset.UTC).toLocalDate();
        return a.equals(b) ? a.toString() : a + " .. " + b;
    }

    /** {@code s} as HTML text (null: empty). */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** The look of the project's HTML reports (this one, and the drift report): page, cards, tables, code, figures. */
    public static final String PAGE_CSS = """
            body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
                   color: #222; background: #f6f7f9; margin: 0 auto; padding: 24px 32px 48px; max-width: 1600px; }
            header h1 { margin: 0; font-size: 28px; }
            header .version { font-weight: 400; color: #555; }
            .sub { color: #666; margin: 4px 0 20px; }
            h2 { font-size: 18px; margin: 0 0 10px; }
            section { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 18px 20px; margin: 0 0 18px; }
            .cards { display: flex; flex-wrap: wrap; gap: 14px; background: none; border: none; padding: 0; }
            .card { flex: 1 1 200px; background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 14px 18px; }
            .card .label { color: #666; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
            .card .value { font-size: 34px; font-weight: 600; color: #1f5fa8; }
            .card .note, p.note { color: #777; font-size: 13px; }
            table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
            th, td { padding: 5px 10px; border-bottom: 1px solid #eee; text-align: right; vertical-align: top; }
            th:first-child, td:first-child { text-align: left; }
            thead th { font-weight: 600; color: #444; border-bottom: 2px solid #ddd; }
            tbody th { font-weight: 500; }
            .proto { font-weight: 400; color: #888; font-size: 12px; }
            code { font: 13px/1 ui-monospace, "DejaVu Sans Mono", monospace; background: #f2f3f5; padding: 1px 4px; border-radius: 3px; }
            figure img { width: 100%; height: auto; border: 1px solid #eee; border-radius: 4px; }
            footer { color: #888; font-size: 12px; margin-top: 24px; }
            """;

    private static final String CSS = PAGE_CSS + """
            section.two { display: flex; flex-wrap: wrap; gap: 32px; }
            section.two > div { flex: 1 1 460px; min-width: 0; }
            table.metrics td.this, table.metrics th.this { background: #eef4fb; font-weight: 600; }
            td.na { color: #bbb; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; }
            figure { margin: 0; flex: 1 1 600px; max-width: 760px; }
            p.ok { color: #1d7a38; }
            p.bad { color: #b3261e; font-weight: 600; }
            """;
}
