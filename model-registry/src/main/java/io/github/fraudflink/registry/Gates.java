package io.github.fraudflink.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The promotion gates: a challenger may replace the champion only if, on the same labelled transactions, its average
 * precision is not below the champion's, its recall at its threshold is not below the champion's at the champion's,
 * its false-positive rate at its threshold is at most {@code maxFalsePositiveRate}, and there are enough labels to
 * tell ({@code minLabelled}, {@code minFrauds}). Used offline by retraining (a later labelled window) and live by
 * {@code promote} (the labels of the transactions both scored).
 *
 * @param tolerance how far below the champion's AP and recall still passes (0: not below)
 */
public record Gates(double maxFalsePositiveRate, long minLabelled, long minFrauds, double tolerance) {
    public static final double DEFAULT_MAX_FALSE_POSITIVE_RATE = 0.02;
    public static final long DEFAULT_MIN_LABELLED = 1_000;
    public static final long DEFAULT_MIN_FRAUDS = 20;
    public static final Gates DEFAULTS = new Gates(DEFAULT_MAX_FALSE_POSITIVE_RATE, DEFAULT_MIN_LABELLED,
            DEFAULT_MIN_FRAUDS, 0.0);

    /** A model's quality on labelled transactions. */
    public record Quality(long labelled, long frauds, double averagePrecision, double recall, double falsePositiveRate,
            double precision) {}

    /** One gate's outcome, with the figures that decided it. */
    public record Verdict(String gate, boolean passed, String detail) {}

    /** The verdicts of the challenger against the champion (null: no champion, the quality gates alone). */
    public List<Verdict> judge(Quality challenger, Quality champion) {
        List<Verdict> out = new ArrayList<>();
        out.add(new Verdict("enough_labels", challenger.labelled() >= minLabelled && challenger.frauds() >= minFrauds,
                String.format(Locale.ROOT, "%,d labelled (at least %,d), %,d frauds (at least %,d)", challenger.labelled(),
                        minLabelled, challenger.frauds(), minFrauds)));
        if (champion != null) {
            out.add(new Verdict("average_precision", challenger.averagePrecision() >= champion.averagePrecision() - tolerance,
                    String.format(Locale.ROOT, "%.4f vs champion %.4f", challenger.averagePrecision(),
                            champion.averagePrecision())));
            out.add(new Verdict("recall_at_threshold", challenger.recall() >= champion.recall() - tolerance,
                    String.format(Locale.ROOT, "%.4f vs champion %.4f", challenger.recall(), champion.recall())));
        }
        out.add(new Verdict("false_positive_rate", challenger.falsePositiveRate() <= maxFalsePositiveRate,
                String.format(Locale.ROOT, "%.4f (at most %.4f)", challenger.falsePositiveRate(), maxFalsePositiveRate)));
        return out;
    }

    /** Whether every verdict passed. */
    public static boolean passed(List<Verdict> verdicts) {
        return verdicts.stream().allMatch(Verdict::passed);
    }

    /** The failed verdicts in one line, e.g. "average_precision: 0.61 vs champion 0.70". */
    public static String failures(List<Verdict> verdicts) {
        return String.join("; ", verdicts.stream().filter(v -> !v.passed()).map(v -> v.gate() + ": " + v.detail()).toList());
    }
}
