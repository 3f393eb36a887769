package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.cli.common.ModelQuality;
import io.github.fraudflink.registry.Gates;
import io.github.fraudflink.registry.ModelVersion;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The champion against the shadow on live traffic: the transactions both scored (the shadow's whole time live), their
 * labels as they stand ({@code fraud_labels_latest}), each model's quality at its own threshold, how many decisions
 * the shadow would change, and both score distributions. The input of {@code ./fraud model compare} and of the gate
 * of {@code ./fraud model promote}.
 */
record LiveComparison(ModelVersion champion, ModelVersion shadow, long scored, long changed, long changedLabelled,
        double championThreshold, double shadowThreshold, Gates.Quality championQuality, Gates.Quality shadowQuality,
        double[] championQuantiles, double[] shadowQuantiles) {

    static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private static final String QUERY = "SELECT s.score, s.threshold, s.shadow_score, s.shadow_threshold, l.is_fraud"
            + " FROM scored_transactions s LEFT JOIN fraud_labels_latest l"
            + " ON l.account_id = s.account_id AND l.transaction_id = s.transaction_id"
            + " WHERE s.model = ? AND s.model_version = ? AND s.shadow_model = ? AND s.shadow_version = ?"
            + " AND s.shadow_score IS NOT NULL";

    static LiveComparison read(Connection c, ModelVersion champion, ModelVersion shadow) throws SQLException {
        double[] cs = new double[1024];
        double[] ss = new double[1024];
        boolean[] labelled = new boolean[1024];
        boolean[] fraud = new boolean[1024];
        int n = 0;
        long changed = 0;
        long changedLabelled = 0;
        // the thresholds the rows were decided with (a version's own, as in its manifest)
        double championThreshold = champion.threshold();
        double shadowThreshold = shadow.threshold();
        try (PreparedStatement q = c.prepareStatement(QUERY)) {
            q.setFetchSize(10_000);
            q.setString(1, champion.model());
            q.setString(2, champion.version());
            q.setString(3, shadow.model());
            q.setString(4, shadow.version());
            c.setAutoCommit(false); // a cursor, not the whole result in memory at once
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    if (n == cs.length) {
                        cs = Arrays.copyOf(cs, n * 2);
                        ss = Arrays.copyOf(ss, n * 2);
                        labelled = Arrays.copyOf(labelled, n * 2);
                        fraud = Arrays.copyOf(fraud, n * 2);
                    }
                    cs[n] = r.getDouble(1);
                    ss[n] = r.getDouble(3);
                    // rows written before shadow_threshold existed: the registry's threshold of the shadow
                    double st = r.getObject(4) == null ? shadow.threshold() : r.getDouble(4);
                    championThreshold = r.getDouble(2);
                    shadowThreshold = st;
                    Boolean f = r.getObject(5, Boolean.class);
                    labelled[n] = f != null;
                    fraud[n] = f != null && f;
                    if ((cs[n] >= r.getDouble(2)) != (ss[n] >= st)) {
                        changed++;
                        changedLabelled += f != null ? 1 : 0;
                    }
                    n++;
                }
            } finally {
                c.commit();
                c.setAutoCommit(true);
            }
        }
        int m = 0;
        for (int i = 0; i < n; i++) {
            m += labelled[i] ? 1 : 0;
        }
        double[] lc = new double[m];
        double[] ls = new double[m];
        boolean[] y = new boolean[m];
        for (int i = 0, k = 0; i < n; i++) {
            if (labelled[i]) {
                lc[k] = cs[i];
                ls[k] = ss[i];
                y[k++] = fraud[i];
            }
        }
        return new LiveComparison(champion, shadow, n, changed, changedLabelled, championThreshold, shadowThreshold,
                ModelQuality.of(lc, y, championThreshold), ModelQuality.of(ls, y, shadowThreshold),
                quantiles(Arrays.copyOf(cs, n)), quantiles(Arrays.copyOf(ss, n)));
    }

    private static double[] quantiles(double[] v) {
        Arrays.sort(v);
        double[] q = new double[QUANTILES.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = v.length == 0 ? Double.NaN : v[(int) Math.min(v.length - 1, Math.floor(QUANTILES[i] * v.length))];
        }
        return q;
    }

    /** The live gate: the shadow judged against the champion on these labels. */
    java.util.List<Gates.Verdict> verdicts(Gates gates) {
        return gates.judge(shadowQuality, championQuality);
    }

    void print(PrintWriter out, Gates gates) {
        out.printf("champion %s %s against shadow %s %s on the %,d transactions both scored (%,d labelled, %,d frauds)%n",
                champion.model(), champion.version(), shadow.model(), shadow.version(), scored, shadowQuality.labelled(),
                shadowQuality.frauds());
        String f = "%-26s %12s %12s%n";
        out.printf(f, "", "champion", "shadow");
        out.printf(f, "threshold", num(championThreshold), num(shadowThreshold));
        out.printf(f, "average precision", num(championQuality.averagePrecision()), num(shadowQuality.averagePrecision()));
        out.printf(f, "precision at threshold", num(championQuality.precision()), num(shadowQuality.precision()));
        out.printf(f, "recall at threshold", num(championQuality.recall()), num(shadowQuality.recall()));
        out.printf(f, "false-positive rate", num(championQuality.falsePositiveRate()), num(shadowQuality.falsePositiveRate()));
        for (int i = 0; i < QUANTILES.length; i++) {
            out.printf(f, "score p" + pct(QUANTILES[i]), num(championQuantiles[i]), num(shadowQuantiles[i]));
        }
        out.printf("decisions the shadow would change: %,d of %,d (%,d of them labelled)%n", changed, scored, changedLabelled);
        java.util.List<Gates.Verdict> v = verdicts(gates);
        for (Gates.Verdict g : v) {
            out.printf("  gate %-20s %s  %s%n", g.gate(), g.passed() ? "pass" : "FAIL", g.detail());
        }
        out.println(Gates.passed(v) ? "the shadow may be promoted" : "promote would refuse the shadow (--force with a reason overrides)");
    }

    ObjectNode json(ObjectMapper om, Gates gates) {
        ObjectNode o = om.createObjectNode();
        o.put("champion_model", champion.model());
        o.put("champion_version", champion.version());
        o.put("shadow_model", shadow.model());
        o.put("shadow_version", shadow.version());
        o.put("scored_by_both", scored);
        o.put("decisions_changed", changed);
        o.put("decisions_changed_labelled", changedLabelled);
        o.set("champion", quality(om, championQuality, championThreshold, championQuantiles));
        o.set("shadow", quality(om, shadowQuality, shadowThreshold, shadowQuantiles));
        var gatesNode = o.putArray("gates");
        java.util.List<Gates.Verdict> v = verdicts(gates);
        for (Gates.Verdict g : v) {
            gatesNode.addObject().put("gate", g.gate()).put("passed", g.passed()).put("detail", g.detail());
        }
        o.put("promotable", Gates.passed(v));
        return o;
    }

    private static ObjectNode quality(ObjectMapper om, Gates.Quality q, double threshold, double[] quantiles) {
        ObjectNode o = om.createObjectNode();
        o.put("threshold", threshold);
        o.put("labelled", q.labelled());
        o.put("frauds", q.frauds());
        putNumber(o, "average_precision", q.averagePrecision());
        putNumber(o, "precision", q.precision());
        putNumber(o, "recall", q.recall());
        putNumber(o, "false_positive_rate", q.falsePositiveRate());
        ObjectNode d = o.putObject("score_quantiles");
        for (int i = 0; i < QUANTILES.length; i++) {
            putNumber(d, "p" + pct(QUANTILES[i]), quantiles[i]);
        }
        return o;
    }

    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    private static String pct(double q) {
        String s = String.format(Locale.ROOT, "%.1f", q * 100);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
