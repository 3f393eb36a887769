package io.github.fraudflink.job.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/**
 * Flink's own serializer contract ({@link SerializerTestBase}) for one of the job's hand-written serializers: variable
 * length, records compared with {@code same} (or deeply, field by field, when null). A test nests a subclass that
 * gives the test data. The static helpers are the checks every serializer test makes on its own generated values.
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

    /**
     * Serializes {@code value} and reads it back: no trailing bytes, {@code assertSame(back, value)}, the same bytes when
     * written again and through {@code copy(DataInputView, DataOutputView)}, and {@code copy(value)} a new object that
     * {@code assertSame} accepts. Returns what was read back.
     */
    public static <T> T roundTrip(TypeSerializer<T> s, T value, BiConsumer<T, T> assertSame) {
        try {
            byte[] b = bytes(s, value);
            DataInputDeserializer in = new DataInputDeserializer(b);
            T back = s.deserialize(in);
            assertThat(in.available()).as("trailing bytes").isZero();
            assertSame.accept(back, value);
            assertThat(bytes(s, back)).as("re-serialized").isEqualTo(b);

            DataOutputSerializer copied = new DataOutputSerializer(16);
            DataInputDeserializer source = new DataInputDeserializer(b);
            s.copy(source, copied);
            assertThat(source.available()).isZero();
            assertThat(copied.getCopyOfBuffer()).as("copy(DataInputView, DataOutputView)").isEqualTo(b);

            T c = s.copy(value);
            assertSame.accept(c, value);
            assertThat(c).isNotSameAs(value);
            return back;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The bytes {@code s} writes for {@code value}. */
    public static <T> byte[] bytes(TypeSerializer<T> s, T value) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            s.serialize(value, out);
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Flink's POJO serializer of {@code type}, generic types off: what the hand-written serializers replaced. */
    public static <T> TypeSerializer<T> pojoSerializer(Class<T> type) {
        SerializerConfigImpl cfg = new SerializerConfigImpl();
        cfg.setGenericTypes(false);
        return TypeInformation.of(type).createSerializer(cfg);
    }
}
