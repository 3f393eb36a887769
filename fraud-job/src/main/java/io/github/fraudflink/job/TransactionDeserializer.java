package io.github.fraudflink.job;

import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns each Kafka record of the transactions topic into a {@link ParsedRecord}. It never throws on
 * bad input: a record that fails {@link TransactionParser} becomes a {@link DeadLetter}. The Kafka record
 * timestamp is the ingest time.
 */
public final class TransactionDeserializer implements KafkaRecordDeserializationSchema<ParsedRecord> {
    private static final long serialVersionUID = 1L;
    private final TransactionParser parser;

    public TransactionDeserializer(TransactionParser parser) {
        this.parser = parser;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedRecord> out) {
        try {
            Transaction t = parser.parse(record.value(), record.timestamp());
            out.collect(ParsedRecord.valid(t));
        } catch (InvalidTransactionException e) {
            DeadLetter d = new DeadLetter();
            d.reason = e.reason().code();
            d.message = e.getMessage();
            d.topic = record.topic();
            d.partition = record.partition();
            d.offset = record.offset();
            d.timestamp = record.timestamp();
            d.key = record.key();
            d.value = record.value();
            out.collect(ParsedRecord.invalid(d));
        }
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }
}
