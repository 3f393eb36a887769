package io.github.fraudflink.job.features;

import io.github.fraudflink.job.records.RecordSerializer;
import io.github.fraudflink.job.records.Varints;
import io.github.fraudflink.features.TerminalHistory;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The compact serializer of the per-terminal keyed state ({@link TerminalHistory}), read and rewritten on every
 * transaction and every label of a terminal. Built for CPU first: one pass per column, no parsing of ids, no gcd; the
 * bytes saved come from varint deltas of the sorted times and from a label naming its transaction by index (a label
 * is almost always of a transaction still in the history, same event time, same identity) instead of repeating the
 * identity and the time, which also makes reading a label cheaper than decoding its string. Every field round-trips
 * exactly (any long, any Java string including unpaired surrogates and null, any order of the arrays), so the
 * features never change.
 *
 * <p>Layout, version {@value #FORMAT_VERSION} (varint = unsigned LEB128, zz = zigzag, string =
 * {@link StringValue#writeString}, which also encodes null; all arithmetic wraps mod 2<sup>64</sup>, which makes every
 * delta exact whatever the values: an unsorted or overflowing pair only costs a 10-byte varint):
 * <pre>
 *   byte    format version
 *   varint  n, the number of transactions
 *   if n &gt; 0: zz times[0], then per transaction i &gt;= 1: varint times[i] - times[i-1]
 *   per transaction: string keys[i]
 *   varint  m, the number of labels
 *   per label i (prevTime = labelTimes[i-1], prevOffset = labelledAt[i-1] - labelTimes[i-1], both 0 for i = 0):
 *     varint  r&lt;&lt;1 | labelFraud[i]: r &gt; 0 when the label is of transaction r-1, i.e. labelTimes[i] ==
 *             times[r-1] and labelKeys[i] equals keys[r-1] (which are then not written); r = 0 otherwise, then
 *       zz      labelTimes[i] - prevTime
 *       string  labelKeys[i]
 *     zz      (labelledAt[i] - labelTimes[i]) - prevOffset: 0 (one byte) for a constant label delay
 *     zz      (knownAt[i] - labelledAt[i]) - prevKnown: 0 (one byte) for a constant delivery delay (version 2 on;
 *             version 1, written before labels had a known-at instant, reads as knownAt = labelledAt)
 * </pre>
 * The writer finds a label's transaction with one merge walk over the two time-sorted columns (labels it does not find
 * there, or when a column is not sorted, are written in full); the reader takes the transaction's key object itself.
 *
 * <p>Replaces {@code TypeInformation.of(TerminalHistory.class)}; its snapshot accepts state written by that POJO
 * serializer as "compatible after migration", so a savepoint taken before the switch restores (Flink rewrites the
 * values).
 */
public final class TerminalHistorySerializer extends RecordSerializer<TerminalHistory> {
    private static final long serialVersionUID = 1L;

    public static final TerminalHistorySerializer INSTANCE = new TerminalHistorySerializer();

    /** The version byte written first; bump it (and keep reading the old ones) when the layout changes. */
    static final int FORMAT_VERSION = 2;

    private static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private TerminalHistorySerializer() {
        super("the terminal history (keyed state 'terminal-history' of the operator 'terminal-features')", 1, FORMAT_VERSION);
    }

    @Override
    public TerminalHistory createInstance() {
        return new TerminalHistory();
    }

    @Override
    public TerminalHistory copy(TerminalHistory from) {
        TerminalHistory h = new TerminalHistory();
        h.times = from.times == null ? null : from.times.clone();
        h.keys = from.keys == null ? null : from.keys.clone();
        h.labelTimes = from.labelTimes == null ? null : from.labelTimes.clone();
        h.labelKeys = from.labelKeys == null ? null : from.labelKeys.clone();
        h.labelledAt = from.labelledAt == null ? null : from.labelledAt.clone();
        h.knownAt = from.knownAt == null ? null : from.knownAt.clone();
        h.labelFraud = from.labelFraud == null ? null : from.labelFraud.clone();
        return h;
    }

