package io.github.fraudflink.features;

/**
 * The per-account memory the features need: every known transaction of the account within the
 * retention, sorted by event time (ties in arrival order).
 *
 * <p>It is the keyed state of the job (one RocksDB value per account, read and written once per
 * event) and the trainer's in-memory history. A Flink POJO made only of primitive arrays and
 * Strings, so Flink serializes it with its own serializers, compactly. Logic lives in
 * {@link AccountFeatures}; this class only holds data and keeps it sorted.
 */
public class AccountHistory {
    /** Event times (epoch ms), ascending. */
    public long[] times = new long[0];
    /** Amounts, parallel to {@link #times}. */
    public double[] amounts = new double[0];
    /** Arrival sequence number of each entry within this account (0, 1, 2, ...). */
    public long[] seqs = new long[0];
    /** Transaction ids, parallel to {@link #times}, for duplicate detection. */
    public String[] ids = new String[0];
    /** The next arrival sequence number. */
    public long nextSeq;
    /** The largest event time seen for this account, or Long.MIN_VALUE. */
    public long maxEventTime = Long.MIN_VALUE;

    public AccountHistory() {}

    public int size() {
        return times.length;
    }

    /** Index of the entry with this transaction id, or -1. */
    int indexOfId(String id) {
        for (int i = ids.length - 1; i >= 0; i--) {
            if (ids[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** Inserts an entry after every entry with an event time at or before {@code time}. */
    void insert(long time, double amount, String id) {
        int pos = SortedColumns.insertionPoint(times, time);
        times = SortedColumns.withSlot(times, pos);
        amounts = SortedColumns.withSlot(amounts, pos);
        seqs = SortedColumns.withSlot(seqs, pos);
        ids = SortedColumns.withSlot(ids, pos);
        times[pos] = time;
        amounts[pos] = amount;
        seqs[pos] = nextSeq++;
        ids[pos] = id;
        if (time > maxEventTime) {
            maxEventTime = time;
        }
    }

    /** Drops the oldest entries until at most {@code max} are left; returns how many it dropped. */
    int dropOldestBeyond(int max) {
        int k = Math.max(0, times.length - max);
        dropFirst(k);
        return k;
    }

    /** Drops every entry with an event time at or before {@code horizon}. */
    void dropUpTo(long horizon) {
        dropFirst(SortedColumns.countUpTo(times, horizon));
    }

    private void dropFirst(int k) {
        if (k == 0) {
            return;
        }
        times = SortedColumns.withoutFirst(times, k);
        amounts = SortedColumns.withoutFirst(amounts, k);
        seqs = SortedColumns.withoutFirst(seqs, k);
        ids = SortedColumns.withoutFirst(ids, k);
    }
}
