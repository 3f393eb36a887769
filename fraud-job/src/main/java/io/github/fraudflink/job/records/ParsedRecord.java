package io.github.fraudflink.job.records;

import io.github.fraudflink.features.Transaction;

/**
 * What the source emits for one Kafka record: either a valid {@link Transaction}, or the
 * {@link DeadLetter} saying why it is not one. A Flink POJO; exactly one of the two fields is set.
 */
public class ParsedRecord {
    public Transaction transaction;
    public DeadLetter deadLetter;

    public ParsedRecord() {}

    public static ParsedRecord valid(Transaction t) {
        ParsedRecord r = new ParsedRecord();
        r.transaction = t;
        return r;
    }

    public static ParsedRecord invalid(DeadLetter d) {
        ParsedRecord r = new ParsedRecord();
        r.deadLetter = d;
        return r;
    }

    /**
     * Event time for watermarks: the transaction's. A rejected record has none ({@code Long.MIN_VALUE}, which never
     * moves a watermark): its Kafka timestamp is wall-clock time, and during a replay of older transactions it would
     * push the watermark past all of them.
     */
    public long timestamp() {
        return transaction != null ? transaction.eventTime : org.apache.flink.api.common.eventtime.TimestampAssigner.NO_TIMESTAMP;
    }
}
