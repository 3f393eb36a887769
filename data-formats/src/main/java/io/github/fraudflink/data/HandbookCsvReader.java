package io.github.fraudflink.data;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.features.TransactionParser;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * {@link DatasetReader.Format#HANDBOOK}: the Fraud Detection Handbook's raw layout ({@code TRANSACTION_ID,
 * TX_DATETIME, CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, ..., TX_FRAUD, TX_FRAUD_SCENARIO}); the customer is the account,
 * {@code TX_DATETIME} ({@code yyyy-MM-dd HH:mm:ss}) is read as UTC. Without a {@code TX_FRAUD_SCENARIO} column the
 * scenario of a fraud is unknown (-1), of a genuine row 0.
 */
final class HandbookCsvReader extends CsvFormatReader {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String LAYOUT = "the handbook layout needs TRANSACTION_ID, TX_DATETIME, CUSTOMER_ID, "
            + "TERMINAL_ID, TX_AMOUNT, TX_FRAUD";

    @Override
    String expectedHeader() {
        return "the handbook header TRANSACTION_ID,TX_DATETIME,...";
    }

    @Override
    RowReader header(String[] cols, TransactionParser parser, boolean labels) throws IOException {
        if (indexOf(cols, "TRANSACTION_ID") < 0 && indexOf(cols, "Class") >= 0 && indexOf(cols, "Time") >= 0) {
            throw new IOException("this looks like the Kaggle creditcard.csv layout (Time, V1..V28, Amount, Class), "
                    + "not the handbook's: read it with format KAGGLE");
        }
        int id = column(cols, "TRANSACTION_ID", LAYOUT);
        int time = column(cols, "TX_DATETIME", LAYOUT);
        int customer = column(cols, "CUSTOMER_ID", LAYOUT);
        int terminal = column(cols, "TERMINAL_ID", LAYOUT);
        int amount = column(cols, "TX_AMOUNT", LAYOUT);
        int fraud = labelColumn(cols, "TX_FRAUD", LAYOUT, labels);
        int scenario = indexOf(cols, "TX_FRAUD_SCENARIO");
        return (line, f) -> {
            long eventTime;
            try {
                eventTime = LocalDateTime.parse(f[time], TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new RowContract.Rejected("TX_DATETIME '" + RowContract.abbreviate(f[time])
                        + "' is not yyyy-MM-dd HH:mm:ss");
            }
            if (f[terminal].isEmpty()) {
                throw new RowContract.Rejected("TERMINAL_ID is empty");
            }
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("transaction_id", f[id]);
            o.put("account_id", f[customer]);
            o.put("event_time", eventTime);
            o.put("amount", number(f[amount], "TX_AMOUNT"));
            o.put("terminal_id", f[terminal]);
            var t = RowContract.check(parser, o);
            Boolean isFraud = label(f, fraud, "TX_FRAUD");
            int sc = Boolean.TRUE.equals(isFraud) ? -1 : 0;
            if (scenario >= 0 && isFraud != null) {
                try {
                    sc = Integer.parseInt(f[scenario]);
                } catch (NumberFormatException e) {
                    throw new RowContract.Rejected("TX_FRAUD_SCENARIO '" + RowContract.abbreviate(f[scenario])
                            + "' is not an integer");
                }
            }
            return FileRow.valid(line, t, isFraud, sc);
        };
    }
}
