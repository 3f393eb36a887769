package io.github.fraudflink.trainer.report;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The points of the precision-recall and ROC curves of fraud scores, and score histograms by class: what the
 * training report draws. Definitions follow scikit-learn's {@code precision_recall_curve} and {@code roc_curve}:
 * one point per distinct score used as the threshold (rule {@code score >= threshold}), tied scores forming one
 * point, so that {@link #stepArea} of the PR curve is {@link io.github.fraudflink.trainer.Metrics#averagePrecision}
 * and {@link #trapezoidArea} of the ROC curve is {@link io.github.fraudflink.trainer.Metrics#rocAuc}.
 */
public final class Curves {
    private Curves() {}

    /**
     * A curve: point {@code i} is {@code (x[i], y[i])}, reached with threshold {@code thresholds[i]} (thresholds
     * descending, x ascending). Arrays are shared, not copied: treat them as read-only.
     */
    public record Curve(double[] x, double[] y, double[] thresholds) {
        public int size() {
            return x.length;
        }

        public boolean isEmpty() {
            return x.length == 0;
        }
    }

    /** Scores and labels of two classes on fixed bins: {@code edges} (n + 1) on [0, 1], counts per class (n). */
    public record ClassHistogram(double[] edges, long[] genuine, long[] fraud) {}

    /**
     * Precision (y) against recall (x): a first point (recall 0, precision 1) with threshold +infinity, then one
     * point per distinct score, highest first. Empty when there is no positive (recall is undefined).
     */
    public static Curve precisionRecall(double[] scores, boolean[] labels) {
        Counts c = counts(scores, labels);
        if (c.positives == 0) {
            return new Curve(new double[0], new double[0], new double[0]);
        }
        int n = c.thresholds.length;
        double[] x = new double[n + 1];
        double[] y = new double[n + 1];
        double[] t = new double[n + 1];
        x[0] = 0;
        y[0] = 1;
        t[0] = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            x[i + 1] = (double) c.tps[i] / c.positives;
            y[i + 1] = (double) c.tps[i] / (c.tps[i] + c.fps[i]);
            t[i + 1] = c.thresholds[i];
        }
        return new Curve(x, y, t);
    }

    /**
     * True-positive rate (y) against false-positive rate (x): a first point (0, 0) with threshold +infinity, then one
     * point per distinct score, highest first, leaving out the points that lie on a straight line between their
     * neighbours (scikit-learn's {@code drop_intermediate}; the area does not change). Empty unless both classes occur.
     */
    public static Curve roc(double[] scores, boolean[] labels) {
        Counts c = counts(scores, labels);
        long negatives = scores.length - c.positives;
        if (c.positives == 0 || negatives == 0) {
            return new Curve(new double[0], new double[0], new double[0]);
        }
        int n = c.thresholds.length;
        int[] keep = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            boolean end = i == 0 || i == n - 1;
            if (end || c.fps[i - 1] - 2 * c.fps[i] + c.fps[i + 1] != 0 || c.tps[i - 1] - 2 * c.tps[i] + c.tps[i + 1] != 0) {
                keep[k++] = i;
            }
        }
        double[] x = new double[k + 1];
        double[] y = new double[k + 1];
        double[] t = new double[k + 1];
        t[0] = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            int i = keep[j];
            x[j + 1] = (double) c.fps[i] / negatives;
            y[j + 1] = (double) c.tps[i] / c.positives;
            t[j + 1] = c.thresholds[i];
        }
        return new Curve(x, y, t);
    }

    /** Area under {@code c} by the trapezoidal rule (the ROC AUC of a ROC curve). */
    public static double trapezoidArea(Curve c) {
        double a = 0;
        for (int i = 1; i < c.size(); i++) {
            a += (c.x()[i] - c.x()[i - 1]) * (c.y()[i] + c.y()[i - 1]) / 2;
        }
        return a;
    }

    /** Step-wise area {@code sum (x_i - x_{i-1}) * y_i} (the average precision of a PR curve). */
    public static double stepArea(Curve c) {
        double a = 0;
        for (int i = 1; i < c.size(); i++) {
            a += (c.x()[i] - c.x()[i - 1]) * c.y()[i];
        }
        return a;
    }

    /**
     * Counts of each class's scores in {@code bins} equal bins on [0, 1]: bin {@code b} holds
     * {@code [b/bins, (b+1)/bins)}, the last one also 1; scores outside [0, 1] go to the nearest end bin.
     */
    public static ClassHistogram histogram(double[] scores, boolean[] labels, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1: " + bins);
        }
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            edges[b] = (double) b / bins;
        }
        long[] genuine = new long[bins];
        long[] fraud = new long[bins];
        for (int i = 0; i < scores.length; i++) {
            int b = (int) Math.floor(scores[i] * bins);
            b = Math.max(0, Math.min(bins - 1, b));
            if (labels[i]) {
                fraud[b]++;
            } else {
                genuine[b]++;
            }
        }
        return new ClassHistogram(edges, genuine, fraud);
    }

    /** Cumulative true and false positives at each distinct score, highest first. */
    private record Counts(double[] thresholds, long[] tps, long[] fps, long positives) {}

    private static Counts counts(double[] scores, boolean[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        }
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            if (Double.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        double[] thresholds = new double[idx.length];
        long[] tps = new long[idx.length];
        long[] fps = new long[idx.length];
        int n = 0;
        long tp = 0;
        long fp = 0;
        for (int k = 0; k < idx.length; ) {
            double s = scores[idx[k]];
            while (k < idx.length && scores[idx[k]] == s) {
                if (labels[idx[k]]) {
                    tp++;
                } else {
                    fp++;
                }
                k++;
            }
            thresholds[n] = s;
            tps[n] = tp;
            fps[n] = fp;
            n++;
        }
        return new Counts(Arrays.copyOf(thresholds, n), Arrays.copyOf(tps, n), Arrays.copyOf(fps, n), tp);
    }
}
