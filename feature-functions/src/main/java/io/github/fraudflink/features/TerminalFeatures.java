package io.github.fraudflink.features;

import java.io.Serializable;
import java.time.Duration;

/**
 * The terminal features from delayed labels. First the Fraud Detection Handbook's: for windows of 1, 7 and 30 days,
 * the terminal's transaction count and fraud share over {@code (t - d - w, t - d]}, where {@code d} is the label delay.
 * The count is of the terminal's transactions in the window; the share is those whose verdict, as known at
 * {@code t - L} ({@code known_at <= t - L}, {@code L} the label lag), is fraud, over the count; 0 for an empty
 * window. A label is known from when it entered the system ({@code known_at}: its Kafka record's timestamp, or for
 * a dataset {@code labelled_at}; never before {@code labelled_at}). Of a transaction's labels known by then, the one
 * with the latest {@code labelled_at} holds (an analyst reversing a chargeback); at the same instant, fraud holds. Then, from the same known frauds ({@link #LABEL_VALUES}):
 * their counts over the three windows, and the days from the first and from the last of them in the 30-day window to
 * {@code t} (0 when there is none; otherwise at least {@code d}). The share says how risky the terminal looked; the
 * counts how much evidence there is; the first fraud's age how long the trouble has lasted (a compromised terminal is
 * eventually repaired, so old trouble weighs less); the last one's whether it is still going on. Last, the recent known
 * frauds ({@link #RECENT_VALUES}, catalog {@code account-terminal-v4}): windows that end at {@code t} instead of
 * {@code t - d}, so a label counts as soon as it is known (an analyst's verdict hours after the transaction, a
 * cardholder's report days after): the number of the terminal's labelled transactions with event time in
 * {@code (t - w, t]}, {@code w} = 1 and 7 days, whose verdict as known at {@code t - L} (the same latest-labelled_at
 * rule) is fraud, and the days from the latest of them in {@code (t - 30 d, t]} to {@code t}
 * ({@link #NO_RECENT_FRAUD_DAYS}, 30, when there is none: the far end, so "none" never reads as "very recent"). These
 * three are computed from the labels alone, never from the terminal's transactions of the last {@code d} days, which a
 * streaming job may not have received yet when it computes {@code t}: every label known by {@code t - L} has arrived
 * by then, so they are as deterministic as the others. With labels known only {@code d} after their transaction (the
 * handbook's assumption) the two counts are always 0.
 *
 * <p>Every value at {@code t} is a function of the <em>sets</em> of transactions and labels in the history, never of
 * the order they arrived in: a streaming job that has received every transaction up to {@code t - d} and every label
 * up to {@code t - L} computes exactly what the trainer computes over the whole dataset. With {@code L = 0} and every
 * label arriving {@code d} after its transaction the first six are the handbook's {@code TERMINAL_ID_NB_TX_*} and
 * {@code TERMINAL_ID_RISK_*} columns. Plain Java, shared by the trainer and the job; one instance serves every
 * terminal.
 */
public final class TerminalFeatures implements Serializable {
    private static final long serialVersionUID = 2L;

    public static final long DAY = AccountFeatures.DAY;
    /** The windows, in days, in output order: count then share for each. */
    public static final int[] WINDOW_DAYS = {1, 7, 30};
    /** The handbook's label delay. */
    public static final Duration DEFAULT_DELAY = Duration.ofDays(7);
    /** How far behind a transaction the labels it uses may be: what lets a live transaction not wait for labels. */
    public static final Duration DEFAULT_LABEL_LAG = Duration.ofMinutes(1);
    /** A terminal keeps at most this many transactions and as many labels; past it the oldest go. */
    public static final int DEFAULT_MAX_HISTORY = 20_000;
    private static final long LONGEST_WINDOW = WINDOW_DAYS[WINDOW_DAYS.length - 1] * DAY;

    private final long delayMillis;
    private final long lagMillis;
    private final int maxHistory;

    public TerminalFeatures() {
        this(DEFAULT_DELAY, DEFAULT_LABEL_LAG, DEFAULT_MAX_HISTORY);
    }

