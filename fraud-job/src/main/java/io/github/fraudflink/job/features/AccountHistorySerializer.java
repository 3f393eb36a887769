package io.github.fraudflink.job.features;

import io.github.fraudflink.job.records.RecordSerializer;
import io.github.fraudflink.job.records.Varints;
import io.github.fraudflink.features.AccountHistory;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The compact serializer of the per-account keyed state ({@link AccountHistory}): about 9 bytes per entry at the
 * handbook's data (~500 bytes for an account's ~60 transactions in 30 days) where Flink's POJO serializer took about 32
 * plus the id's length, so an account stays under the 1 KB budget. Every field round-trips bit for bit (any long, any
 * double including NaN payloads and -0.0, any Java string including unpaired surrogates and null), so the features
 * never change.
 *
 * <p>Layout, version {@value #FORMAT_VERSION} (varint = unsigned LEB128, zz = zigzag; all arithmetic wraps mod
 * 2<sup>64</sup>, which makes every delta exact whatever the values):
 * <pre>
 *   byte    format version
 *   varint  n, the number of entries
 *   zz      nextSeq
 *   if n &gt; 0:
 *     zz      times[0]
 *     if n &gt; 1: varint s (the gcd of the deltas when they are all &gt;= 0, else 1), then per entry i &gt;= 1
 *             varint (times[i] - times[i-1]) / s
 *     per entry: zz (seqs[i] - prev), prev starting at nextSeq - n
 *     per entry amount: varint c&lt;&lt;1 when amount == c / 100.0 exactly for a whole c &gt;= 0 (cents);
 *             varint (-c)&lt;&lt;1|1 for such a c &lt; 0; else varint 1 and the 8 raw bytes of the double
 *     per entry id, against the previous entry's id: varint d&lt;&lt;1|1 when both end in a canonical decimal run
 *             (at most 18 digits) after the same prefix, d = zz of the numbers' difference; else varint p&lt;&lt;1
 *             (p = the length of the common prefix, in chars) then the rest as {@link StringValue#writeString}
 *   zz      maxEventTime - (n &gt; 0 ? times[n-1] : Long.MIN_VALUE)
 * </pre>
 * Replaces {@code TypeInformation.of(AccountHistory.class)}; its snapshot accepts state written by that POJO serializer
 * as "compatible after migration", so a savepoint taken before the switch restores (Flink rewrites the values).
 */
public final class AccountHistorySerializer extends RecordSerializer<AccountHistory> {
    private static final long serialVersionUID = 1L;

    public static final AccountHistorySerializer INSTANCE = new AccountHistorySerializer();

    /** The version byte written first; bump it (and keep reading the old ones) when the layout changes. */
    static final int FORMAT_VERSION = 1;

    private static final int MAX_DIGITS = 18; // any 18-digit number and any difference of two fit a long
    private static final long MAX_NUMBER = 999_999_999_999_999_999L; // the largest of MAX_DIGITS digits

    private AccountHistorySerializer() {
        super("the account history (keyed state 'account-history' of the operator 'account-features')", 1, FORMAT_VERSION);
    }

    @Override
    public AccountHistory createInstance() {
        return new AccountHistory();
    }

    @Override
    public AccountHistory copy(AccountHistory from) {
        AccountHistory h = new AccountHistory();
        h.times = from.times == null ? null : from.times.clone();
        h.amounts = from.amounts == null ? null : from.amounts.clone();
        h.seqs = from.seqs == null ? null : from.seqs.clone();
        h.ids = from.ids == null ? null : from.ids.clone();
        h.nextSeq = from.nextSeq;
        h.maxEventTime = from.maxEventTime;
        return h;
    }

    @Override
    public void serialize(AccountHistory h, DataOutputView out) throws IOException {
        int n = checkedSize(h);
        long[] times = h.times;
        writeFormat(out);
        Varints.writeVarint(out, n);
        Varints.writeZigzag(out, h.nextSeq);
        if (n > 0) {
            Varints.writeZigzag(out, times[0]);
            if (n > 1) {
                long scale = timeScale(times);
                Varints.writeVarint(out, scale);
                for (int i = 1; i < n; i++) {
                    long d = times[i] - times[i - 1];
                    Varints.writeVarint(out, scale == 1 ? d : d / scale);
                }
            }
            long prev = h.nextSeq - n;
            for (int i = 0; i < n; i++) {
                Varints.writeZigzag(out, h.seqs[i] - prev);
                prev = h.seqs[i];
            }
            for (int i = 0; i < n; i++) {
                writeAmount(out, h.amounts[i]);
            }
            IdRun previousId = new IdRun();
            for (int i = 0; i < n; i++) {
                writeId(out, previousId, h.ids[i]);
            }
        }
        Varints.writeZigzag(out, h.maxEventTime - (n > 0 ? times[n - 1] : Long.MIN_VALUE));
    }

    @Override
    public AccountHistory deserialize(DataInputView in) throws IOException {
        int version = readFormat(in);
        long count = Varints.readVarint(in);
        if (count < 0 || count > Integer.MAX_VALUE - 8) {
            throw new IOException("corrupt AccountHistory: " + Long.toUnsignedString(count) + " entries");
        }
        int n = (int) count;
        AccountHistory h = new AccountHistory();
        h.nextSeq = Varints.readZigzag(in);
        long[] times = new long[n];
        long[] seqs = new long[n];
        double[] amounts = new double[n];
        String[] ids = new String[n];
        if (n > 0) {
            times[0] = Varints.readZigzag(in);
            if (n > 1) {
                long scale = Varints.readVarint(in);
                for (int i = 1; i < n; i++) {
                    times[i] = times[i - 1] + Varints.readVarint(in) * scale;
                }
            }
            long prev = h.nextSeq - n;
            for (int i = 0; i < n; i++) {
                seqs[i] = prev + Varints.readZigzag(in);
                prev = seqs[i];
            }
            for (int i = 0; i < n; i++) {
                amounts[i] = readAmount(in);
            }
            IdRun previousId = new IdRun();
            for (int i = 0; i < n; i++) {
                ids[i] = readId(in, previousId);
            }
        }
        h.maxEventTime = (n > 0 ? times[n - 1] : Long.MIN_VALUE) + Varints.readZigzag(in);
        h.times = times;
        h.seqs = seqs;
        h.amounts = amounts;
        h.ids = ids;
        return h;
    }

    @Override
    public TypeSerializerSnapshot<AccountHistory> snapshotConfiguration() {
        return new AccountHistorySerializerSnapshot();
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static int checkedSize(AccountHistory h) {
        if (h.times == null || h.amounts == null || h.seqs == null || h.ids == null) {
            throw new IllegalArgumentException("AccountHistory with a null column");
        }
        int n = h.times.length;
        if (h.amounts.length != n || h.seqs.length != n || h.ids.length != n) {
            throw new IllegalArgumentException("AccountHistory columns of different lengths: " + n + ", "
                    + h.amounts.length + ", " + h.seqs.length + ", " + h.ids.length);
        }
        return n;
    }

    /** The gcd of the time deltas when none is negative (times ascending, no overflow), else 1. */
    private static long timeScale(long[] times) {
        long g = 0;
        for (int i = 1; i < times.length; i++) {
            long d = times[i] - times[i - 1];
            if (d < 0) {
                return 1;
            }
            g = gcd(g, d);
        }
        return g == 0 ? 1 : g;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static void writeAmount(DataOutputView out, double a) throws IOException {
        long c = Math.round(a * 100);
        if (c >= -(1L << 53) && c <= (1L << 53)
                && Double.doubleToRawLongBits(c / 100.0) == Double.doubleToRawLongBits(a)) {
            Varints.writeVarint(out, c >= 0 ? c << 1 : (-c << 1) | 1);
        } else {
            Varints.writeVarint(out, 1);
            out.writeLong(Double.doubleToRawLongBits(a));
        }
    }

    private static double readAmount(DataInputView in) throws IOException {
        long w = Varints.readVarint(in);
        if (w == 1) {
            return Double.longBitsToDouble(in.readLong());
        }
        long c = w >>> 1;
        return ((w & 1) == 0 ? c : -c) / 100.0;
    }

    private static void writeId(DataOutputView out, IdRun prev, String id) throws IOException {
        String before = prev.id;
        int k = prev.k;
        long number = prev.number;
        prev.set(id);
        if (before != null && id != null && k >= 0 && prev.k == k && id.regionMatches(0, before, 0, k)) {
            Varints.writeVarint(out, (Varints.zigzag(prev.number - number) << 1) | 1);
            return;
        }
        int p = 0;
        if (before != null && id != null) {
            int max = Math.min(before.length(), id.length());
            while (p < max && before.charAt(p) == id.charAt(p)) {
                p++;
            }
        }
        Varints.writeVarint(out, (long) p << 1);
        StringValue.writeString(id == null ? null : id.substring(p), out);
    }

    private static String readId(DataInputView in, IdRun prev) throws IOException {
        long h = Varints.readVarint(in);
        if ((h & 1) == 1) {
            if (prev.id == null || prev.k < 0) {
                throw new IOException("corrupt AccountHistory: numeric id after " + prev.id);
            }
            long v = prev.number + Varints.unzigzag(h >>> 1);
            if (v < 0 || v > MAX_NUMBER) {
                throw new IOException("corrupt AccountHistory: numeric id " + v);
            }
            String id = prev.prefix() + v;
            prev.setNumeric(id, v);
            return id;
        }
        long p = h >>> 1;
        String rest = StringValue.readString(in);
        String id;
        if (p == 0) {
            id = rest;
        } else if (rest == null || prev.id == null || p > prev.id.length()) {
            throw new IOException("corrupt AccountHistory: id prefix " + p + " of " + prev.id);
        } else {
            id = prev.id.substring(0, (int) p).concat(rest);
        }
        prev.set(id);
        return id;
    }

    /**
     * The previous id of a history being written or read, with its trailing number taken apart once: each id is
     * scanned and parsed once, and a run of numbered ids shares one prefix string.
     */
    private static final class IdRun {
        String id;
        /** Where the id's trailing number starts ({@link #digitRunStart}), or -1. */
        int k = -1;
        long number;
        private String prefix;

        void set(String next) {
            id = next;
            int start = next == null ? -1 : digitRunStart(next);
            if (start >= 0) {
                number = Long.parseLong(next, start, next.length(), 10);
            }
            if (start < 0 || start != k || (prefix != null && !next.startsWith(prefix))) {
                prefix = null;
            }
            k = start;
        }

        /** After an id that is this one's prefix with {@code v}: the same prefix, a new number. */
        void setNumeric(String next, long v) {
            id = next;
            number = v;
        }

        String prefix() {
            if (prefix == null) {
                prefix = id.substring(0, k);
            }
            return prefix;
        }
    }

    /**
     * Where {@code s}'s trailing run of ASCII digits starts, if it is a canonical decimal number (1 to 18 digits, no
     * leading zero unless it is "0"), else -1.
     */
    static int digitRunStart(String s) {
        int k = s.length();
        while (k > 0 && isDigit(s.charAt(k - 1))) {
            k--;
        }
        int len = s.length() - k;
        if (len == 0 || len > MAX_DIGITS || (len > 1 && s.charAt(k) == '0')) {
            return -1;
        }
        return k;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The snapshot of {@link AccountHistorySerializer}: no configuration. Restores state written by this serializer as
     * is, and state written by Flink's POJO serializer of {@link AccountHistory} (before this serializer) after
     * migration.
     */
    public static final class AccountHistorySerializerSnapshot extends VersionedSnapshot<AccountHistory> {
        public AccountHistorySerializerSnapshot() {
            super(INSTANCE, AccountHistory.class, 1);
        }
    }
}
