package io.github.fraudflink.trainer;

import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.drift.Psi;
import java.util.Arrays;

/** Histograms for the manifest's reference distributions (what drift monitoring compares live traffic with). */
final class Histograms {
    private Histograms() {}

    /**
     * Bins whose lower edges are the quantiles 0, 1/bins, ... of {@code v}, so each holds about the same share; the top
     * edge is just above the largest value. A value that holds at least one bin's share (a mass point: mostly 0, or a
     * default) is a bin of its own, the values above it starting the next, so a feature that is 0 95% of the time still
     * has bins for the rest. A feature with at most {@code bins} distinct values (a flag, a small count, mostly 0) has a bin per
     * value, the largest included: a flag has two bins, a count of 1 to 3 three, however rare the 3s.
     */
    static ModelManifest.Histogram quantile(double[] v, int bins) {
        double[] s = v.clone();
        Arrays.sort(s);
        double[] distinct = distinct(s, bins);
        double[] edges = new double[bins + 1];
        int n = 0;
        if (distinct != null) {
            System.arraycopy(distinct, 0, edges, 0, distinct.length);
            n = distinct.length;
        } else {
            double[] quantiles = new double[bins];
            int q = 0;
            for (int b = 0; b < bins; b++) {
                double e = s[(int) Math.round((double) b * (s.length - 1) / bins)];
                if (q == 0 || e > quantiles[q - 1]) {
                    quantiles[q++] = e;
                }
            }
            edges = new double[2 * bins + 1];
            for (int i = 0; i < q; i++) {
                double e = quantiles[i];
                edges[n++] = e;
                // a value that holds a whole bin's share is a bin of its own: the values above it start the next
                int above = firstAbove(s, e);
                boolean mass = above - firstAbove(s, Math.nextDown(e)) >= (double) s.length / bins;
                if (mass && above < s.length && (i + 1 == q || s[above] < quantiles[i + 1])) {
                    edges[n++] = s[above];
                }
            }
        }
        edges[n++] = Math.nextUp(s.length == 0 ? 0 : s[s.length - 1]);
        return count(v, Arrays.copyOf(edges, n));
    }

    /** The index of the first value of sorted {@code s} above {@code x} ({@code s.length} when none). */
    private static int firstAbove(double[] s, double x) {
        int lo = 0;
        int hi = s.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (s[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The distinct values of sorted {@code s} when there are at most {@code most}, else null; {@code {0}} when empty. */
    private static double[] distinct(double[] s, int most) {
        if (s.length == 0) {
            return new double[] {0};
        }
        double[] d = new double[most];
        int n = 0;
        for (double x : s) {
            if (n == 0 || x > d[n - 1]) {
                if (n == most) {
                    return null;
                }
                d[n++] = x;
            }
        }
        return Arrays.copyOf(d, n);
    }

    /** Counts per bin [edge_i, edge_i+1) ({@link Psi#bin}: values outside go to the nearest end bin). */
    static ModelManifest.Histogram count(double[] v, double[] edges) {
        long[] counts = new long[edges.length - 1];
        for (double x : v) {
            counts[Psi.bin(edges, x)]++;
        }
        return new ModelManifest.Histogram(edges, counts);
    }
}