    @Override
    public void serialize(TerminalHistory h, DataOutputView out) throws IOException {
        checkColumns(h);
        long[] times = h.times;
        String[] keys = h.keys;
        int n = times.length;
        writeFormat(out);
        Varints.writeVarint(out, n);
        if (n > 0) {
            Varints.writeZigzag(out, times[0]);
            for (int i = 1; i < n; i++) {
                Varints.writeVarint(out, times[i] - times[i - 1]);
            }
        }
        for (int i = 0; i < n; i++) {
            StringValue.writeString(keys[i], out);
        }

        long[] labelTimes = h.labelTimes;
        String[] labelKeys = h.labelKeys;
        long[] labelledAt = h.labelledAt;
        boolean[] labelFraud = h.labelFraud;
        int m = labelTimes.length;
        Varints.writeVarint(out, m);
        long prevTime = 0;
        long prevOffset = 0;
        long prevKnown = 0;
        int j = 0; // merge walk: the first transaction not before the label's time (times ascending)
        for (int i = 0; i < m; i++) {
            long time = labelTimes[i];
            String key = labelKeys[i];
            while (j < n && times[j] < time) {
                j++;
            }
            long r = 0;
            if (key != null) {
                for (int k = j; k < n && times[k] == time; k++) {
                    if (key.equals(keys[k])) {
                        r = k + 1L;
                        break;
                    }
                }
            }
            Varints.writeVarint(out, (r << 1) | (labelFraud[i] ? 1 : 0));
            if (r == 0) {
                Varints.writeZigzag(out, time - prevTime);
                StringValue.writeString(key, out);
            }
            long offset = labelledAt[i] - time;
            Varints.writeZigzag(out, offset - prevOffset);
            long known = h.knownAt(i) - labelledAt[i];
            Varints.writeZigzag(out, known - prevKnown);
            prevTime = time;
            prevOffset = offset;
            prevKnown = known;
        }
    }

    @Override
    public TerminalHistory deserialize(DataInputView in) throws IOException {
        int version = readFormat(in);
        int n = readLength(in, "transactions");
        long[] times = new long[n];
        String[] keys = new String[n];
        if (n > 0) {
            times[0] = Varints.readZigzag(in);
            for (int i = 1; i < n; i++) {
                times[i] = times[i - 1] + Varints.readVarint(in);
            }
        }
        for (int i = 0; i < n; i++) {
            keys[i] = StringValue.readString(in);
        }

        int m = readLength(in, "labels");
        long[] labelTimes = new long[m];
        String[] labelKeys = new String[m];
        long[] labelledAt = new long[m];
        long[] knownAt = new long[m];
        boolean[] labelFraud = new boolean[m];
        long prevTime = 0;
        long prevOffset = 0;
        long prevKnown = 0;
        for (int i = 0; i < m; i++) {
            long tag = Varints.readVarint(in);
            long r = tag >>> 1;
            long time;
            if (r == 0) {
                time = prevTime + Varints.readZigzag(in);
                labelKeys[i] = StringValue.readString(in);
            } else if (r <= n) {
                time = times[(int) r - 1];
                labelKeys[i] = keys[(int) r - 1];
            } else {
                throw new IOException("corrupt TerminalHistory: label of transaction " + Long.toUnsignedString(r - 1)
                        + " of " + n);
            }
            long offset = prevOffset + Varints.readZigzag(in);
            labelTimes[i] = time;
            labelledAt[i] = time + offset;
            long known = version == 1 ? 0 : prevKnown + Varints.readZigzag(in);
            knownAt[i] = labelledAt[i] + known;
            labelFraud[i] = (tag & 1) != 0;
            prevTime = time;
            prevOffset = offset;
            prevKnown = known;
        }

        return new TerminalHistory(times, keys, labelTimes, labelKeys, labelledAt, knownAt, labelFraud);
    }

    @Override
    public TypeSerializerSnapshot<TerminalHistory> snapshotConfiguration() {
        return new TerminalHistorySerializerSnapshot();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void checkColumns(TerminalHistory h) {
        if (h.times == null || h.keys == null || h.labelTimes == null || h.labelKeys == null || h.labelledAt == null
                || h.labelFraud == null) {
            throw new IllegalArgumentException("TerminalHistory with a null column");
        }
        if (h.keys.length != h.times.length) {
            throw new IllegalArgumentException("TerminalHistory transaction columns of different lengths: "
                    + h.times.length + ", " + h.keys.length);
        }
        int m = h.labelTimes.length;
        if (h.labelKeys.length != m || h.labelledAt.length != m || h.labelFraud.length != m) {
            throw new IllegalArgumentException("TerminalHistory label columns of different lengths: " + m + ", "
                    + h.labelKeys.length + ", " + h.labelledAt.length + ", " + h.labelFraud.length);
        }
    }

    private static int readLength(DataInputView in, String what) throws IOException {
        long count = Varints.readVarint(in);
        if (count < 0 || count > MAX_LENGTH) {
            throw new IOException("corrupt TerminalHistory: " + Long.toUnsignedString(count) + " " + what);
        }
        return (int) count;
    }

    // The varint and zigzag helpers of AccountHistorySerializer (private there).

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The snapshot of {@link TerminalHistorySerializer}: no configuration. Restores state written by this serializer
     * as is, and state written by Flink's POJO serializer of {@link TerminalHistory} (before this serializer) after
     * migration.
     */
    public static final class TerminalHistorySerializerSnapshot extends VersionedSnapshot<TerminalHistory> {
        public TerminalHistorySerializerSnapshot() {
            // format 1 values may be in state restored "as is" before the format was recorded: the oldest there can be
            super(INSTANCE, TerminalHistory.class, 1);
        }
    }
}
