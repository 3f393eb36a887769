package io.github.fraudflink.job.records;

import io.github.fraudflink.features.Transaction;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of {@link Transaction} between operators, in place of Flink's reflective POJO serializer (which
 * reads and writes every field through {@code java.lang.reflect.Field} and writes a null flag per field and a class
 * tag). Direct field access, no reflection. Every field round-trips exactly: any Java string including null and
 * unpaired surrogates, any long, any double bit for bit (NaN payloads, -0.0), null or not coordinates, and the
 * attributes with their iteration order and null keys or values if any.
 *
 * <p>Layout, version {@value #FORMAT_VERSION} (string = {@link StringValue#writeString}, which also encodes null;
 * double = the 8 bytes of {@link Double#doubleToRawLongBits}; varint = unsigned LEB128):
 * <pre>
 *   byte    format version
 *   byte    flags: 1 lat present, 2 lon present, 4 attributes present, 8 attributes are a {@link TreeMap} in natural
 *           order (else read into a {@link LinkedHashMap} in the written order), 16 some attribute value is null;
 *           the other bits are 0
 *   string  transactionId, accountId
 *   long    eventTime, ingestTime
 *   double  amount
 *   string  currency, terminalId, merchantId, merchantCategory, country
 *   double  lat (if present), lon (if present)
 *   if attributes present:
 *     varint  n, the number of entries, then per entry in iteration order:
 *             string key; with flag 16 a byte 1 (value present) or 0 (null); double value (when present)
 * </pre>
 * The parser makes a {@link TreeMap} (natural order), which comes back a {@link TreeMap}; any other map (a
 * {@code HashMap} of a test, a {@code TreeMap} with a comparator) comes back a {@link LinkedHashMap} in the same
 * iteration order. Both are {@code equals} to the original.
 *
 * <p>{@code deserialize(reuse, in)} ignores {@code reuse} and returns a new object, so a record that an operator
 * keeps (the scorer's micro-batch) is never overwritten, object reuse or not.
 */
public final class TransactionSerializer extends RecordSerializer<Transaction> {
    private static final long serialVersionUID = 1L;

    public static final TransactionSerializer INSTANCE = new TransactionSerializer();

    /** The version byte written first; bump it (and keep reading the old ones) when the layout changes. */
    static final int FORMAT_VERSION = 1;

    static final int LAT = 1;
    static final int LON = 2;
    static final int ATTRIBUTES = 4;
    static final int SORTED = 8;
    static final int NULL_VALUES = 16;
    private static final int KNOWN_FLAGS = LAT | LON | ATTRIBUTES | SORTED | NULL_VALUES;

    private TransactionSerializer() {
        super("a transaction (in the held transactions of the operator 'terminal-features')", 1, FORMAT_VERSION);
    }

    @Override
    public Transaction createInstance() {
        return new Transaction();
    }

    @Override
    public Transaction copy(Transaction from) {
        Transaction t = new Transaction();
        t.transactionId = from.transactionId;
        t.accountId = from.accountId;
        t.eventTime = from.eventTime;
        t.ingestTime = from.ingestTime;
        t.amount = from.amount;
        t.currency = from.currency;
        t.terminalId = from.terminalId;
        t.merchantId = from.merchantId;
        t.merchantCategory = from.merchantCategory;
        t.country = from.country;
        t.lat = from.lat;
        t.lon = from.lon;
        t.attributes = copyAttributes(from.attributes);
        return t;
    }

    @Override
    public void serialize(Transaction t, DataOutputView out) throws IOException {
        Map<String, Double> attributes = t.attributes;
        int flags = 0;
        if (t.lat != null) {
            flags |= LAT;
        }
        if (t.lon != null) {
            flags |= LON;
        }
        if (attributes != null) {
            flags |= ATTRIBUTES;
            if (isNaturalTreeMap(attributes)) {
                flags |= SORTED;
            }
            if (!attributes.isEmpty() && hasNullValue(attributes)) {
                flags |= NULL_VALUES;
            }
        }
        writeFormat(out);
        out.writeByte(flags);
        StringValue.writeString(t.transactionId, out);
        StringValue.writeString(t.accountId, out);
        out.writeLong(t.eventTime);
        out.writeLong(t.ingestTime);
        out.writeLong(Double.doubleToRawLongBits(t.amount));
        StringValue.writeString(t.currency, out);
        StringValue.writeString(t.terminalId, out);
        StringValue.writeString(t.merchantId, out);
        StringValue.writeString(t.merchantCategory, out);
        StringValue.writeString(t.country, out);
        if (t.lat != null) {
            out.writeLong(Double.doubleToRawLongBits(t.lat));
        }
        if (t.lon != null) {
            out.writeLong(Double.doubleToRawLongBits(t.lon));
        }
        if (attributes != null) {
            writeAttributes(attributes, (flags & NULL_VALUES) != 0, out);
        }
    }

    @Override
    public Transaction deserialize(DataInputView in) throws IOException {
        int version = readFormat(in);
        int flags = in.readUnsignedByte();
        if ((flags & ~KNOWN_FLAGS) != 0 || ((flags & ATTRIBUTES) == 0 && (flags & (SORTED | NULL_VALUES)) != 0)) {
            throw new IOException("corrupt Transaction: flags " + Integer.toBinaryString(flags));
        }
        Transaction t = new Transaction();
        t.transactionId = StringValue.readString(in);
        t.accountId = StringValue.readString(in);
        t.eventTime = in.readLong();
        t.ingestTime = in.readLong();
        t.amount = Double.longBitsToDouble(in.readLong());
        t.currency = StringValue.readString(in);
        t.terminalId = StringValue.readString(in);
        t.merchantId = StringValue.readString(in);
        t.merchantCategory = StringValue.readString(in);
        t.country = StringValue.readString(in);
        if ((flags & LAT) != 0) {
            t.lat = Double.longBitsToDouble(in.readLong());
        }
        if ((flags & LON) != 0) {
            t.lon = Double.longBitsToDouble(in.readLong());
        }
        if ((flags & ATTRIBUTES) != 0) {
            t.attributes = readAttributes(in, (flags & SORTED) != 0, (flags & NULL_VALUES) != 0);
        }
        return t;
    }

    @Override
    public TypeSerializerSnapshot<Transaction> snapshotConfiguration() {
        return new TransactionSerializerSnapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static boolean isNaturalTreeMap(Map<String, Double> m) {
        return m instanceof TreeMap<String, Double> tree && tree.comparator() == null;
    }

    private static boolean hasNullValue(Map<String, Double> m) {
        for (Double v : m.values()) {
            if (v == null) {
                return true;
            }
        }
        return false;
    }

    private static void writeAttributes(Map<String, Double> m, boolean nullValues, DataOutputView out)
            throws IOException {
        int n = m.size();
        Varints.writeVarint(out, n);
        int written = 0;
        for (Map.Entry<String, Double> e : m.entrySet()) {
            StringValue.writeString(e.getKey(), out);
            Double v = e.getValue();
            if (nullValues) {
                out.writeByte(v == null ? 0 : 1);
            }
            if (v != null) {
                out.writeLong(Double.doubleToRawLongBits(v));
            }
            written++;
        }
        if (written != n) {
            throw new IllegalStateException("attributes changed while being serialized: size " + n + ", " + written
                    + " entries");
        }
    }

    private static Map<String, Double> readAttributes(DataInputView in, boolean sorted, boolean nullValues)
            throws IOException {
        long count = Varints.readVarint(in);
        if (count < 0 || count > Integer.MAX_VALUE - 8) {
            throw new IOException("corrupt Transaction: " + Long.toUnsignedString(count) + " attributes");
        }
        int n = (int) count;
        Map<String, Double> m = sorted ? new TreeMap<>() : new LinkedHashMap<>(capacity(n));
        for (int i = 0; i < n; i++) {
            String key = StringValue.readString(in);
            if (sorted && key == null) {
                throw new IOException("corrupt Transaction: null attribute name in a sorted map");
            }
            Double value = null;
            if (!nullValues || readPresence(in)) {
                value = Double.longBitsToDouble(in.readLong());
            }
            m.put(key, value);
        }
        if (m.size() != n) {
            throw new IOException("corrupt Transaction: repeated attribute names (" + n + " written, " + m.size()
                    + " distinct)");
        }
        return m;
    }

    private static boolean readPresence(DataInputView in) throws IOException {
        int b = in.readUnsignedByte();
        if (b > 1) {
            throw new IOException("corrupt Transaction: attribute value flag " + b);
        }
        return b == 1;
    }

    /** The initial capacity of a hash map that holds {@code n} entries without resizing (bounded: input may be corrupt). */
    private static int capacity(int n) {
        return (int) Math.min(1 << 12, n / 0.75 + 1);
    }

    static Map<String, Double> copyAttributes(Map<String, Double> m) {
        if (m == null) {
            return null;
        }
        if (m instanceof TreeMap<String, Double> tree) {
            return new TreeMap<>((SortedMap<String, Double>) tree); // same comparator, built in linear time
        }
        return new LinkedHashMap<>(m);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The snapshot of {@link TransactionSerializer}: no configuration. Accepts its own snapshots as is, and a snapshot
     * of Flink's POJO serializer of {@link Transaction} (what the job used before) as compatible after migration.
     */
    public static final class TransactionSerializerSnapshot extends VersionedSnapshot<Transaction> {
        public TransactionSerializerSnapshot() {
            super(INSTANCE, Transaction.class, 1);
        }
    }
}
