package io.github.fraudflink.model.drift;

import java.util.Arrays;

/**
 * The population stability index of live counts against a reference histogram over the same bins:
 * {@code sum over bins of (live share - reference share) * ln(live share / reference share)}. 0 when the shares are
 * equal; the usual reading is below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a major one. An empty bin's
 * share is taken as {@link #FLOOR}, so a bin that empties or fills gives a large but finite term.
 */
public final class Psi {
    /** The share an empty bin counts as. */
    public static final double FLOOR = 1e-4;

    private Psi() {}

    /** The bin of {@code x} under {@code edges}: {@code [edges[i], edges[i+1])}; values outside go to the nearest end bin. */
    public static int bin(double[] edges, double x) {
        int i = Arrays.binarySearch(edges, x);
        int bin = i >= 0 ? i : -i - 2;
        return Math.max(0, Math.min(edges.length - 2, bin));
    }

    /** The index of {@code actual} against {@code expected} (same length); NaN when either holds no count. */
    public static double of(long[] expected, long[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException("different bins: " + expected.length + " and " + actual.length);
        }
        double e = 0;
        double a = 0;
        for (int i = 0; i < expected.length; i++) {
            e += expected[i];
            a += actual[i];
        }
        if (e == 0 || a == 0) {
            return Double.NaN;
        }
        double psi = 0;
        for (int i = 0; i < expected.length; i++) {
            double pe = Math.max(FLOOR, expected[i] / e);
            double pa = Math.max(FLOOR, actual[i] / a);
            psi += (pa - pe) * Math.log(pa / pe);
        }
        return psi;
    }
}
