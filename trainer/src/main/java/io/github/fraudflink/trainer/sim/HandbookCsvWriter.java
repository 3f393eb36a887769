package io.github.fraudflink.trainer.sim;

import io.github.fraudflink.data.LabelledTransaction;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes simulated transactions in the Fraud Detection Handbook's raw CSV layout, byte-for-byte reproducible.
 *
 * <p>Columns {@value #HEADER}; {@code TX_DATETIME} is {@code yyyy-MM-dd HH:mm:ss} UTC, amounts have two
 * decimals, {@code TX_TIME_SECONDS}/{@code TX_TIME_DAYS} count from the start date, customer and terminal ids are the
 * numbers of the simulator's {@code C…}/{@code T…} ids. Gzip when the file name ends with {@code .gz}.
 */
public final class HandbookCsvWriter {

    public static final String HEADER = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,"
            + "TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";

    private static final DateTimeFormatter DATETIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private HandbookCsvWriter() {}

    /** Writes to a file (gzip if its name ends with .gz); returns the number of transactions. */
    public static long write(Iterable<LabelledTransaction> txs, LocalDate startDate, Path file) throws IOException {
        try (OutputStream out = SimOutput.open(file)) {
            return write(txs, startDate, out);
        }
    }

    /** Writes to a stream, which stays open; returns the number of transactions. */
    public static long write(Iterable<LabelledTransaction> txs, LocalDate startDate, OutputStream out)
            throws IOException {
        long startMillis = startDate.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        w.write(HEADER);
        w.write('\n');
        long n = 0;
        StringBuilder line = new StringBuilder(96);
        for (LabelledTransaction lt : txs) {
            long seconds = Math.floorDiv(lt.tx().eventTime - startMillis, 1000L);
            line.setLength(0);
            line.append(lt.tx().transactionId).append(',')
                    .append(DATETIME.format(Instant.ofEpochMilli(lt.tx().eventTime))).append(',')
                    .append(SimOutput.number(lt.tx().accountId)).append(',')
                    .append(SimOutput.number(lt.tx().terminalId)).append(',')
                    .append(SimOutput.cents(lt.tx().amount).toPlainString()).append(',')
                    .append(seconds).append(',')
                    .append(Math.floorDiv(seconds, 86_400L)).append(',')
                    .append(lt.fraud() ? 1 : 0).append(',')
                    .append(lt.scenario()).append('\n');
            w.append(line);
            n++;
        }
        w.flush();
        return n;
    }
}
