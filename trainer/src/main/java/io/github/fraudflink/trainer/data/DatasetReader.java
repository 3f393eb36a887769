package io.github.fraudflink.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * Imports labelled transaction files (plain or .gz) into {@link Dataset}s:
 * <ul>
 *   <li>{@code handbook}: the Fraud Detection Handbook's raw layout ({@code TRANSACTION_ID, TX_DATETIME,
 *       CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, ..., TX_FRAUD, TX_FRAUD_SCENARIO}); the customer is the account,
 *       {@code TX_DATETIME} is read as UTC;</li>
 *   <li>{@code jsonl}: one input-schema transaction JSON per line (what {@code ./fraud simulate} writes), labels
 *       in {@code is_fraud} and optional {@code fraud_scenario}.</li>
 * </ul>
 * Bad rows are collected with their line numbers, never silently skipped.
 */
public final class DatasetReader {
    /** The supported layouts. */
    public enum Format { HANDBOOK, JSONL }

    private static final DateTimeFormatter HANDBOOK_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DatasetReader() {}

    /** Reads {@code file}; {@code progress} receives the number of bytes read so far (may be null). */
    public static Dataset read(Path file, Format format, LongConsumer progress) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<LabelledTransaction> rows = new ArrayList<>();
        List<Dataset.BadRow> bad = new ArrayList<>();
        try (InputStream raw = new CountingStream(Files.newInputStream(file), progress);
                DigestInputStream digest = new DigestInputStream(raw, sha);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(digest, 1 << 16) : digest;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            if (format == Format.HANDBOOK) {
                readHandbook(r, rows, bad);
            } else {
                readJsonLines(r, rows, bad);
            }
            while (digest.read() >= 0) {
                // hash the whole file, also past the last line read
            }
        }
        rows.sort(Comparator.comparingLong(lt -> lt.tx().eventTime)); // stable: file order within a timestamp
        return new Dataset(rows, bad, HexFormat.of().formatHex(sha.digest()));
    }

    private static void readHandbook(BufferedReader r, List<LabelledTransaction> rows, List<Dataset.BadRow> bad)
            throws IOException {
        String header = r.readLine();
        if (header == null) {
            throw new IOException("empty file: expected the handbook header TRANSACTION_ID,TX_DATETIME,...");
        }
        String[] cols = header.strip().split(",");
        int id = col(cols, "TRANSACTION_ID");
        int time = col(cols, "TX_DATETIME");
        int customer = col(cols, "CUSTOMER_ID");
        int terminal = col(cols, "TERMINAL_ID");
        int amount = col(cols, "TX_AMOUNT");
        int fraud = col(cols, "TX_FRAUD");
        int scenario = indexOf(cols, "TX_FRAUD_SCENARIO");
        long line = 1;
        String s;
        while ((s = r.readLine()) != null) {
            line++;
            if (s.isBlank()) {
                continue;
            }
            String[] f = s.split(",", -1);
            if (f.length != cols.length) {
                bad.add(new Dataset.BadRow(line, "expected " + cols.length + " columns, found " + f.length));
                continue;
            }
            try {
                Transaction t = new Transaction();
                t.transactionId = nonEmpty(f[id], "TRANSACTION_ID");
                t.accountId = nonEmpty(f[customer], "CUSTOMER_ID");
                t.terminalId = nonEmpty(f[terminal], "TERMINAL_ID");
                t.eventTime = LocalDateTime.parse(f[time], HANDBOOK_TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
                t.ingestTime = t.eventTime;
                t.amount = Double.parseDouble(f[amount]);
                if (!(t.amount > 0) || Double.isInfinite(t.amount)) {
                    throw new IllegalArgumentException("TX_AMOUNT must be a positive number, got " + f[amount]);
                }
                boolean isFraud = flag(f[fraud], "TX_FRAUD");
                int sc = scenario < 0 ? (isFraud ? -1 : 0) : Integer.parseInt(f[scenario].strip());
                rows.add(new LabelledTransaction(t, isFraud, sc));
            } catch (DateTimeParseException e) {
                bad.add(new Dataset.BadRow(line, "TX_DATETIME '" + f[time] + "' is not yyyy-MM-dd HH:mm:ss"));
            } catch (IllegalArgumentException e) {
                bad.add(new Dataset.BadRow(line, e.getMessage()));
            }
        }
    }

    private static void readJsonLines(BufferedReader r, List<LabelledTransaction> rows, List<Dataset.BadRow> bad)
            throws IOException {
        TransactionParser parser = new TransactionParser();
        long line = 0;
        String s;
        while ((s = r.readLine()) != null) {
            line++;
            if (s.isBlank()) {
                continue;
            }
            try {
                JsonNode n = MAPPER.readTree(s);
                if (n == null || !n.isObject()) {
                    bad.add(new Dataset.BadRow(line, "not a JSON object"));
                    continue;
                }
                Transaction t = parser.fromTree(n, Long.MAX_VALUE / 2);
                t.ingestTime = t.eventTime;
                JsonNode label = n.get("is_fraud");
                if (label == null || !(label.isBoolean() || label.isInt())) {
                    bad.add(new Dataset.BadRow(line, "missing label 'is_fraud' (true/false or 1/0)"));
                    continue;
                }
                boolean isFraud = label.isBoolean() ? label.booleanValue() : label.intValue() != 0;
                rows.add(new LabelledTransaction(t, isFraud, n.path("fraud_scenario").asInt(isFraud ? -1 : 0)));
            } catch (InvalidTransactionException e) {
                bad.add(new Dataset.BadRow(line, e.reason().code() + ": " + e.getMessage()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                bad.add(new Dataset.BadRow(line, "not valid JSON: " + e.getOriginalMessage()));
            }
        }
    }

    private static int indexOf(String[] cols, String name) {
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].strip().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    private static int col(String[] cols, String name) throws IOException {
        int i = indexOf(cols, name);
        if (i < 0) {
            throw new IOException("column " + name + " missing from the header; the handbook layout needs "
                    + "TRANSACTION_ID, TX_DATETIME, CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, TX_FRAUD");
        }
        return i;
    }

    private static String nonEmpty(String v, String name) {
        if (v.isBlank()) {
            throw new IllegalArgumentException(name + " is empty");
        }
        return v.strip();
    }

    private static boolean flag(String v, String name) {
        switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true" -> {
                return true;
            }
            case "0", "false" -> {
                return false;
            }
            default -> throw new IllegalArgumentException(name + " must be 0 or 1, got '" + v + "'");
        }
    }

    /** Reports bytes read, for progress bars. */
    private static final class CountingStream extends java.io.FilterInputStream {
        private final LongConsumer progress;
        private long read;

        CountingStream(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (progress != null) {
                progress.accept(read);
            }
        }
    }
}