    public TerminalFeatures(Duration delay, Duration labelLag, int maxHistory) {
        if (delay.isNegative() || labelLag.isNegative()) {
            throw new IllegalArgumentException("label delay and lag must not be negative: " + delay + ", " + labelLag);
        }
        if (maxHistory < 1) {
            throw new IllegalArgumentException("max history must be at least 1: " + maxHistory);
        }
        this.delayMillis = delay.toMillis();
        this.lagMillis = labelLag.toMillis();
        this.maxHistory = maxHistory;
    }

    public Duration delay() {
        return Duration.ofMillis(delayMillis);
    }

    public Duration labelLag() {
        return Duration.ofMillis(lagMillis);
    }

    /** The values after the handbook's six: known frauds over 1, 7 and 30 days, days since the first and the last. */
    public static final int LABEL_VALUES = WINDOW_DAYS.length + 2;

    /** The windows, in days, of the recent known frauds (ending at {@code t}). */
    public static final int[] RECENT_WINDOW_DAYS = {1, 7};
    /** The values after the known frauds: recent known frauds over 1 and 7 days, days since the latest one. */
    public static final int RECENT_VALUES = RECENT_WINDOW_DAYS.length + 1;
    /** How far back the latest known fraud is looked for, in days; also the value when there is none. */
    public static final int NO_RECENT_FRAUD_DAYS = 30;

    /** The number of values {@link #compute} returns. */
    public static int size() {
        return 2 * WINDOW_DAYS.length + LABEL_VALUES + RECENT_VALUES;
    }

    /**
     * The values of a transaction without a terminal (neither {@code terminal_id} nor {@code merchant_id}): those of a
     * terminal with no history, every count and share 0 and no known fraud ({@link #NO_RECENT_FRAUD_DAYS}).
     */
    public static double[] empty() {
        double[] v = new double[size()];
        v[v.length - 1] = NO_RECENT_FRAUD_DAYS;
        return v;
    }

    /**
     * The oldest event time a transaction at {@code t} or later can still need: what a history must keep. Entries at
     * or before it may go ({@link #expire}).
     */
    public long horizon(long t) {
        return t == Long.MIN_VALUE ? Long.MIN_VALUE : t - delayMillis - LONGEST_WINDOW;
    }

    /** Records a transaction of the terminal; a repeat of one already there changes nothing. */
    public void addTransaction(TerminalHistory h, String accountId, String transactionId, long eventTime) {
        h.addTransaction(eventTime, TerminalHistory.identity(accountId, transactionId));
    }

    /** Records a label of a dataset, known when it was made ({@code known_at = labelled_at}). */
    public void addLabel(TerminalHistory h, String accountId, String transactionId, long eventTime, boolean isFraud,
            long labelledAt) {
        addLabel(h, accountId, transactionId, eventTime, isFraud, labelledAt, labelledAt);
    }

    /**
     * Records a label of one of the terminal's transactions ({@code eventTime} is the transaction's), made at
     * {@code labelledAt} and known to the system from {@code knownAt} (never before {@code labelledAt}).
     */
    public void addLabel(TerminalHistory h, String accountId, String transactionId, long eventTime, boolean isFraud,
            long labelledAt, long knownAt) {
        h.addLabel(eventTime, TerminalHistory.identity(accountId, transactionId), labelledAt,
                Math.max(labelledAt, knownAt), isFraud);
    }

    /**
     * Drops what no transaction at {@code earliest} or later needs, and enforces the bound; returns how many entries
     * the bound dropped (0 while the terminal stays under it).
     */
    public int expire(TerminalHistory h, long earliest) {
        return h.drop(horizon(earliest), maxHistory);
    }

