package io.github.fraudflink.job.records;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.Transaction;

/**
 * What a source emits for one Kafka record: a valid {@link Transaction} (transactions topic) or {@link Label} (labels
 * topic), or the {@link DeadLetter} saying why it is not one. A Flink POJO; exactly one field is set.
 */
public class ParsedRecord {
    public Transaction transaction;
    public Label label;
    public DeadLetter deadLetter;

    public ParsedRecord() {}

    public static ParsedRecord valid(Transaction t) {
        ParsedRecord r = new ParsedRecord();
        r.transaction = t;
        return r;
    }

    public static ParsedRecord label(Label l) {
        ParsedRecord r = new ParsedRecord();
        r.label = l;
        return r;
    }

    public static ParsedRecord invalid(DeadLetter d) {
        ParsedRecord r = new ParsedRecord();
        r.deadLetter = d;
        return r;
    }

    /**
     * Event time for watermarks: the transaction's, or when the label became known. A rejected record has none ({@code Long.MIN_VALUE}, which never
     * moves a watermark): its Kafka timestamp is wall-clock time, and during a replay of older transactions it would
     * push the watermark past all of them.
     */
    public long timestamp() {
        return transaction != null ? transaction.eventTime : label != null ? label.labelledAt
                : org.apache.flink.api.common.eventtime.TimestampAssigner.NO_TIMESTAMP;
    }
}
