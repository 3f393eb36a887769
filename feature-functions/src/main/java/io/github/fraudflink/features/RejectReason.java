package io.github.fraudflink.features;

/** Why an input event was sent to the dead-letter topic instead of being scored. Stable codes: dashboards and alerts use them. */
public enum RejectReason {
    EMPTY,
    OVERSIZED,
    BAD_ENCODING,
    NOT_JSON,
    NOT_AN_OBJECT,
    TRAILING_DATA,
    DUPLICATE_FIELD,
    MISSING_TRANSACTION_ID,
    INVALID_TRANSACTION_ID,
    MISSING_ACCOUNT_ID,
    INVALID_ACCOUNT_ID,
    MISSING_EVENT_TIME,
    INVALID_EVENT_TIME,
    EVENT_TIME_TOO_OLD,
    EVENT_TIME_IN_FUTURE,
    /** The Kafka record timestamp is not a plausible time (a producer clock, or nano- or microseconds sent as ms). */
    INVALID_RECORD_TIMESTAMP,
    MISSING_AMOUNT,
    INVALID_AMOUNT,
    NON_POSITIVE_AMOUNT,
    AMOUNT_TOO_SMALL,
    AMOUNT_TOO_LARGE,
    INVALID_CURRENCY,
    INVALID_COORDINATES,
    INVALID_OPTIONAL_FIELD,
    INVALID_ATTRIBUTES,
    /** Labels ({@link LabelParser}): the verdict is missing or not true/false (1/0). */
    MISSING_LABEL,
    INVALID_LABEL,
    MISSING_LABELLED_AT,
    INVALID_LABELLED_AT,
    /** A label dated before its transaction. */
    LABELLED_BEFORE_TRANSACTION,
    LABELLED_AT_IN_FUTURE,
    /** {@code known_at} is not a time, is before {@code labelled_at}, or is further past the record timestamp than the allowed skew. */
    INVALID_KNOWN_AT,
    MISSING_LABEL_SOURCE,
    INVALID_LABEL_SOURCE,
    /**
     * A row of a file (batch scoring) that is not a row of its layout: a wrong column count, a field that does not
     * parse, a label that is not 0/1.
     */
    INVALID_ROW,
    /** The parser itself failed on this input: a bug to report; the message is kept in the DLQ. */
    UNEXPECTED_ERROR;

    /** The code as it appears in DLQ records and metric labels, e.g. {@code non_positive_amount}. */
    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
