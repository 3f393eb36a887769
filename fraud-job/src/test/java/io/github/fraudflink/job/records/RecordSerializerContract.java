package io.github.fraudflink.job.records;

import java.util.function.BiPredicate;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/**
 * Flink's own serializer contract ({@link SerializerTestBase}) for one of the job's hand-written serializers: variable
 * length, records compared with {@code same} (or deeply, field by field, when null). A test nests a subclass that
 * gives the test data.
 */
public abstract class RecordSerializerContract<T> extends SerializerTestBase<T> {
    private final TypeSerializer<T> serializer;
    private final Class<T> type;

    protected RecordSerializerContract(TypeSerializer<T> serializer, Class<T> type, BiPredicate<T, T> same) {
        super(same == null ? new DeeplyEqualsChecker() : new DeeplyEqualsChecker().withCustomCheck(
                (a, b) -> type.isInstance(a) && type.isInstance(b),
                (a, b, checker) -> same.test(type.cast(a), type.cast(b))));
        this.serializer = serializer;
        this.type = type;
    }

    @Override
    protected final TypeSerializer<T> createSerializer() {
        return serializer;
    }

    @Override
    protected final int getLength() {
        return -1;
    }

    @Override
    protected final Class<T> getTypeClass() {
        return type;
    }
}
