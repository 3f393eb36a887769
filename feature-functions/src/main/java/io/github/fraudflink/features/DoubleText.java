package io.github.fraudflink.features;

/**
 * The text of a double exactly as {@link Double#toString(double)} writes it, fast for the values most features take:
 * whole numbers of magnitude below 10^7 (counts, flags, hours), which it writes as the integer and ".0" instead of
 * running the general shortest-digits algorithm. Other values go to {@link Double#toString(double)}.
 */
public final class DoubleText {
    /** Below this magnitude {@link Double#toString(double)} writes a whole number as digits and ".0", not E notation. */
    private static final double PLAIN_LIMIT = 1e7;

    private DoubleText() {}

    /**
     * Whether {@code v} is a whole number whose text is its digits and ".0" (not -0.0, whose text keeps its sign); the
     * scored JSON writer uses it for the same shortcut.
     */
    public static boolean isSmallWholeNumber(double v) {
        return v == (long) v && Math.abs(v) < PLAIN_LIMIT && (v != 0 || Double.doubleToRawLongBits(v) == 0);
    }

    /** {@link Double#toString(double)}, appended to {@code b}. */
    public static StringBuilder append(StringBuilder b, double v) {
        return isSmallWholeNumber(v) ? b.append((long) v).append(".0") : b.append(v);
    }
}
