package io.github.fraudflink.job.input;

import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.records.ParsedRecord;

import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.RejectReason;
import io.github.fraudflink.features.LabelParser;
import java.io.Serializable;
import io.github.fraudflink.features.TransactionParser;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns each Kafka record of an input topic (transactions, labels) into a {@link ParsedRecord}. It never throws on
 * input: a record its parser rejects becomes a {@link DeadLetter}, and so does one on which the parser itself fails
 * ({@code unexpected_error}). A dead letter keeps at most {@code maxValueBytes} of the value and
 * {@value #MAX_KEY_BYTES} of the key. The Kafka record timestamp is the ingest time.
 */
public final class InputDeserializer implements KafkaRecordDeserializationSchema<ParsedRecord> {
    private static final long serialVersionUID = 3L;
    public static final int MAX_KEY_BYTES = 1024;
    private static final int MAX_MESSAGE_CHARS = 1000;
    private final Parser parser;
    private final int maxValueBytes;

    /** One topic's contract: a message and its record timestamp to a valid record, or the reason it is not one. */
    @FunctionalInterface
    public interface Parser extends Serializable {
        ParsedRecord parse(byte[] value, long timestamp) throws InvalidTransactionException;
    }

    public InputDeserializer(Parser parser, int maxValueBytes) {
        this.parser = parser;
        this.maxValueBytes = maxValueBytes;
    }

    /** For the transactions topic. */
    public static InputDeserializer transactions(TransactionParser parser, int maxValueBytes) {
        return new InputDeserializer((value, ts) -> ParsedRecord.valid(parser.parse(value, ts)), maxValueBytes);
    }

    /** For the labels topic. */
    public static InputDeserializer labels(LabelParser parser, int maxValueBytes) {
        return new InputDeserializer((value, ts) -> ParsedRecord.label(parser.parse(value, ts)), maxValueBytes);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedRecord> out) {
        ParsedRecord t;
        try {
            t = parser.parse(record.value(), record.timestamp());
        } catch (InvalidTransactionException e) {
            out.collect(ParsedRecord.invalid(deadLetter(record, e.reason(), e.getMessage())));
            return;
        } catch (RuntimeException | StackOverflowError e) {
            out.collect(ParsedRecord.invalid(deadLetter(record, RejectReason.UNEXPECTED_ERROR,
                    "the parser failed on this message (please report it): " + e)));
            return;
        }
        out.collect(t);
    }

    DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, RejectReason reason, String message) {
        DeadLetter d = new DeadLetter();
        d.reason = reason.code();
        d.message = message.length() <= MAX_MESSAGE_CHARS ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...";
        d.topic = record.topic();
        d.partition = record.partition();
        d.offset = record.offset();
        d.timestamp = record.timestamp();
        byte[] key = record.key();
        byte[] value = record.value();
        d.key = key == null || key.length <= MAX_KEY_BYTES ? key : Arrays.copyOf(key, MAX_KEY_BYTES);
        d.value = value == null || value.length <= maxValueBytes ? value : Arrays.copyOf(value, maxValueBytes);
        d.truncated = d.key != key || d.value != value;
        d.valueBytes = value == null ? -1 : value.length;
        d.valueSha256 = value == null ? "" : sha256(value);
        return d;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }
}