    /**
     * The features of a transaction at {@code t}: count_1d, share_1d, count_7d, share_7d, count_30d, share_30d, then
     * frauds_1d, frauds_7d, frauds_30d, days since the first and since the last known fraud, then recent frauds_1d,
     * recent frauds_7d and days since the latest known fraud. Reads the history only.
     */
    public double[] compute(TerminalHistory h, long t) {
        long upper = t - delayMillis;
        long known = t - lagMillis;
        int[] count = new int[WINDOW_DAYS.length];
        int[] frauds = new int[WINDOW_DAYS.length];
        long first = Long.MIN_VALUE;
        long last = Long.MIN_VALUE;
        int j = SortedColumns.countUpTo(h.labelTimes, upper - LONGEST_WINDOW);
        for (int i = SortedColumns.countUpTo(h.times, upper - LONGEST_WINDOW); i < h.times.length && h.times[i] <= upper; i++) {
            long time = h.times[i];
            while (j < h.labelTimes.length && h.labelTimes[j] < time) {
                j++;
            }
            boolean fraud = knownFraud(h, j, time, h.keys[i], known);
            if (fraud) {
                first = first == Long.MIN_VALUE ? time : first;
                last = time;
            }
            for (int w = 0; w < WINDOW_DAYS.length; w++) {
                if (time > upper - WINDOW_DAYS[w] * DAY) {
                    count[w]++;
                    if (fraud) {
                        frauds[w]++;
                    }
                }
            }
        }
        double[] v = new double[size()];
        int n = WINDOW_DAYS.length;
        for (int w = 0; w < n; w++) {
            v[2 * w] = count[w];
            v[2 * w + 1] = count[w] == 0 ? 0 : (double) frauds[w] / count[w];
            v[2 * n + w] = frauds[w];
        }
        v[3 * n] = first == Long.MIN_VALUE ? 0 : (double) (t - first) / DAY;
        v[3 * n + 1] = last == Long.MIN_VALUE ? 0 : (double) (t - last) / DAY;
        recent(h, t, known, v, 3 * n + 2);
        return v;
    }

    /**
     * The recent known frauds into {@code v} from {@code at}: the terminal's labelled transactions with event time in
     * {@code (t - w, t]} whose verdict known by {@code known} is fraud, per recent window, then the days since the
     * latest such one in {@code (t - 30 d, t]} ({@link #NO_RECENT_FRAUD_DAYS} when none). From the labels only.
     */
    private static void recent(TerminalHistory h, long t, long known, double[] v, int at) {
        long oldest = t - NO_RECENT_FRAUD_DAYS * DAY;
        long latest = Long.MIN_VALUE;
        int[] frauds = new int[RECENT_WINDOW_DAYS.length];
        int start = SortedColumns.countUpTo(h.labelTimes, oldest);
        int group = start;
        for (int k = start; k < h.labelTimes.length && h.labelTimes[k] <= t; k++) {
            long time = h.labelTimes[k];
            if (time != h.labelTimes[group]) {
                group = k;
            }
            if (!firstOfItsTransaction(h, group, k) || !knownFraud(h, group, time, h.labelKeys[k], known)) {
                continue;
            }
            latest = time;
            for (int w = 0; w < RECENT_WINDOW_DAYS.length; w++) {
                if (time > t - RECENT_WINDOW_DAYS[w] * DAY) {
                    frauds[w]++;
                }
            }
        }
        for (int w = 0; w < RECENT_WINDOW_DAYS.length; w++) {
            v[at + w] = frauds[w];
        }
        v[at + RECENT_WINDOW_DAYS.length] = latest == Long.MIN_VALUE ? NO_RECENT_FRAUD_DAYS : (double) (t - latest) / DAY;
    }

    /** Whether label {@code k} is the first of its transaction among the labels {@code group..k} (of one event time). */
    private static boolean firstOfItsTransaction(TerminalHistory h, int group, int k) {
        for (int m = group; m < k; m++) {
            if (h.labelKeys[m].equals(h.labelKeys[k])) {
                return false;
            }
        }
        return true;
    }

    /**
     * For a transaction processed in event-time order (the trainer): its features, then the transaction recorded and
     * what it no longer needs expired.
     */
    public double[] apply(TerminalHistory h, String accountId, String transactionId, long t) {
        double[] v = compute(h, t);
        addTransaction(h, accountId, transactionId, t);
        expire(h, t);
        return v;
    }

    /** Whether the labels from index {@code from} say the transaction {@code key} at {@code time} was a fraud by {@code known}. */
    private static boolean knownFraud(TerminalHistory h, int from, long time, String key, long known) {
        long bestAt = Long.MIN_VALUE;
        boolean fraud = false;
        for (int k = from; k < h.labelTimes.length && h.labelTimes[k] == time; k++) {
            long at = h.labelledAt[k];
            if (h.knownAt(k) <= known && h.labelKeys[k].equals(key) && (at > bestAt || (at == bestAt && h.labelFraud[k]))) {
                bestAt = at;
                fraud = h.labelFraud[k];
            }
        }
        return fraud;
    }
}
