package io.github.fraudflink.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;

/** What every format reader does with a row: validate it with the job's input contract, or reject it with a reason. */
final class RowContract {
    /** Files carry no ingest time; any event time is accepted as "not in the future". */
    private static final long FILE_INGEST_TIME = Long.MAX_VALUE / 2;

    private RowContract() {}

    /** A row that cannot be imported; the message is the bad row's reason. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Validates a row, given as the job's input JSON, with the job's parser; the file order is the ingest order. */
    static Transaction check(TransactionParser parser, JsonNode transaction) throws Rejected {
        try {
            Transaction t = parser.fromTree(transaction, FILE_INGEST_TIME);
            t.ingestTime = t.eventTime;
            return t;
        } catch (InvalidTransactionException e) {
            throw new Rejected(e.reason().code() + ": " + e.getMessage());
        }
    }

    /** At most 40 characters of a value, for reasons. */
    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
