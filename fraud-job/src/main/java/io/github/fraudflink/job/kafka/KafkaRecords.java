package io.github.fraudflink.job.kafka;

import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ScoredTransaction;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/** How the job's records map to Kafka: scored JSON keyed by account, dead letters with their reason in headers, model control and status JSON. */
public final class KafkaRecords {
    private KafkaRecords() {}

    /** Scored transactions: key = account_id, value = {@link ScoredTransactionJson}. */
    public static final class Scored implements KafkaRecordSerializationSchema<ScoredTransaction> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        public Scored(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(ScoredTransaction s, KafkaSinkContext ctx, Long timestamp) {
            return new ProducerRecord<>(topic, s.accountId.getBytes(StandardCharsets.UTF_8), ScoredTransactionJson.write(s));
        }
    }

    /**
     * Dead letters: the original key and value (cut to a bound, see {@link InputDeserializer}), plus headers
     * dlq.reason, dlq.message, dlq.source, dlq.value-bytes (the original size), dlq.value-sha256 and, when the key or
     * value was cut, dlq.truncated = true.
     */
    public static final class DeadLetters implements KafkaRecordSerializationSchema<DeadLetter> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        public DeadLetters(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext ctx, Long timestamp) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, d.key, d.value == null ? new byte[0] : d.value);
            r.headers().add(new RecordHeader("dlq.reason", d.reason.getBytes(StandardCharsets.UTF_8)));
            r.headers().add(new RecordHeader("dlq.message", d.message.getBytes(StandardCharsets.UTF_8)));
            r.headers().add(new RecordHeader("dlq.source",
                    (d.topic + "-" + d.partition + "@" + d.offset).getBytes(StandardCharsets.UTF_8)));
            r.headers().add(new RecordHeader("dlq.value-bytes", Integer.toString(d.valueBytes).getBytes(StandardCharsets.UTF_8)));
            r.headers().add(new RecordHeader("dlq.value-sha256", d.valueSha256.getBytes(StandardCharsets.UTF_8)));
            if (d.truncated) {
                r.headers().add(new RecordHeader("dlq.truncated", "true".getBytes(StandardCharsets.UTF_8)));
            }
            return r;
        }
    }

    /** Control events and status records: JSON, keyed by model name. */
    public static final class Status implements KafkaRecordSerializationSchema<ModelStatus> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        public Status(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(ModelStatus s, KafkaSinkContext ctx, Long timestamp) {
            return new ProducerRecord<>(topic, s.model == null ? null : s.model.getBytes(StandardCharsets.UTF_8),
                    ModelControlJson.writeStatus(s));
        }
    }

    /** Reads model-control records; never throws (see {@link ModelControlJson#read}). */
    public static final class Control implements org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema<ModelControl> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record,
                org.apache.flink.util.Collector<ModelControl> out) {
            if (record.value() != null) { // a tombstone deletes a key of the compacted topic: nothing to do
                out.collect(ModelControlJson.read(record.value()));
            }
        }

        @Override
        public org.apache.flink.api.common.typeinfo.TypeInformation<ModelControl> getProducedType() {
            return org.apache.flink.api.common.typeinfo.TypeInformation.of(ModelControl.class);
        }
    }
}
