package io.github.fraudflink.features;

import java.io.Serializable;
import java.time.Duration;

/**
 * Computes the {@link FeatureSchema} vector of a transaction from its account's
 * {@link AccountHistory}, and records the transaction in that history.
 *
 * <p>Definitions (event time, never the wall clock; windows end at and include the current event):
 * <ul>
 *   <li>{@code tx_count_W}: transactions of the account with event time in {@code (t - W, t]}, this one
 *       included, among those known when it arrives (ties in arrival order);</li>
 *   <li>{@code avg_amount_W}: mean amount over the same set;</li>
 *   <li>{@code amount_zscore_30d}: {@code (amount - mean) / sd} over the account's other known
 *       transactions in {@code (t - 30d, t]} (sample standard deviation); 0 with fewer than 2 of them
 *       or a zero deviation;</li>
 *   <li>{@code amount_ratio_30d}: {@code amount / mean} over the same set; 1 when it is empty;</li>
 *   <li>{@code seconds_since_prev}: seconds since the latest known transaction in
 *       {@code (t - 30d, t]}; -1 when there is none;</li>
 *   <li>{@code hour_of_day} (UTC), {@code is_weekend} (Saturday or Sunday, UTC), {@code is_night}
 *       (hour &lt;= 6, as in the Fraud Detection Handbook).</li>
 * </ul>
 * A transaction id already in the history is a duplicate: it gets the features its first
 * occurrence got (computed from the entries known before it) and changes nothing. The history
 * keeps {@code 30 days + slack} of event time behind the newest event; that is also how late an
 * event may be and still be counted, and how long duplicates are recognised.
 *
 * <p>Thread-compatible and stateless apart from its configuration: one instance serves every account.
 */
