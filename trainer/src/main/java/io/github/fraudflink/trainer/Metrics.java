package io.github.fraudflink.trainer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Imbalance-aware evaluation of fraud scores: average precision (AUPRC), ROC AUC, precision / recall /
 * F1 at a threshold, the best-F1 threshold, and the Fraud Detection Handbook's card precision@k.
 * Definitions follow scikit-learn ({@code average_precision_score}, {@code roc_auc_score}) and the handbook.
 */
public final class Metrics {
    private Metrics() {}

    /** Precision, recall and F1 of the rule {@code score >= threshold}. */
    public record AtThreshold(double threshold, double precision, double recall, double f1, long flagged, long truePositives) {}

    private static Integer[] orderByScoreDesc(double[] scores) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        return idx;
    }

    private static long positives(boolean[] labels) {
        long p = 0;
        for (boolean b : labels) {
            p += b ? 1 : 0;
        }
        return p;
    }

    /** Average precision: sum over distinct thresholds of (R_n - R_{n-1}) * P_n, as scikit-learn. */
    public static double averagePrecision(double[] scores, boolean[] labels) {
        long pos = positives(labels);
        if (pos == 0) {
            return Double.NaN;
        }
        double ap = 0;
        double prevRecall = 0;
        for (double[] g : atOrAbove(scores, labels)) {
            double recall = g[1] / pos;
            double precision = g[1] / g[2];
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
        }
        return ap;
    }

    /**
     * Per distinct score, highest first: {@code {score, frauds at or above it, rows at or above it}} (the counts as
     * doubles, exact below 2^53): the operating points every threshold rule walks.
     */
    static double[][] atOrAbove(double[] scores, boolean[] labels) {
        Integer[] idx = orderByScoreDesc(scores);
        double[][] out = new double[scores.length][];
        int n = 0;
        long tp = 0;
        long seen = 0;
        for (int k = 0; k < idx.length; ) {
            double s = scores[idx[k]];
            while (k < idx.length && scores[idx[k]] == s) {
                tp += labels[idx[k]] ? 1 : 0;
                seen++;
                k++;
            }
            out[n++] = new double[] {s, tp, seen};
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Area under the ROC curve (probability a random fraud outscores a random genuine one; ties count half). */
    public static double rocAuc(double[] scores, boolean[] labels) {
        long pos = positives(labels);
        long neg = labels.length - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        Integer[] idx = orderByScoreDesc(scores);
        // ascending ranks with ties averaged
        double rankSumPos = 0;
        int n = idx.length;
        for (int k = 0; k < n; ) {
            int j = k;
            while (j < n && scores[idx[j]] == scores[idx[k]]) {
                j++;
            }
            // positions k..j-1 in descending order have ascending ranks n-j+1 .. n-k
            double avgRank = ((n - j + 1) + (n - k)) / 2.0;
            for (int m = k; m < j; m++) {
                if (labels[idx[m]]) {
                    rankSumPos += avgRank;
                }
            }
            k = j;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    public static AtThreshold atThreshold(double[] scores, boolean[] labels, double threshold) {
        long pos = positives(labels);
        long flagged = 0;
        long tp = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] >= threshold) {
                flagged++;
                tp += labels[i] ? 1 : 0;
            }
        }
        double p = flagged == 0 ? 0 : (double) tp / flagged;
        double r = pos == 0 ? 0 : (double) tp / pos;
        double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return new AtThreshold(threshold, p, r, f1, flagged, tp);
    }

    /** The threshold (one of the scores) that maximises F1; ties go to the higher threshold. */
    public static AtThreshold bestF1(double[] scores, boolean[] labels) {
        long pos = positives(labels);
        AtThreshold best = new AtThreshold(1.0, 0, 0, 0, 0, 0);
        for (double[] g : atOrAbove(scores, labels)) {
            double p = g[1] / g[2];
            double r = pos == 0 ? 0 : g[1] / pos;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            if (f1 > best.f1()) {
                best = new AtThreshold(g[0], p, r, f1, (long) g[2], (long) g[1]);
            }
        }
        return best;
    }

    /**
     * The handbook's card precision@k: per day, rank cards by their highest score of the day, take the top
     * {@code k}, and count the share of them with a fraud that day; cards found compromised on an earlier
     * day are left out. Returns the mean over days.
     *
     * @param days the day index of each transaction
     * @param cards the card (account) of each transaction
     */
    public static double cardPrecisionAtK(double[] scores, boolean[] labels, int[] days, String[] cards, int k) {
        TreeMap<Integer, List<Integer>> byDay = new TreeMap<>();
        for (int i = 0; i < scores.length; i++) {
            byDay.computeIfAbsent(days[i], d -> new java.util.ArrayList<>()).add(i);
        }
        Set<String> detected = new HashSet<>();
        double sum = 0;
        for (List<Integer> rows : byDay.values()) {
            Map<String, double[]> perCard = new HashMap<>(); // card -> {max score, max label}
            for (int i : rows) {
                if (detected.contains(cards[i])) {
                    continue;
                }
                double[] c = perCard.computeIfAbsent(cards[i], x -> new double[] {Double.NEGATIVE_INFINITY, 0});
                c[0] = Math.max(c[0], scores[i]);
                c[1] = Math.max(c[1], labels[i] ? 1 : 0);
            }
            List<Map.Entry<String, double[]>> ranked = new java.util.ArrayList<>(perCard.entrySet());
            ranked.sort(Comparator.<Map.Entry<String, double[]>>comparingDouble(e -> e.getValue()[0]).reversed()
                    .thenComparing(Map.Entry::getKey));
            int hits = 0;
            for (int j = 0; j < Math.min(k, ranked.size()); j++) {
                if (ranked.get(j).getValue()[1] > 0) {
                    hits++;
                    detected.add(ranked.get(j).getKey());
                }
            }
            sum += (double) hits / k;
        }
        return byDay.isEmpty() ? Double.NaN : sum / byDay.size();
    }
}
