package io.github.fraudflink.features;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * Parses and validates one label message of {@code fraud-labels} into a {@link Label}: {@code transaction_id},
 * {@code account_id}, optional {@code terminal_id}, {@code event_time} (the transaction's), {@code is_fraud} (true/false
 * or 1/0), {@code labelled_at}, {@code source}, and optionally {@code known_at} (when the verdict entered the system;
 * without it, the Kafka record's timestamp, and never before {@code labelled_at}: a live producer leaves it out, a
 * replay of a dataset sets it to {@code labelled_at}). The same strict rules as {@link TransactionParser} (UTF-8, one JSON
 * object, the text-field rule, time syntax); a label may not be dated before its transaction, nor further past the
 * record timestamp than the allowed skew. A bad label raises an {@link InvalidTransactionException} with its
 * {@link RejectReason} (the DLQ's), never anything else.
 */
public final class LabelParser implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int maxMessageBytes;
    private final long maxFutureSkewMillis;
    private final long minEventTimeMillis;

    public LabelParser() {
        this(TransactionParser.DEFAULT_MAX_MESSAGE_BYTES, TransactionParser.DEFAULT_MAX_FUTURE_SKEW,
                TransactionParser.DEFAULT_MIN_EVENT_TIME);
    }

    public LabelParser(int maxMessageBytes, Duration maxFutureSkew, Instant minEventTime) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
        this.minEventTimeMillis = minEventTime.toEpochMilli();
    }

    /** Parses {@code bytes}, received with the Kafka record timestamp {@code ingestTime}. */
    public Label parse(byte[] bytes, long ingestTime) throws InvalidTransactionException {
        TransactionParser.checkRecordTimestamp(ingestTime, minEventTimeMillis);
        return parse(bytes, ingestTime, true);
    }

    /**
     * Parses a label read from a file (batch scoring): there is no record timestamp, so {@code known_at} defaults to
     * {@code labelled_at} and nothing is "in the future".
     */
    public Label parseFromFile(byte[] bytes) throws InvalidTransactionException {
        return parse(bytes, Long.MIN_VALUE, false);
    }

    private Label parse(byte[] bytes, long ingestTime, boolean received) throws InvalidTransactionException {
        JsonNode o = TransactionParser.readObject(bytes, maxMessageBytes);
        Label l = new Label();
        l.transactionId = TransactionParser.requiredId(o, "transaction_id", RejectReason.MISSING_TRANSACTION_ID,
                RejectReason.INVALID_TRANSACTION_ID);
        l.accountId = TransactionParser.requiredId(o, "account_id", RejectReason.MISSING_ACCOUNT_ID,
                RejectReason.INVALID_ACCOUNT_ID);
        l.terminalId = TransactionParser.optionalText(o, "terminal_id");
        l.eventTime = TransactionParser.time(o.get("event_time"), "event_time", RejectReason.MISSING_EVENT_TIME,
                RejectReason.INVALID_EVENT_TIME);
        if (l.eventTime < minEventTimeMillis) {
            throw new InvalidTransactionException(RejectReason.EVENT_TIME_TOO_OLD, "'event_time' " + l.eventTime
                    + " ms is before " + Instant.ofEpochMilli(minEventTimeMillis));
        }
        l.isFraud = verdict(o.get("is_fraud"));
        l.labelledAt = TransactionParser.time(o.get("labelled_at"), "labelled_at", RejectReason.MISSING_LABELLED_AT,
                RejectReason.INVALID_LABELLED_AT);
        if (l.labelledAt < l.eventTime) {
            throw new InvalidTransactionException(RejectReason.LABELLED_BEFORE_TRANSACTION, "'labelled_at' "
                    + Instant.ofEpochMilli(l.labelledAt) + " is before the transaction's 'event_time' "
                    + Instant.ofEpochMilli(l.eventTime));
        }
        if (received && l.labelledAt > ingestTime + maxFutureSkewMillis) {
            throw new InvalidTransactionException(RejectReason.LABELLED_AT_IN_FUTURE, "'labelled_at' is "
                    + Duration.ofMillis(l.labelledAt - ingestTime) + " after the label was received (limit "
                    + Duration.ofMillis(maxFutureSkewMillis) + "): check the producer's clock");
        }
        l.source = TransactionParser.requiredId(o, "source", RejectReason.MISSING_LABEL_SOURCE,
                RejectReason.INVALID_LABEL_SOURCE);
        l.knownAt = knownAt(o.get("known_at"), l.labelledAt, received ? ingestTime : l.labelledAt, received);
        return l;
    }

    /** {@code known_at} if the message has it (checked), else the record timestamp, never before {@code labelled_at}. */
    private long knownAt(JsonNode n, long labelledAt, long ingestTime, boolean received) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            return Math.max(ingestTime, labelledAt);
        }
        long known = TransactionParser.time(n, "known_at", RejectReason.INVALID_KNOWN_AT, RejectReason.INVALID_KNOWN_AT);
        if (known < labelledAt) {
            throw new InvalidTransactionException(RejectReason.INVALID_KNOWN_AT, "'known_at' " + Instant.ofEpochMilli(known)
                    + " is before 'labelled_at' " + Instant.ofEpochMilli(labelledAt) + ": a verdict is known once it is made");
        }
        if (received && known > ingestTime + maxFutureSkewMillis) {
            throw new InvalidTransactionException(RejectReason.INVALID_KNOWN_AT, "'known_at' is "
                    + Duration.ofMillis(known - ingestTime) + " after the label was received (limit "
                    + Duration.ofMillis(maxFutureSkewMillis) + "): check the producer's clock");
        }
        return known;
    }

    private static boolean verdict(JsonNode n) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            throw new InvalidTransactionException(RejectReason.MISSING_LABEL, "required field 'is_fraud' is missing");
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber() && n.canConvertToInt() && (n.intValue() == 0 || n.intValue() == 1)) {
            return n.intValue() == 1;
        }
        throw new InvalidTransactionException(RejectReason.INVALID_LABEL, "'is_fraud' must be true/false or 1/0, got "
                + TransactionParser.abbreviate(n.toString()));
    }
}
