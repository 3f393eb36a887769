package io.github.fraudflink.features;

import java.io.Serializable;
import java.time.Duration;

/**
 * The terminal features of the Fraud Detection Handbook, from delayed labels: for windows of 1, 7 and 30 days, the
 * terminal's transaction count and fraud share over {@code (t - d - w, t - d]}, where {@code d} is the label delay.
 * The count is of the transactions seen; the share is the frauds among them whose label was known by {@code t}
 * ({@code labelled_at <= t}) over that count, 0 for an empty window. A label with a later {@code labelled_at}
 * replaces an earlier one (an analyst reversing a chargeback), whatever order they arrive in; a label for a
 * transaction the terminal no longer keeps, or has not seen, changes nothing.
 *
 * <p>With every label arriving exactly {@code d} after its transaction (how the trainer replays a labelled dataset)
 * these are the handbook's {@code TERMINAL_ID_NB_TX_*} and {@code TERMINAL_ID_RISK_*} columns. Plain Java, shared by
 * the trainer and (next) the job; one instance serves every terminal.
 */
public final class TerminalFeatures implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long DAY = AccountFeatures.DAY;
    /** The windows, in days, in output order: count then share for each. */
    public static final int[] WINDOW_DAYS = {1, 7, 30};
    /** The handbook's label delay. */
    public static final Duration DEFAULT_DELAY = Duration.ofDays(7);
    /** A terminal keeps at most this many transactions (a busy merchant's 37 days); past it the oldest go. */
    public static final int DEFAULT_MAX_HISTORY = 20_000;

    private final long delayMillis;
    private final int maxHistory;

    public TerminalFeatures() {
        this(DEFAULT_DELAY, DEFAULT_MAX_HISTORY);
    }

    public TerminalFeatures(Duration delay, int maxHistory) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("label delay must not be negative: " + delay);
        }
        if (maxHistory < 1) {
            throw new IllegalArgumentException("max history must be at least 1: " + maxHistory);
        }
        this.delayMillis = delay.toMillis();
        this.maxHistory = maxHistory;
    }

    public Duration delay() {
        return Duration.ofMillis(delayMillis);
    }

    /** The number of values {@link #apply} returns. */
    public static int size() {
        return 2 * WINDOW_DAYS.length;
    }

    /**
     * The features of a transaction at {@code t} (count_1d, share_1d, count_7d, share_7d, count_30d, share_30d), then
     * the transaction recorded in the history (a repeat of a kept id is not recorded twice).
     */
    public double[] apply(TerminalHistory h, String transactionId, long t) {
        double[] v = compute(h, t);
        if (h.indexOf(transactionId) < 0) {
            h.insert(t, transactionId);
            h.drop(h.maxEventTime - delayMillis - 30 * DAY, maxHistory);
        }
        return v;
    }

    /**
     * Records a label: whether the transaction was a fraud, known from {@code labelledAt}. The label with the latest
     * {@code labelledAt} wins whatever the order labels arrive in (an analyst reversing a chargeback labels later);
     * of two labelled at the same instant, fraud wins. So the result does not depend on arrival order.
     */
    public void label(TerminalHistory h, String transactionId, boolean isFraud, long labelledAt) {
        int i = h.indexOf(transactionId);
        if (i < 0) {
            return;
        }
        boolean none = h.labelledAt[i] == Long.MAX_VALUE;
        if (none || labelledAt > h.labelledAt[i] || (labelledAt == h.labelledAt[i] && isFraud)) {
            h.fraud[i] = isFraud;
            h.labelledAt[i] = labelledAt;
        }
    }

    private double[] compute(TerminalHistory h, long t) {
        double[] v = new double[size()];
        long upper = t - delayMillis;
        for (int w = 0; w < WINDOW_DAYS.length; w++) {
            long lower = upper - WINDOW_DAYS[w] * DAY;
            int count = 0;
            int frauds = 0;
            for (int i = 0; i < h.times.length && h.times[i] <= upper; i++) {
                if (h.times[i] > lower) {
                    count++;
                    if (h.fraud[i] && h.labelledAt[i] <= t) {
                        frauds++;
                    }
                }
            }
            v[2 * w] = count;
            v[2 * w + 1] = count == 0 ? 0 : (double) frauds / count;
        }
        return v;
    }
}
