package io.github.fraudflink.trainer.sim;

import io.github.fraudflink.data.LabelledTransaction;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import io.github.fraudflink.features.Transaction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes simulated transactions as JSON lines in the job's input schema, byte-for-byte reproducible.
 *
 * <p>One object per line, fields in this order: {@code transaction_id, account_id, event_time} (ISO-8601 UTC),
 * {@code amount} (two decimals), {@code currency, terminal_id, lat, lon}, then the labels {@code is_fraud}
 * (boolean) and {@code fraud_scenario} (0-3), which the job ignores. Gzip when the file name ends with {@code .gz}.
 */
public final class JsonLinesWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private JsonLinesWriter() {}

    /** Writes to a file (gzip if its name ends with .gz); returns the number of transactions. */
    public static long write(Iterable<LabelledTransaction> txs, Path file) throws IOException {
        try (OutputStream out = SimOutput.open(file)) {
            return write(txs, out);
        }
    }

    /** Writes to a stream, which stays open; returns the number of transactions. */
    public static long write(Iterable<LabelledTransaction> txs, OutputStream out) throws IOException {
        long n = 0;
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
            for (LabelledTransaction lt : txs) {
                Transaction t = lt.tx();
                g.writeStartObject();
                g.writeStringField("transaction_id", t.transactionId);
                g.writeStringField("account_id", t.accountId);
                g.writeStringField("event_time", Instant.ofEpochMilli(t.eventTime).toString());
                g.writeFieldName("amount");
                g.writeNumber(SimOutput.cents(t.amount));
                g.writeStringField("currency", t.currency);
                g.writeStringField("terminal_id", t.terminalId);
                g.writeNumberField("lat", t.lat);
                g.writeNumberField("lon", t.lon);
                g.writeBooleanField("is_fraud", lt.fraud());
                g.writeNumberField("fraud_scenario", lt.scenario());
                g.writeEndObject();
                n++;
            }
            if (n > 0) {
                g.writeRaw('\n');
            }
        }
        return n;
    }
}
