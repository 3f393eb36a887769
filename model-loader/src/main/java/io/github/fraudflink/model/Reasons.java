package io.github.fraudflink.model;

/**
 * The reasons for a decision: the features whose exact contributions ({@link TreeShap}) raised the score the most.
 * Only features that raised it are reasons, so a row has at most {@code k} and possibly none.
 */
public final class Reasons {
    /** Reasons given per explained decision. */
    public static final int TOP = 3;

    private Reasons() {}

    /**
     * Fills {@code out} with the indexes of the up to {@code out.length} largest positive values of {@code phi[0..n-1]},
     * largest first (equal values: the lower index first); returns how many it filled.
     */
    public static int top(double[] phi, int n, int[] out) {
        int found = 0;
        for (int i = 0; i < n; i++) {
            double v = phi[i];
            if (!(v > 0)) {
                continue;
            }
            int at = found < out.length ? found++ : out.length;
            // insertion: shift smaller ones down, dropping the last when full
            while (at > 0 && phi[out[at - 1]] < v) {
                if (at < out.length) {
                    out[at] = out[at - 1];
                }
                at--;
            }
            if (at < out.length) {
                out[at] = i;
            }
        }
        return found;
    }
}
