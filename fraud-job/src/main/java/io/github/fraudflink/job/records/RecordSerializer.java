package io.github.fraudflink.job.records;

import java.io.IOException;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
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
 * by reading and writing them again, and a snapshot that takes over state written by Flink's POJO serializer.
 *
 * @param <T> the record type
 */
public abstract class RecordSerializer<T> extends TypeSerializerSingleton<T> {
    private static final long serialVersionUID = 1L;

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
     * The snapshot of a hand-written serializer: compatible as is with itself, and compatible after migration with
     * state written by Flink's POJO serializer of the same type (the serializer these replaced), so a savepoint taken
     * before them restores (Flink reads the old bytes with the POJO serializer and writes them again with this one).
     */
    public abstract static class PojoMigratingSnapshot<T> extends SimpleTypeSerializerSnapshot<T> {
        private final Class<T> type;

        protected PojoMigratingSnapshot(Supplier<? extends TypeSerializer<T>> serializer, Class<T> type) {
            super(serializer);
            this.type = type;
        }

        @Override
        public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> oldSnapshot) {
            if (oldSnapshot instanceof PojoSerializerSnapshot && type.isInstance(oldSnapshot.restoreSerializer().createInstance())) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(oldSnapshot);
        }
    }
}
