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
        int pos = SortedColumns.insertionPoint(times, time);
        times = SortedColumns.withSlot(times, pos);
        ids = SortedColumns.withSlot(ids, pos);
        labelledAt = SortedColumns.withSlot(labelledAt, pos);
        fraud = SortedColumns.withSlot(fraud, pos);
        times[pos] = time;
        ids[pos] = id;
        labelledAt[pos] = Long.MAX_VALUE;
        maxEventTime = Math.max(maxEventTime, time);
    }

    /** Drops the entries at or before {@code horizon}, and the oldest beyond {@code max}; returns how many it dropped. */
    int drop(long horizon, int max) {
        int k = Math.max(SortedColumns.countUpTo(times, horizon), times.length - max);
        if (k <= 0) {
            return 0;
        }
        times = SortedColumns.withoutFirst(times, k);
        ids = SortedColumns.withoutFirst(ids, k);
        labelledAt = SortedColumns.withoutFirst(labelledAt, k);
        fraud = SortedColumns.withoutFirst(fraud, k);
        return k;
    }
}
