package io.github.fraudflink.job.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.TerminalHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.features.AccountHistorySerializer;
import io.github.fraudflink.job.features.TerminalHistorySerializer;
import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RecordSerializer.VersionedSnapshot} for every hand-written state serializer: snapshots read back from the
 * bytes Flink keeps in a savepoint (class name, layout, format), and the answer each gives for state in every format
 * (generated): as is for the current one, after migration for an older one this release reads, refused for the rest
 * (with the state, the format and the fix in the exception, in the old serializer's name and in the error of any
 * read); snapshots of
 * the previous release (layout 3, no format recorded) and of Flink's POJO serializer restore.
 */
class VersionedSnapshotTest {
    static List<RecordSerializer<?>> serializers() {
        return List.of(AccountHistorySerializer.INSTANCE, TerminalHistorySerializer.INSTANCE, TransactionSerializer.INSTANCE,
                FeaturizedTransactionSerializer.INSTANCE, ModelControlSerializer.INSTANCE, StoredArtifactSerializer.INSTANCE);
    }

    @ParameterizedTest
    @MethodSource("serializers")
    <T> void stateInAnyFormatIsReadAsIsMigratedOrRefusedWithTheFix(RecordSerializer<T> s) {
        qt().forAll(integers().between(0, 255)).checkAssert(format -> {
            TypeSerializerSnapshot<T> old = restored(s, layout4(s, format));
            if (!s.reads(format)) {
                assertThatThrownBy(() -> s.snapshotConfiguration().resolveSchemaCompatibility(old))
                        .isInstanceOf(RecordSerializer.UnreadableStateException.class).hasMessage(s.unreadable(format));
            }
            TypeSerializerSchemaCompatibility<T> c = s.reads(format)
                    ? s.snapshotConfiguration().resolveSchemaCompatibility(old) : null;
            if (format == s.currentFormat()) {
                assertThat(c.isCompatibleAsIs()).as("format %d: %s", format, c).isTrue();
                assertThat(old.restoreSerializer()).isSameAs(s);
            } else if (s.reads(format)) {
                assertThat(c.isCompatibleAfterMigration()).as("format %d: %s", format, c).isTrue();
                assertThat(old.restoreSerializer()).isSameAs(s);
            } else {
                TypeSerializer<T> unreadable = old.restoreSerializer();
                String why = unreadable.toString();
                assertThat(why).as("the old serializer Flink names when it refuses the restore")
                        .contains("written in format " + format)
                        .contains(format > s.currentFormat() ? "by a newer release" : "no longer reads")
                        .contains("Restore the savepoint with")
                        .containsPattern("state '[a-z-]+'|held transactions");
                assertThatThrownBy(() -> unreadable.deserialize(new DataInputDeserializer(new byte[] {1})))
                        .isInstanceOf(IOException.class).hasMessage(why);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("serializers")
    <T> void aValueInAFormatThisReleaseDoesNotReadFailsWithTheFix(RecordSerializer<T> s) {
        qt().forAll(integers().between(0, 255)).assuming(f -> !s.reads(f)).checkAssert(format -> {
            byte[] value = {(byte) (int) format, 0, 0, 0, 0, 0, 0, 0, 0};
            assertThatThrownBy(() -> s.deserialize(new DataInputDeserializer(value))).isInstanceOf(IOException.class)
                    .hasMessage(s.unreadable(format));
        });
    }

    @ParameterizedTest
    @MethodSource("serializers")
    <T> void theSnapshotOfThisReleaseRoundTripsAndTheLastReleasesRestoresAsIsOrFromItsOldestFormat(RecordSerializer<T> s) {
        TypeSerializerSnapshot<T> own = restored(s, written(s.snapshotConfiguration()));
        assertThat(((RecordSerializer.VersionedSnapshot<T>) own).format()).isEqualTo(s.currentFormat());
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(own).isCompatibleAsIs()).isTrue();

        // what SimpleTypeSerializerSnapshot wrote before the format was recorded: the class name and layout 3. The
        // terminal history was written in format 1, then 2, under such snapshots (restored as is in between): its
        // restore migrates, so that every value is in format 2 when the snapshot after it says so
        TypeSerializerSnapshot<T> legacy = restored(s, layout(s, 3, null));
        TypeSerializerSchemaCompatibility<T> c = s.snapshotConfiguration().resolveSchemaCompatibility(legacy);
        if (s == TerminalHistorySerializer.INSTANCE) {
            assertThat(c.isCompatibleAfterMigration()).as("%s", c).isTrue();
            assertThat(((RecordSerializer.VersionedSnapshot<T>) legacy).format()).isEqualTo(1);
        } else {
            assertThat(c.isCompatibleAsIs()).as("%s", c).isTrue();
        }
        assertThat(legacy.restoreSerializer()).isSameAs(s);

        assertThatThrownBy(() -> restored(s, layout(s, 5, 1))).hasStackTraceContaining("unknown snapshot layout 5");
    }

    @ParameterizedTest
    @MethodSource("serializers")
    @SuppressWarnings("unchecked")
    <T> void statOfFlinksPojoSerializerOfTheTypeMigratesAndOfAnotherTypeIsRefused(RecordSerializer<T> s) {
        Class<T> type = (Class<T>) s.createInstance().getClass();
        TypeSerializer<T> pojo = RecordSerializerContract.pojoSerializer(type);
        TypeSerializerSnapshot<T> pojoSnapshot = restoredAny(written(pojo.snapshotConfiguration()));
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(pojoSnapshot).isCompatibleAfterMigration()).isTrue();

        Class<?> other = type == Transaction.class ? AccountHistory.class : Transaction.class;
        TypeSerializerSnapshot<T> otherSnapshot = restoredAny(written(
                (TypeSerializerSnapshot<T>) RecordSerializerContract.pojoSerializer(other).snapshotConfiguration()));
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(otherSnapshot).isIncompatible()).isTrue();
        TypeSerializerSnapshot<T> anotherOfOurs = restoredAny(written((TypeSerializerSnapshot<T>) (type == TerminalHistory.class
                ? AccountHistorySerializer.INSTANCE : TerminalHistorySerializer.INSTANCE).snapshotConfiguration()));
        assertThat(s.snapshotConfiguration().resolveSchemaCompatibility(anotherOfOurs).isIncompatible()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The bytes Flink writes for a snapshot: its class name, its layout version, its data. */
    private static <T> byte[] written(TypeSerializerSnapshot<T> snapshot) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(64);
            TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] layout4(RecordSerializer<?> s, int format) {
        return layout(s, 4, format);
    }

    /** A snapshot of {@code s}'s class as a release may have written it: a layout, and a format when not null. */
    private static byte[] layout(RecordSerializer<?> s, int layout, Integer format) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(64);
            out.writeUTF(s.snapshotConfiguration().getClass().getName());
            out.writeInt(layout);
            if (format != null) {
                out.writeInt(format);
            }
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static <T> TypeSerializerSnapshot<T> restored(RecordSerializer<T> s, byte[] bytes) {
        TypeSerializerSnapshot<T> snapshot = restoredAny(bytes);
        assertThat(snapshot).isInstanceOf(s.snapshotConfiguration().getClass());
        return snapshot;
    }

    private static <T> TypeSerializerSnapshot<T> restoredAny(byte[] bytes) {
        try {
            DataInputDeserializer in = new DataInputDeserializer(bytes);
            TypeSerializerSnapshot<T> snapshot =
                    TypeSerializerSnapshot.readVersionedSnapshot(in, VersionedSnapshotTest.class.getClassLoader());
            assertThat(in.available()).as("trailing snapshot bytes").isZero();
            return snapshot;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