public final class AccountFeatures implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long SECOND = 1000L;
    public static final long MINUTE = 60 * SECOND;
    public static final long HOUR = 60 * MINUTE;
    public static final long DAY = 24 * HOUR;

    /** Count windows, in {@link FeatureSchema} order. */
    static final long[] COUNT_WINDOWS = {5 * MINUTE, HOUR, DAY, 7 * DAY, 30 * DAY};
    /** Mean-amount windows, in {@link FeatureSchema} order. */
    static final long[] AVG_WINDOWS = {DAY, 7 * DAY, 30 * DAY};
    static final long DEVIATION_WINDOW = 30 * DAY;
    static final long LONGEST_WINDOW = 30 * DAY;

    /** The default slack: one day of event time. */
    public static final Duration DEFAULT_SLACK = Duration.ofDays(1);
    /** The default bound of an account's history: far above any genuine card's 30 days (the handbook's: about 60). */
    public static final int DEFAULT_MAX_HISTORY = 1000;

    private final long slackMillis;
    private final int maxHistory;

    public AccountFeatures() {
        this(DEFAULT_SLACK);
    }

    public AccountFeatures(Duration slack) {
        this(slack, DEFAULT_MAX_HISTORY);
    }

    /**
     * @param maxHistory the most transactions an account's history keeps, whatever its rate. Past it the oldest
     *     are dropped: the counts and means then cover only the newest {@code maxHistory} transactions (a count
     *     never exceeds {@code maxHistory + 1}), and a repeat of a dropped transaction is no longer recognised.
     */
    public AccountFeatures(Duration slack, int maxHistory) {
        if (slack.isNegative()) {
            throw new IllegalArgumentException("slack must not be negative: " + slack);
        }
        if (maxHistory < 1) {
            throw new IllegalArgumentException("max history must be at least 1: " + maxHistory);
        }
        this.slackMillis = slack.toMillis();
        this.maxHistory = maxHistory;
    }

    /** The most transactions an account's history keeps. */
    public int maxHistory() {
        return maxHistory;
    }

    /** How much event time behind the newest event an account's history keeps. */
    public Duration retention() {
        return Duration.ofMillis(LONGEST_WINDOW + slackMillis);
    }

    /**
     * Features of {@code tx}, and the history updated with it (unless it is a duplicate).
     *
     * @param history the account's history; modified in place
     */
    public FeatureResult apply(AccountHistory history, Transaction tx) {
        return apply(history, tx.transactionId, tx.eventTime, tx.amount);
    }

    /** As {@link #apply(AccountHistory, Transaction)}, from the three fields the features use. */
    public FeatureResult apply(AccountHistory history, String transactionId, long eventTime, double amount) {
        boolean late = history.maxEventTime != Long.MIN_VALUE && eventTime < history.maxEventTime;
        int dup = history.indexOfId(transactionId);
        if (dup >= 0) {
            double[] v = compute(history, history.times[dup], history.amounts[dup], history.seqs[dup]);
            return new FeatureResult(v, true, late, 0);
        }
        double[] v = compute(history, eventTime, amount, Long.MAX_VALUE);
        history.insert(eventTime, amount, transactionId);
        history.dropUpTo(history.maxEventTime - LONGEST_WINDOW - slackMillis);
        int evicted = history.dropOldestBeyond(maxHistory);
        return new FeatureResult(v, false, late, evicted);
    }

    /** Features of an event at {@code t} with {@code amount}, from the entries that arrived before {@code seqLimit}. */
    private static double[] compute(AccountHistory h, long t, double amount, long seqLimit) {
        int[] counts = new int[COUNT_WINDOWS.length];
        double[] sums = new double[AVG_WINDOWS.length];
        int devN = 0;
        double devSum = 0;
        long prev = Long.MIN_VALUE;
        int first = h.times.length;
        for (int i = 0; i < h.times.length; i++) {
            long ti = h.times[i];
            if (ti > t) {
                break;
            }
            if (h.seqs[i] >= seqLimit) {
                continue;
            }
            long age = t - ti;
            for (int w = 0; w < COUNT_WINDOWS.length; w++) {
                if (age < COUNT_WINDOWS[w]) {
                    counts[w]++;
                }
            }
            for (int w = 0; w < AVG_WINDOWS.length; w++) {
                if (age < AVG_WINDOWS[w]) {
                    sums[w] += h.amounts[i];
                }
            }
            if (age < DEVIATION_WINDOW) {
                if (devN == 0) {
                    first = i;
                }
                devN++;
                devSum += h.amounts[i];
            }
            if (age < LONGEST_WINDOW) {
                prev = ti;
            }
        }

        double[] v = new double[FeatureSchema.size()];
        int k = 0;
        v[k++] = amount;
        for (int c : counts) {
            v[k++] = c + 1;
        }
        for (int w = 0; w < AVG_WINDOWS.length; w++) {
            v[k++] = (sums[w] + amount) / (counts[countIndexOf(AVG_WINDOWS[w])] + 1);
        }
        double zscore = 0;
        double ratio = 1;
        if (devN > 0) {
            double mean = devSum / devN;
            ratio = amount / mean;
            if (devN > 1) {
                double ss = 0;
                for (int i = first; i < h.times.length && h.times[i] <= t; i++) {
                    if (h.seqs[i] < seqLimit && t - h.times[i] < DEVIATION_WINDOW) {
                        double d = h.amounts[i] - mean;
                        ss += d * d;
                    }
                }
                double sd = Math.sqrt(ss / (devN - 1));
                if (sd > 1e-9) {
                    zscore = (amount - mean) / sd;
                }
            }
        }
        v[k++] = zscore;
        v[k++] = ratio;
        v[k++] = prev == Long.MIN_VALUE ? -1 : (t - prev) / (double) SECOND;
        int hour = hourOfDay(t);
        v[k++] = hour;
        v[k++] = isWeekend(t) ? 1 : 0;
        v[k] = hour <= 6 ? 1 : 0;
        return v;
    }

    private static int countIndexOf(long window) {
        for (int i = 0; i < COUNT_WINDOWS.length; i++) {
            if (COUNT_WINDOWS[i] == window) {
                return i;
            }
        }
        throw new IllegalStateException("no count window of " + window + " ms");
    }

    /** Hour of day in UTC, 0..23. */
    public static int hourOfDay(long epochMillis) {
        return (int) (Math.floorMod(epochMillis, DAY) / HOUR);
    }

    /** Saturday or Sunday in UTC. */
    public static boolean isWeekend(long epochMillis) {
        // 1970-01-01 was a Thursday: day 0 -> index 3 with Monday = 0.
        int dayOfWeek = (int) Math.floorMod(Math.floorDiv(epochMillis, DAY) + 3, 7);
        return dayOfWeek >= 5;
    }
}
