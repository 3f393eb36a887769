package io.github.fraudflink.job.records;

import io.github.fraudflink.features.Transaction;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The serializer of {@link FeaturizedTransaction}, between the feature stages and the scorer and in the terminal
 * stage's held transactions (keyed state), in place of Flink's reflective POJO serializer. Direct field access, no
 * reflection; every field round-trips exactly (the features bit for bit).
 *
 * <p>Layout, version {@value #FORMAT_VERSION} (varint = unsigned LEB128):
 * <pre>
 *   byte    format version
 *   byte    flags: 1 transaction present, 2 features present, 4 duplicate; the other bits are 0
 *   the transaction as {@link TransactionSerializer} writes it (with its own version byte), if present
 *   if features present: varint n, then n times the 8 bytes of {@link Double#doubleToRawLongBits}
 * </pre>
 * Replaces {@code TypeInformation.of(FeaturizedTransaction.class)}; its snapshot accepts state written by that POJO
 * serializer as "compatible after migration", so a savepoint with held transactions taken before the switch restores
 * (Flink rewrites the values). {@code deserialize(reuse, in)} ignores {@code reuse} and returns a new object.
 */
public final class FeaturizedTransactionSerializer extends RecordSerializer<FeaturizedTransaction> {
    private static final long serialVersionUID = 1L;

    public static final FeaturizedTransactionSerializer INSTANCE = new FeaturizedTransactionSerializer();

    /** The version byte written first; bump it (and keep reading the old ones) when the layout changes. */
    static final int FORMAT_VERSION = 1;

    static final int TRANSACTION = 1;
    static final int FEATURES = 2;
    static final int DUPLICATE = 4;
    private static final int KNOWN_FLAGS = TRANSACTION | FEATURES | DUPLICATE;

    private static final TransactionSerializer TX = TransactionSerializer.INSTANCE;

    private FeaturizedTransactionSerializer() {
        super("a featurized transaction (keyed state 'terminal-held' of the operator 'terminal-features')", 1, FORMAT_VERSION);
    }

    @Override
    public FeaturizedTransaction createInstance() {
        return new FeaturizedTransaction();
    }

    @Override
    public FeaturizedTransaction copy(FeaturizedTransaction from) {
        return new FeaturizedTransaction(from.transaction == null ? null : TX.copy(from.transaction),
                from.features == null ? null : from.features.clone(), from.duplicate);
    }

    @Override
    public void serialize(FeaturizedTransaction f, DataOutputView out) throws IOException {
        Transaction t = f.transaction;
        double[] features = f.features;
        writeFormat(out);
        out.writeByte((t != null ? TRANSACTION : 0) | (features != null ? FEATURES : 0) | (f.duplicate ? DUPLICATE : 0));
        if (t != null) {
            TX.serialize(t, out);
        }
        if (features != null) {
            Varints.writeVarint(out, features.length);
            for (double v : features) {
                out.writeLong(Double.doubleToRawLongBits(v));
            }
        }
    }

    @Override
    public FeaturizedTransaction deserialize(DataInputView in) throws IOException {
        int version = readFormat(in);
        int flags = in.readUnsignedByte();
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IOException("corrupt FeaturizedTransaction: flags " + Integer.toBinaryString(flags));
        }
        FeaturizedTransaction f = new FeaturizedTransaction();
        if ((flags & TRANSACTION) != 0) {
            f.transaction = TX.deserialize(in);
        }
        if ((flags & FEATURES) != 0) {
            long n = Varints.readVarint(in);
            if (n < 0 || n > Integer.MAX_VALUE - 8) {
                throw new IOException("corrupt FeaturizedTransaction: " + Long.toUnsignedString(n) + " features");
            }
            double[] features = new double[(int) n];
            for (int i = 0; i < features.length; i++) {
                features[i] = Double.longBitsToDouble(in.readLong());
            }
            f.features = features;
        }
        f.duplicate = (flags & DUPLICATE) != 0;
        return f;
    }

    @Override
    public TypeSerializerSnapshot<FeaturizedTransaction> snapshotConfiguration() {
        return new FeaturizedTransactionSerializerSnapshot();
    }

    private Object readResolve() {
        return INSTANCE;
    }

    /**
     * The snapshot of {@link FeaturizedTransactionSerializer}: no configuration. Accepts its own snapshots as is, and a
     * snapshot of Flink's POJO serializer of {@link FeaturizedTransaction} (the terminal stage's held transactions
     * before this serializer) as compatible after migration.
     */
    public static final class FeaturizedTransactionSerializerSnapshot extends VersionedSnapshot<FeaturizedTransaction> {
        public FeaturizedTransactionSerializerSnapshot() {
            super(INSTANCE, FeaturizedTransaction.class, 1);
        }
    }
}
