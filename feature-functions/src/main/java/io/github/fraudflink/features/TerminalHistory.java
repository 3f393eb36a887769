package io.github.fraudflink.features;

/**
 * What the terminal features need of one terminal: the set of its transactions and the set of the labels received for
 * them, each sorted by the transaction's event time. A transaction is identified by account and transaction id
 * ({@link #identity}); a label is kept with its {@code labelled_at} (which of two verdicts holds) and with when it
 * became known to the system ({@code known_at}), so the verdict as known at any instant can be answered. Both are sets: the order in which entries arrive does not change the history. Plain data; the logic is
 * {@link TerminalFeatures}.
 */
public class TerminalHistory {
    /** Transactions: event times (epoch ms), ascending. */
    public long[] times = new long[0];
    /** Transactions: identities, parallel to {@link #times}. */
    public String[] keys = new String[0];
    /** Labels: the labelled transaction's event time (epoch ms), ascending. */
    public long[] labelTimes = new long[0];
    /** Labels: the labelled transaction's identity, parallel to {@link #labelTimes}. */
    public String[] labelKeys = new String[0];
    /** Labels: when the verdict was made (epoch ms): of two verdicts known at an instant, the later one holds. */
    public long[] labelledAt = new long[0];
    /**
     * Labels: when the verdict became known to the system (epoch ms), at or after {@link #labelledAt}; empty in a
     * history written before this column existed, where each label counts as known when it was made (read it
     * through {@link #knownAt(int)}).
     */
    public long[] knownAt = new long[0];
    /** Labels: the verdict. */
    public boolean[] labelFraud = new boolean[0];

    public TerminalHistory() {}

    /** A history of these columns (sorted as the fields say; not copied). */
    public TerminalHistory(long[] times, String[] keys, long[] labelTimes, String[] labelKeys, long[] labelledAt,
            long[] knownAt, boolean[] labelFraud) {
        this.times = times;
        this.keys = keys;
        this.labelTimes = labelTimes;
        this.labelKeys = labelKeys;
        this.labelledAt = labelledAt;
        this.knownAt = knownAt;
        this.labelFraud = labelFraud;
    }

    /** A history of these columns whose labels were known when they were made (state written before {@code known_at}). */
    public TerminalHistory(long[] times, String[] keys, long[] labelTimes, String[] labelKeys, long[] labelledAt,
            boolean[] labelFraud) {
        this(times, keys, labelTimes, labelKeys, labelledAt, labelledAt.clone(), labelFraud);
    }

    /** When label {@code i} became known to the system. */
    public long knownAt(int i) {
        return knownAt != null && knownAt.length == labelTimes.length ? knownAt[i] : labelledAt[i];
    }

    /** Fills the known-at column of a history written before it existed: each label known when it was made. */
    private void completeKnownAt() {
        if (knownAt == null || knownAt.length != labelTimes.length) {
            knownAt = labelledAt.clone();
        }
    }

    /** The identity of a transaction: its account and its id (ids are unique per account only). */
    public static String identity(String accountId, String transactionId) {
        // the text-field rule keeps NUL out of ids, so the pair is unambiguous
        return accountId + '\u0000' + transactionId;
    }

    /** The number of transactions kept. */
    public int size() {
        return times.length;
    }

    /** The number of labels kept. */
    public int labels() {
        return labelTimes.length;
    }

    /** Adds a transaction unless it is already there; returns whether it was added. */
    boolean addTransaction(long time, String key) {
        for (int i = SortedColumns.insertionPoint(times, time) - 1; i >= 0 && times[i] == time; i--) {
            if (keys[i].equals(key)) {
                return false;
            }
        }
        int pos = SortedColumns.insertionPoint(times, time);
        times = SortedColumns.withSlot(times, pos);
        keys = SortedColumns.withSlot(keys, pos);
        times[pos] = time;
        keys[pos] = key;
        return true;
    }

    /**
     * Adds a label unless the same verdict made at the same instant is already there (then the earlier of the two
     * {@code known} instants is kept: a verdict sent twice was known from the first time); returns whether it was
     * added.
     */
    boolean addLabel(long time, String key, long at, long known, boolean fraud) {
        completeKnownAt();
        for (int i = SortedColumns.insertionPoint(labelTimes, time) - 1; i >= 0 && labelTimes[i] == time; i--) {
            if (labelKeys[i].equals(key) && labelledAt[i] == at && labelFraud[i] == fraud) {
                knownAt[i] = Math.min(knownAt[i], known);
                return false;
            }
        }
        int pos = SortedColumns.insertionPoint(labelTimes, time);
        labelTimes = SortedColumns.withSlot(labelTimes, pos);
        labelKeys = SortedColumns.withSlot(labelKeys, pos);
        labelledAt = SortedColumns.withSlot(labelledAt, pos);
        knownAt = SortedColumns.withSlot(knownAt, pos);
        labelFraud = SortedColumns.withSlot(labelFraud, pos);
        labelTimes[pos] = time;
        labelKeys[pos] = key;
        labelledAt[pos] = at;
        knownAt[pos] = known;
        labelFraud[pos] = fraud;
        return true;
    }

    /**
     * Drops the transactions and labels at or before {@code horizon}, and beyond that the oldest over {@code max} of
     * each; returns how many entries it dropped beyond the horizon (the bound cutting in).
     */
    int drop(long horizon, int max) {
        int old = SortedColumns.countUpTo(times, horizon);
        int k = Math.max(old, times.length - max);
        if (k > 0) {
            times = SortedColumns.withoutFirst(times, k);
            keys = SortedColumns.withoutFirst(keys, k);
        }
        completeKnownAt();
        int oldLabels = SortedColumns.countUpTo(labelTimes, horizon);
        int j = Math.max(oldLabels, labelTimes.length - max);
        if (j > 0) {
            labelTimes = SortedColumns.withoutFirst(labelTimes, j);
            labelKeys = SortedColumns.withoutFirst(labelKeys, j);
            labelledAt = SortedColumns.withoutFirst(labelledAt, j);
            knownAt = SortedColumns.withoutFirst(knownAt, j);
            labelFraud = SortedColumns.withoutFirst(labelFraud, j);
        }
        return Math.max(0, k - old) + Math.max(0, j - oldLabels);
    }
}
