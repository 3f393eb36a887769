package io.github.fraudflink.job;

import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.records.ParsedRecord;
import io.github.fraudflink.job.records.ScoredTransaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.Transaction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every type that crosses operators or lives in state is a Flink POJO serialized without Kryo. */
class TypeSerializationTest {

    @ParameterizedTest
    @ValueSource(classes = {Transaction.class, AccountHistory.class, ParsedRecord.class, DeadLetter.class,
        FeaturizedTransaction.class, ScoredTransaction.class})
    void isPojoWithoutGenericTypes(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl cfg = new SerializerConfigImpl();
        cfg.setGenericTypes(false);
        // throws UnsupportedOperationException if any field would fall back to Kryo
        TypeSerializer<?> s = info.createSerializer(cfg);
        assertThat(s).isNotNull();
    }

    @SuppressWarnings("unchecked")
    @org.junit.jupiter.api.Test
    void transactionWithAttributesRoundTrips() throws Exception {
        Transaction t = new Transaction("t", "a", 5, 1.5);
        t.attributes = new java.util.TreeMap<>(java.util.Map.of("V1", 1.0, "V2", -2.0));
        t.lat = 1.0;
        SerializerConfigImpl cfg = new SerializerConfigImpl();
        cfg.setGenericTypes(false);
        TypeSerializer<Transaction> s = TypeInformation.of(Transaction.class).createSerializer(cfg);
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(t, out);
        Transaction back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(t);
    }
}
