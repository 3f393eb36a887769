package io.github.fraudflink.data;

import io.github.fraudflink.features.Transaction;

/**
 * One row of a transaction file as a reader gives it: a valid transaction (with its label when the file has one), or
 * the reason it was rejected. Blank lines are not rows.
 *
 * @param line the 1-based line the row starts on (the header is line 1 of a CSV file)
 * @param transaction the validated transaction, null when rejected
 * @param fraud the row's label: null when the file has no label column or the row is rejected
 * @param scenario the fraud scenario ({@link LabelledTransaction}'s constants; -1 unknown), 0 when not a fraud
 * @param reason why the row was rejected (the contract's reject code first when the job's parser refused it), else null
 * @param text the row as read, for a rejects file: a JSON line as it is, a CSV row's fields joined again with
 *     RFC 4180 quoting
 */
public record FileRow(long line, Transaction transaction, Boolean fraud, int scenario, String reason, String text) {

    static FileRow valid(long line, Transaction t, Boolean fraud, int scenario) {
        return new FileRow(line, t, fraud, scenario, null, null);
    }

    static FileRow rejected(long line, String reason, String text) {
        return new FileRow(line, null, null, 0, reason, text);
    }

    /** Whether the row was rejected. */
    public boolean isRejected() {
        return transaction == null;
    }
}
