package io.github.fraudflink.job.records;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What the job's hand-written serializers share: mutable records of variable length, always deserialized into a new
 * object (never into a reused one: with object reuse on, an operator may still hold the previous record), bytes copied
 * by reading and writing them again, a format version byte first in every value, and a snapshot ({@link
 * VersionedSnapshot}) that records the format and answers truthfully whether this release can read state written in
 * it.
 *
 * <p>Changing a layout: write the new one under {@code currentFormat + 1}, keep reading every format from {@code
 * oldestFormat} on (the savepoints kept in {@code fraud-job/src/test/resources/savepoints/} prove it), and raise
 * {@code oldestFormat} only in a release whose notes say which release to pass through first.
 *
 * @param <T> the record type
 */
public abstract class RecordSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

    private final String what;
    private final int oldestFormat;
    private final int currentFormat;

    /**
     * @param what          the records and where they live, for messages ("the account history (keyed state
     *                      'account-history' of the operator 'account-features')")
     * @param oldestFormat  the oldest format version this release reads
     * @param currentFormat the format version it writes
     */
    protected RecordSerializer(String what, int oldestFormat, int currentFormat) {
        if (oldestFormat < 1 || oldestFormat > currentFormat || currentFormat > 255) {
            throw new IllegalArgumentException("formats " + oldestFormat + ".." + currentFormat);
        }
        this.what = what;
        this.oldestFormat = oldestFormat;
        this.currentFormat = currentFormat;
    }

    /** The format version this serializer writes. */
    public final int currentFormat() {
        return currentFormat;
    }

    /** The oldest format version it reads. */
    public final int oldestFormat() {
        return oldestFormat;
    }

    /** Whether this release reads values written in {@code format}. */
    public final boolean reads(int format) {
        return format >= oldestFormat && format <= currentFormat;
    }

    /** Writes the format version byte that starts every value. */
    protected final void writeFormat(DataOutputView out) throws IOException {
        out.writeByte(currentFormat);
    }

    /**
     * Reads the format version byte that starts every value.
     *
     * @throws IOException naming the records, the format and what to do, when this release does not read it
     */
    protected final int readFormat(DataInputView in) throws IOException {
        int format = in.readUnsignedByte();
        if (!reads(format)) {
            throw new IOException(unreadable(format));
        }
        return format;
    }

    /** Why state in {@code format} cannot be restored by this release, and what to do. */
    public final String unreadable(int format) {
        String reads = oldestFormat == currentFormat ? "format " + currentFormat
                : "formats " + oldestFormat + " to " + currentFormat;
        if (format > currentFormat) {
            return what + " was written in format " + format + " by a newer release; this release reads " + reads
                    + ". Restore the savepoint with the release that took it, or a newer one.";
        }
        return what + " was written in format " + format + ", which this release no longer reads (it reads " + reads
                + "). Restore the savepoint with an older release that reads format " + format + ", take a new"
                + " savepoint with it, and restore that one.";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " (format " + currentFormat + ", reads " + oldestFormat + " to "
                + currentFormat + ")";
    }

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /**
     * The snapshot of a hand-written serializer: it records the format version the state's values were written in, and
     * resolves compatibility from it. The same format: compatible as is. An older format this release still reads:
     * compatible after migration (Flink reads every value and writes it again in the current format). A format it
     * does not read (older than {@code oldestFormat}, or newer than this release): the restore fails with an {@link
     * UnreadableStateException} that says which state, which format and what to do (Flink's own "incompatible" error
     * names only serializer classes), and the serializer the old snapshot restores is {@link Unreadable}, which fails
     * every read with the same words (operator state is read before it is resolved). State written by Flink's POJO
     * serializer of the same type (the serializer these replaced): compatible after migration.
     *
     * <p>Snapshot layouts: 3, {@code SimpleTypeSerializerSnapshot}'s, wrote nothing (releases before the format was
     * recorded: the values may be in any format from {@code legacyFormat} on, each value says which); 4 writes the
     * format.
     */
    public abstract static class VersionedSnapshot<T> implements TypeSerializerSnapshot<T> {
        private static final int LEGACY_LAYOUT = 3;
        private static final int LAYOUT = 4;

        private final RecordSerializer<T> serializer;
        private final Class<T> type;
        private final int legacyFormat;
        private int format;

        /**
         * @param serializer   this release's serializer
         * @param type         the record type (for state of Flink's POJO serializer)
         * @param legacyFormat the format a snapshot of layout 3 stands for: the oldest format that can be in such
         *                     state (values of an older format restored "as is" stayed until their key was written
         *                     again), so that its restore migrates them all and the format recorded after it is true
         */
        protected VersionedSnapshot(RecordSerializer<T> serializer, Class<T> type, int legacyFormat) {
            this.serializer = serializer;
            this.type = type;
            this.legacyFormat = legacyFormat;
            this.format = serializer.currentFormat();
        }

        /** The format version of the state this snapshot describes. */
        public final int format() {
            return format;
        }

        /**
         * What this release makes of state written under this snapshot: "as is", "after migration" or "cannot
         * restore: " and why (for the savepoint check; a restore resolves the same way).
         */
        public final String verdict() {
            if (format == serializer.currentFormat()) {
                return "as is (format " + format + ")";
            }
            return serializer.reads(format) ? "after migration (format " + format + " to " + serializer.currentFormat() + ")"
                    : "cannot restore: " + serializer.unreadable(format);
        }

        @Override
        public final int getCurrentVersion() {
            return LAYOUT;
        }

        @Override
        public final void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(format);
        }

        @Override
        public final void readSnapshot(int layout, DataInputView in, ClassLoader classLoader) throws IOException {
            if (layout == LEGACY_LAYOUT) {
                format = legacyFormat;
            } else if (layout == LAYOUT) {
                format = in.readInt();
            } else {
                throw new IOException(getClass().getSimpleName() + ": unknown snapshot layout " + layout
                        + " (written by a newer release?); this release reads layouts 3 and 4");
            }
        }

        @Override
        public final TypeSerializer<T> restoreSerializer() {
            return serializer.reads(format) ? serializer : new Unreadable<>(serializer.unreadable(format));
        }

        @Override
        public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
            if (old instanceof PojoSerializerSnapshot && type.isInstance(old.restoreSerializer().createInstance())) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            if (old == null || old.getClass() != getClass()) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            int was = ((VersionedSnapshot<T>) old).format;
            if (was == serializer.currentFormat()) {
                return TypeSerializerSchemaCompatibility.compatibleAsIs();
            }
            if (serializer.reads(was)) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            // Flink's own refusal names only the outermost serializers (a TTL wrapper's, say): say which state, which
            // format and what to do instead
            throw new UnreadableStateException(serializer.unreadable(was));
        }
    }

    /** A savepoint holds state in a format this release does not read: which state, which format, what to do. */
    public static final class UnreadableStateException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        UnreadableStateException(String message) {
            super(message);
        }
    }

    /**
     * The serializer a snapshot restores when this release cannot read its format: its name (what Flink prints as the
     * old serializer when it refuses the restore) says which state, which format and what to do; reading fails with
     * the same words.
     */
    public static final class Unreadable<T> extends TypeSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final String why;

        Unreadable(String why) {
            this.why = why;
        }

        @Override
        public String toString() {
            return why;
        }

        private IllegalStateException refused() {
            return new IllegalStateException(why);
        }

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<T> duplicate() {
            return this;
        }

        @Override
        public T createInstance() {
            throw refused();
        }

        @Override
        public T copy(T from) {
            throw refused();
        }

        @Override
        public T copy(T from, T reuse) {
            throw refused();
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public void serialize(T record, DataOutputView target) {
            throw refused();
        }

        @Override
        public T deserialize(DataInputView source) throws IOException {
            throw new IOException(why);
        }

        @Override
        public T deserialize(T reuse, DataInputView source) throws IOException {
            throw new IOException(why);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            throw new IOException(why);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unreadable<?> u && u.why.equals(why);
        }

        @Override
        public int hashCode() {
            return why.hashCode();
        }

        @Override
        public TypeSerializerSnapshot<T> snapshotConfiguration() {
            throw refused();
        }
    }
}
