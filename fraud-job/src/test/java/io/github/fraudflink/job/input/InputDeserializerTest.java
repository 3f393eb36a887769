package io.github.fraudflink.job.input;

import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.JobTestSupport;
import io.github.fraudflink.job.kafka.KafkaRecords;
import io.github.fraudflink.job.records.ParsedRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.fraudflink.features.RejectReason;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.local.HostileCorpus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * The job's entry point for input against generated hostile corpora: one record out for every record in, never an
 * exception, every dead letter within the producer's limits, and each category of the corpus rejected for what it is.
 */
class InputDeserializerTest {
    private static final long NOW = 1_780_000_000_000L;
    private static final int MAX_VALUE = JobOptions.DLQ_MAX_VALUE_BYTES.defaultValue();
    private final InputDeserializer deserializer = InputDeserializer.transactions(new TransactionParser(), MAX_VALUE);

    /** Reasons each category may get (a category not listed may also be valid). */
    private static final Map<String, Set<String>> REASONS = Map.of(
            "encoding", Set.of(RejectReason.BAD_ENCODING.code()),
            "invalid-utf8", Set.of(RejectReason.BAD_ENCODING.code(), RejectReason.INVALID_ACCOUNT_ID.code()), // EF BB BF mid-text is U+FEFF
            "huge", Set.of(RejectReason.OVERSIZED.code(), "valid"), // a padded message under 64 KiB is fine
            "duplicate-field", Set.of(RejectReason.DUPLICATE_FIELD.code(), "valid"), // a name with an escaped NUL is another field
            "empty", Set.of(RejectReason.EMPTY.code(), RejectReason.NOT_JSON.code()),
            "trailing-data", Set.of(RejectReason.TRAILING_DATA.code(), RejectReason.BAD_ENCODING.code(), "valid"), // white space after it is fine; a raw NUL is not UTF-8 text
            "deep-nesting", Set.of(RejectReason.NOT_JSON.code(), "valid"));     // up to the nesting limit it is fine

    private ParsedRecord deserialize(HostileCorpus.Message m) {
        List<ParsedRecord> out = new ArrayList<>();
        deserializer.deserialize(new ConsumerRecord<>("t", 0, 0, NOW, TimestampType.CREATE_TIME, 0, 0, m.key(), m.value(),
                new RecordHeaders(), Optional.empty()), new Collector<>() {
                    @Override
                    public void collect(ParsedRecord r) {
                        out.add(r);
                    }

                    @Override
                    public void close() {}
                });
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @org.junit.jupiter.api.Test
    void everyHostileMessageBecomesOneRecordAndDeadLettersFitTheProducer() {
        qt().withExamples(20).forAll(longs().between(0, Long.MAX_VALUE / 2)).checkAssert(this::checkCorpus);
    }

    private void checkCorpus(long seed) {
        for (HostileCorpus.Message m : HostileCorpus.generate(seed, 400, NOW)) {
            ParsedRecord r = deserialize(m);
            assertThat(r.transaction == null).isNotEqualTo(r.deadLetter == null);
            String outcome = r.transaction != null ? "valid" : r.deadLetter.reason;
            if (REASONS.containsKey(m.category())) {
                assertThat(REASONS.get(m.category())).as("%s: %s", m.category(), r.deadLetter == null ? "" : r.deadLetter.message)
                        .contains(outcome);
            }
            if (r.deadLetter != null) {
                DeadLetter d = r.deadLetter;
                assertThat(d.reason).isNotEqualTo(RejectReason.UNEXPECTED_ERROR.code());
                int size = (d.value == null ? 0 : d.value.length) + (d.key == null ? 0 : d.key.length)
                        + d.message.getBytes(StandardCharsets.UTF_8).length + d.valueSha256.length() + 200;
                assertThat(size).as("a dead letter with its headers").isLessThan(1024 * 1024);
                assertThat(d.valueBytes).isEqualTo(m.value() == null ? -1 : m.value().length);
                assertThat(d.truncated).isEqualTo((m.value() != null && m.value().length > MAX_VALUE)
                        || (m.key() != null && m.key().length > InputDeserializer.MAX_KEY_BYTES));
                assertThat(d.message).doesNotContain("\n");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aDeadLetterKeepsThePrefixTheSizeAndTheHashOfAHugeMessage() {
        byte[] huge = ("{\"x\":\"" + "z".repeat(HostileCorpus.HUGE_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        DeadLetter d = deserialize(new HostileCorpus.Message("huge", new byte[5000], huge)).deadLetter;
        assertThat(d.reason).isEqualTo(RejectReason.OVERSIZED.code());
        assertThat(d.value).hasSize(MAX_VALUE).isEqualTo(java.util.Arrays.copyOf(huge, MAX_VALUE));
        assertThat(d.key).hasSize(InputDeserializer.MAX_KEY_BYTES);
        assertThat(d.valueBytes).isEqualTo(huge.length);
        assertThat(d.valueSha256).isEqualTo(JobTestSupport.sha256(huge));
        assertThat(d.truncated).isTrue();
        // and the Kafka record carries it all in headers
        ProducerRecord<byte[], byte[]> rec = new KafkaRecords.DeadLetters("dlq").serialize(d, null, null);
        assertThat(new String(rec.headers().lastHeader("dlq.value-bytes").value(), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(huge.length));
        assertThat(rec.headers().lastHeader("dlq.truncated")).isNotNull();
    }
}
