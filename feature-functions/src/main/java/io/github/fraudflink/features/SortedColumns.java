package io.github.fraudflink.features;

import java.lang.reflect.Array;

/**
 * The array work the histories ({@link AccountHistory}, {@link TerminalHistory}) share: parallel arrays ("columns",
 * primitive or not) kept sorted by an event-time column, with a slot opened at an insertion point and a prefix cut
 * off. One place for it, so both histories shift their columns the same way.
 */
final class SortedColumns {
    private SortedColumns() {}

    /** The index after every time at or before {@code time} (ties stay in arrival order). */
    static int insertionPoint(long[] times, long time) {
        int pos = times.length;
        while (pos > 0 && times[pos - 1] > time) {
            pos--;
        }
        return pos;
    }

    /** A copy of {@code column} one longer, with an empty slot at {@code pos} for the caller to fill. */
    @SuppressWarnings("unchecked")
    static <A> A withSlot(A column, int pos) {
        int n = Array.getLength(column);
        A out = (A) Array.newInstance(column.getClass().getComponentType(), n + 1);
        System.arraycopy(column, 0, out, 0, pos);
        System.arraycopy(column, pos, out, pos + 1, n - pos);
        return out;
    }

    /** {@code column} without its first {@code k} entries. */
    @SuppressWarnings("unchecked")
    static <A> A withoutFirst(A column, int k) {
        int n = Array.getLength(column);
        A out = (A) Array.newInstance(column.getClass().getComponentType(), n - k);
        System.arraycopy(column, k, out, 0, n - k);
        return out;
    }

    /** How many leading times are at or before {@code horizon}. */
    static int countUpTo(long[] times, long horizon) {
        int k = 0;
        while (k < times.length && times[k] <= horizon) {
            k++;
        }
        return k;
    }
}
