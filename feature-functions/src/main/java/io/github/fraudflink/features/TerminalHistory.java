package io.github.fraudflink.features;

/**
 * What the terminal features need of one terminal: its transactions of the last {@code delay + 30 days} of event
 * time, sorted by event time (ties in arrival order), each with its transaction id and, once a label has arrived,
 * whether it is a fraud and when the label became known. Plain data; the logic is {@link TerminalFeatures}.
 */
public class TerminalHistory {
    /** Event times (epoch ms), ascending. */
    public long[] times = new long[0];
    /** Transaction ids, parallel to {@link #times}. */
    public String[] ids = new String[0];
    /** When the transaction's latest label became known (epoch ms), or Long.MAX_VALUE: no label yet. */
    public long[] labelledAt = new long[0];
    /** The latest label of each transaction (meaningful once {@link #labelledAt} is set). */
    public boolean[] fraud = new boolean[0];
    /** The largest event time seen for this terminal, or Long.MIN_VALUE. */
    public long maxEventTime = Long.MIN_VALUE;

    public TerminalHistory() {}

    public int size() {
        return times.length;
    }

    int indexOf(String id) {
        for (int i = ids.length - 1; i >= 0; i--) {
            if (ids[i].equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** Inserts an unlabelled transaction after every entry at or before {@code time}. */
    void insert(long time, String id) {
        int n = times.length;
        int pos = n;
        while (pos > 0 && times[pos - 1] > time) {
            pos--;
        }
        long[] t = new long[n + 1];
        String[] d = new String[n + 1];
        long[] l = new long[n + 1];
        boolean[] f = new boolean[n + 1];
        System.arraycopy(times, 0, t, 0, pos);
        System.arraycopy(ids, 0, d, 0, pos);
        System.arraycopy(labelledAt, 0, l, 0, pos);
        System.arraycopy(fraud, 0, f, 0, pos);
        t[pos] = time;
        d[pos] = id;
        l[pos] = Long.MAX_VALUE;
        System.arraycopy(times, pos, t, pos + 1, n - pos);
        System.arraycopy(ids, pos, d, pos + 1, n - pos);
        System.arraycopy(labelledAt, pos, l, pos + 1, n - pos);
        System.arraycopy(fraud, pos, f, pos + 1, n - pos);
        times = t;
        ids = d;
        labelledAt = l;
        fraud = f;
        maxEventTime = Math.max(maxEventTime, time);
    }

    /** Drops the entries at or before {@code horizon}, and the oldest beyond {@code max}; returns how many it dropped. */
    int drop(long horizon, int max) {
        int k = 0;
        while (k < times.length && times[k] <= horizon) {
            k++;
        }
        k = Math.max(k, times.length - max);
        if (k <= 0) {
            return 0;
        }
        times = java.util.Arrays.copyOfRange(times, k, times.length);
        ids = java.util.Arrays.copyOfRange(ids, k, ids.length);
        labelledAt = java.util.Arrays.copyOfRange(labelledAt, k, labelledAt.length);
        fraud = java.util.Arrays.copyOfRange(fraud, k, fraud.length);
        return k;
    }
}
