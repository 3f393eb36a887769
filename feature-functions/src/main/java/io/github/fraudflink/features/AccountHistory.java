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
        int n = times.length;
        int pos = n;
        while (pos > 0 && times[pos - 1] > time) {
            pos--;
        }
        long[] t = new long[n + 1];
        double[] a = new double[n + 1];
        long[] s = new long[n + 1];
        String[] d = new String[n + 1];
        System.arraycopy(times, 0, t, 0, pos);
        System.arraycopy(amounts, 0, a, 0, pos);
        System.arraycopy(seqs, 0, s, 0, pos);
        System.arraycopy(ids, 0, d, 0, pos);
        t[pos] = time;
        a[pos] = amount;
        s[pos] = nextSeq++;
        d[pos] = id;
        System.arraycopy(times, pos, t, pos + 1, n - pos);
        System.arraycopy(amounts, pos, a, pos + 1, n - pos);
        System.arraycopy(seqs, pos, s, pos + 1, n - pos);
        System.arraycopy(ids, pos, d, pos + 1, n - pos);
        times = t;
        amounts = a;
        seqs = s;
        ids = d;
        if (time > maxEventTime) {
            maxEventTime = time;
        }
    }

    /** Drops the oldest entries until at most {@code max} are left; returns how many it dropped. */
    int dropOldestBeyond(int max) {
        int k = times.length - max;
        if (k <= 0) {
            return 0;
        }
        times = java.util.Arrays.copyOfRange(times, k, times.length);
        amounts = java.util.Arrays.copyOfRange(amounts, k, amounts.length);
        seqs = java.util.Arrays.copyOfRange(seqs, k, seqs.length);
        ids = java.util.Arrays.copyOfRange(ids, k, ids.length);
        return k;
    }

    /** Drops every entry with an event time at or before {@code horizon}. */
    void dropUpTo(long horizon) {
        int k = 0;
        while (k < times.length && times[k] <= horizon) {
            k++;
        }
        if (k == 0) {
            return;
        }
        times = java.util.Arrays.copyOfRange(times, k, times.length);
        amounts = java.util.Arrays.copyOfRange(amounts, k, amounts.length);
        seqs = java.util.Arrays.copyOfRange(seqs, k, seqs.length);
        ids = java.util.Arrays.copyOfRange(ids, k, ids.length);
    }
}
