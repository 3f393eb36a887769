package io.github.fraudflink.trainer;

import io.github.fraudflink.model.ModelManifest;
import java.util.Arrays;

/** Histograms for the manifest's reference distributions (what drift monitoring compares live traffic with). */
final class Histograms {
    private Histograms() {}

    /** Bins at the quantiles of {@code v} (duplicate edges merged), so each holds about the same share. */
    static ModelManifest.Histogram quantile(double[] v, int bins) {
        double[] s = v.clone();
        Arrays.sort(s);
        double[] edges = new double[bins + 1];
        int n = 0;
        for (int b = 0; b <= bins; b++) {
            double e = s.length == 0 ? 0 : s[(int) Math.min(s.length - 1, Math.round((double) b * (s.length - 1) / bins))];
            if (n == 0 || e > edges[n - 1]) {
                edges[n++] = e;
            }
        }
        if (n == 1) {
            edges[n++] = edges[0];
        }
        return count(v, Arrays.copyOf(edges, n));
    }

    static ModelManifest.Histogram fixed(double[] v, double lo, double hi, int bins) {
        double[] edges = new double[bins + 1];
        for (int b = 0; b <= bins; b++) {
            edges[b] = lo + (hi - lo) * b / bins;
        }
        return count(v, edges);
    }

    /** Counts per bin [edge_i, edge_i+1), the last bin closed; values outside go to the nearest end bin. */
    static ModelManifest.Histogram count(double[] v, double[] edges) {
        long[] counts = new long[edges.length - 1];
        for (double x : v) {
            int i = Arrays.binarySearch(edges, x);
            int bin = i >= 0 ? i : -i - 2;
            counts[Math.max(0, Math.min(counts.length - 1, bin))]++;
        }
        return new ModelManifest.Histogram(edges, counts);
    }
}
