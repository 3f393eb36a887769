package io.github.fraudflink.trainer.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * Imports labelled transaction files (plain or .gz) into {@link Dataset}s, validating every row against the job's
 * input contract ({@link TransactionParser}), so the trainer never learns from a row the job would dead-letter.
 *
 * <ul>
 *   <li>{@link Format#HANDBOOK}: the Fraud Detection Handbook's raw layout ({@code TRANSACTION_ID, TX_DATETIME,
 *       CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, ..., TX_FRAUD, TX_FRAUD_SCENARIO}); the customer is the account,
 *       {@code TX_DATETIME} ({@code yyyy-MM-dd HH:mm:ss}) is read as UTC.</li>
 *   <li>{@link Format#JSONL}: one input-schema transaction JSON per line (what {@code ./fraud simulate} writes),
 *       label in {@code is_fraud} (true/false or 1/0), optional integer {@code fraud_scenario}.</li>
 *   <li>{@link Format#KAGGLE}: the ULB credit-card data set from Kaggle ({@code creditcard.csv}: {@code Time,
 *       V1..V28, Amount, Class}; columns found by name, double quotes around names and values allowed, as in the
 *       original file). It has no account or transaction column, so:
 *       <ul>
 *         <li><b>keying</b>: every row is its own account and transaction, both with the id {@code kaggle-<line>}
 *             (the 1-based line number in the file, header = line 1). Nothing links two rows of the same card, and
 *             inventing a link (one account for all, or buckets of rows) would make the account windows count
 *             unrelated cards. So the account features are degenerate constants: {@code tx_count_*} = 1,
 *             {@code avg_amount_*} = the amount, {@code amount_zscore_30d} = 0, {@code amount_ratio_30d} = 1,
 *             {@code seconds_since_prev} = -1;</li>
 *         <li><b>event time</b>: {@link #KAGGLE_EPOCH} (2013-09-02T00:00:00Z) + {@code Time} seconds (rounded to
 *             the millisecond). {@code Time} counts seconds from the first transaction of the capture (two days of
 *             September 2013; the exact dates are not published). The origin assumes the capture began at
 *             midnight UTC, which the data are consistent with (genuine transactions are fewest between
 *             {@code Time} 1 h and 8 h and again between 24 h and 31 h); {@code hour_of_day} and
 *             {@code is_night} mean something only under that assumption. The origin is
 *             a Monday so both days are weekdays: {@code is_weekend} is 0 everywhere instead of an invented
 *             weekday/weekend contrast;</li>
 *         <li><b>features that carry information</b>: {@code amount}, {@code hour_of_day}, {@code is_night}.
 *             {@code V1..V28} (anonymised PCA components) go into {@link Transaction#attributes} under their
 *             names; schema {@code account-v1} does not use attributes, so a model that wants them needs a new
 *             feature schema;</li>
 *         <li><b>label</b>: {@code Class} must be 0 or 1; the scenario of a fraud is unknown (-1), of a genuine row
 *             0;</li>
 *         <li><b>contract</b>: rows of {@code Amount} 0 are bad rows ({@code non_positive_amount}), as in the job.
 *             Kaggle has such rows, and many are frauds (31 rows in the shared 1,722-row sample, 27 of them
 *             frauds, so 465 of its 492 frauds are imported);</li>
 *         <li><b>training</b>: the two days start on {@link #KAGGLE_EPOCH}, so a time split is for example train
 *             2013-09-02 (1 day), no delay, test 2013-09-03 (1 day). Every card is new, so "known compromised
 *             cards" removes nothing and card precision@k is transaction precision@k.</li>
 *       </ul>
 *   </li>
 * </ul>
 * Every row that cannot be imported, whatever the format, is reported in {@link Dataset#badRows()} with its 1-based
 * line number and a reason (wrong column count, unparsable date or number, label not 0/1, or the contract's reject
 * code such as {@code non_positive_amount}), never silently skipped. Blank lines are not rows. The rows come out in
 * event-time order (stable: file order within a timestamp), the order in which the job's feature code sees them.
 */
public final class DatasetReader {
    /** The supported layouts. */
    public enum Format {
        HANDBOOK, JSONL, KAGGLE;

        /** The format named by {@code name} (any case), or, when null, JSONL for a {@code .jsonl} file, else HANDBOOK. */
        public static Format of(String name, Path file) {
            if (name != null) {
                try {
                    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("format '" + name + "' is not one of handbook, jsonl, kaggle");
                }
            }
            return file.getFileName().toString().contains(".jsonl") ? JSONL : HANDBOOK;
        }
    }

    /** The event time of Kaggle's {@code Time = 0}: a documented, arbitrary origin (see the class comment). */
    public static final Instant KAGGLE_EPOCH = Instant.parse("2013-09-02T00:00:00Z");
    /** Prefix of the account and transaction id of a Kaggle row, followed by its line number. */
    public static final String KAGGLE_ID_PREFIX = "kaggle-";
    /** Largest accepted Kaggle {@code Time}: 100 years of seconds, far beyond the data, well inside a long. */
    static final double KAGGLE_MAX_TIME_SECONDS = 100 * 365.25 * 86_400;
    private static final int KAGGLE_COMPONENTS = 28;
    private static final String[] KAGGLE_ATTRIBUTE_NAMES = new String[KAGGLE_COMPONENTS];

    static {
        for (int i = 0; i < KAGGLE_COMPONENTS; i++) {
            KAGGLE_ATTRIBUTE_NAMES[i] = "V" + (i + 1);
        }
    }

    private static final DateTimeFormatter HANDBOOK_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** Same strictness as the job's parser (duplicate fields), and a line holds exactly one JSON value. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Files carry no ingest time; any event time is accepted as "not in the future". */
    private static final long FILE_INGEST_TIME = Long.MAX_VALUE / 2;

    private DatasetReader() {}

    /** Reads {@code file} without progress reporting. */
    public static Dataset read(Path file, Format format) throws IOException {
        return read(file, format, null);
    }

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
        TransactionParser parser = new TransactionParser();
        try (InputStream raw = new CountingStream(Files.newInputStream(file), progress);
                DigestInputStream digest = new DigestInputStream(raw, sha);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(digest, 1 << 16) : digest;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            switch (format) {
                case HANDBOOK -> readHandbook(r, parser, rows, bad);
                case JSONL -> readJsonLines(r, parser, rows, bad);
                case KAGGLE -> readKaggle(r, parser, rows, bad);
                default -> throw new IllegalArgumentException("unsupported format " + format);
            }
            while (digest.read() >= 0) {
                // hash the whole file, also past the last line read
            }
        }
        rows.sort(Comparator.comparingLong(lt -> lt.tx().eventTime)); // stable: file order within a timestamp
        return new Dataset(rows, bad, HexFormat.of().formatHex(sha.digest()));
    }

    /** A row that cannot be imported; the message is the bad row's reason. */
    private static final class BadRowException extends Exception {
        private static final long serialVersionUID = 1L;

        BadRowException(String message) {
            super(message, null, false, false);
        }
    }

    private static void readHandbook(BufferedReader r, TransactionParser parser, List<LabelledTransaction> rows,
            List<Dataset.BadRow> bad) throws IOException {
        String header = r.readLine();
        if (header == null) {
            throw new IOException("empty file: expected the handbook header TRANSACTION_ID,TX_DATETIME,...");
        }
        String[] cols = splitHeader(header);
        if (indexOf(cols, "TRANSACTION_ID") < 0 && indexOf(cols, "Class") >= 0 && indexOf(cols, "Time") >= 0) {
            throw new IOException("this looks like the Kaggle creditcard.csv layout (Time, V1..V28, Amount, Class), "
                    + "not the handbook's: read it with format KAGGLE");
        }
        String layout = "the handbook layout needs TRANSACTION_ID, TX_DATETIME, CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, "
                + "TX_FRAUD";
        int id = col(cols, "TRANSACTION_ID", layout);
        int time = col(cols, "TX_DATETIME", layout);
        int customer = col(cols, "CUSTOMER_ID", layout);
        int terminal = col(cols, "TERMINAL_ID", layout);
        int amount = col(cols, "TX_AMOUNT", layout);
        int fraud = col(cols, "TX_FRAUD", layout);
        int scenario = indexOf(cols, "TX_FRAUD_SCENARIO");
        forEachCsvRow(r, cols.length, bad, (line, f) -> {
                long eventTime;
                try {
                    eventTime = LocalDateTime.parse(cell(f[time]), HANDBOOK_TIME).toInstant(ZoneOffset.UTC)
                            .toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new BadRowException("TX_DATETIME '" + abbreviate(f[time]) + "' is not yyyy-MM-dd HH:mm:ss");
                }
                String terminalId = cell(f[terminal]);
                if (terminalId.isEmpty()) {
                    throw new BadRowException("TERMINAL_ID is empty");
                }
                ObjectNode o = NODES.objectNode();
                o.put("transaction_id", cell(f[id]));
                o.put("account_id", cell(f[customer]));
                o.put("event_time", eventTime);
                o.put("amount", number(f[amount], "TX_AMOUNT"));
                o.put("terminal_id", terminalId);
                Transaction t = contract(parser, o);
                boolean isFraud = zeroOrOne(f[fraud], "TX_FRAUD");
                int sc = isFraud ? -1 : 0;
                if (scenario >= 0) {
                    try {
                        sc = Integer.parseInt(cell(f[scenario]));
                    } catch (NumberFormatException e) {
                        throw new BadRowException("TX_FRAUD_SCENARIO '" + abbreviate(f[scenario]) + "' is not an integer");
                    }
                }
                rows.add(new LabelledTransaction(t, isFraud, sc));
        });
    }

    private static void readKaggle(BufferedReader r, TransactionParser parser, List<LabelledTransaction> rows,
            List<Dataset.BadRow> bad) throws IOException {
        String header = r.readLine();
        if (header == null) {
            throw new IOException("empty file: expected the Kaggle header Time,V1,...,V28,Amount,Class");
        }
        String[] cols = splitHeader(header);
        String layout = "the Kaggle creditcard.csv layout needs Time, V1..V28, Amount, Class";
        int time = col(cols, "Time", layout);
        int amount = col(cols, "Amount", layout);
        int label = col(cols, "Class", layout);
        int[] components = new int[KAGGLE_COMPONENTS];
        for (int i = 0; i < KAGGLE_COMPONENTS; i++) {
            components[i] = col(cols, KAGGLE_ATTRIBUTE_NAMES[i], layout);
        }
        long epoch = KAGGLE_EPOCH.toEpochMilli();
        forEachCsvRow(r, cols.length, bad, (line, f) -> {
                double seconds = number(f[time], "Time");
                if (seconds < 0 || seconds > KAGGLE_MAX_TIME_SECONDS) {
                    throw new BadRowException("Time " + cell(f[time]) + " must be between 0 and "
                            + (long) KAGGLE_MAX_TIME_SECONDS + " seconds");
                }
                double[] v = new double[KAGGLE_COMPONENTS];
                for (int i = 0; i < KAGGLE_COMPONENTS; i++) {
                    v[i] = number(f[components[i]], KAGGLE_ATTRIBUTE_NAMES[i]);
                }
                String id = KAGGLE_ID_PREFIX + line;
                ObjectNode o = NODES.objectNode();
                o.put("transaction_id", id);
                o.put("account_id", id);
                o.put("event_time", epoch + Math.round(seconds * 1000));
                o.put("amount", number(f[amount], "Amount"));
                Transaction t = contract(parser, o);
                t.attributes = new ComponentMap(v);
                boolean isFraud = zeroOrOne(f[label], "Class");
                rows.add(new LabelledTransaction(t, isFraud, isFraud ? -1 : 0));
        });
    }

    /** One data row of a CSV file: its 1-based line number and cells. Throws {@link BadRowException} to reject it. */
    private interface CsvRow {
        void accept(long line, String[] cells) throws BadRowException;
    }

    /** Reads the rows after the header, skipping blank lines; a row of the wrong width or that the handler rejects is a bad row. */
    private static void forEachCsvRow(BufferedReader r, int columns, List<Dataset.BadRow> bad, CsvRow handler) throws IOException {
        long line = 1;
        String s;
        while ((s = r.readLine()) != null) {
            line++;
            if (s.isBlank()) {
                continue;
            }
            String[] f = s.split(",", -1);
            try {
                if (f.length != columns) {
                    throw new BadRowException("expected " + columns + " columns, found " + f.length);
                }
                handler.accept(line, f);
            } catch (BadRowException e) {
                bad.add(new Dataset.BadRow(line, e.getMessage()));
            }
        }
    }

    private static void readJsonLines(BufferedReader r, TransactionParser parser, List<LabelledTransaction> rows,
            List<Dataset.BadRow> bad) throws IOException {
        long line = 0;
        String s;
        while ((s = r.readLine()) != null) {
            line++;
            if (s.isBlank()) {
                continue;
            }
            try {
                JsonNode n;
                try {
                    n = MAPPER.readTree(s);
                } catch (JsonProcessingException e) {
                    String msg = e.getOriginalMessage();
                    throw new BadRowException(msg != null && msg.startsWith("Duplicate field")
                            ? "duplicate_field: " + msg : "not valid JSON: " + msg);
                }
                if (n == null || !n.isObject()) {
                    throw new BadRowException("not a JSON object");
                }
                Transaction t;
                try {
                    t = parser.fromTree(n, FILE_INGEST_TIME);
                } catch (InvalidTransactionException e) {
                    throw new BadRowException(e.reason().code() + ": " + e.getMessage());
                }
                t.ingestTime = t.eventTime;
                JsonNode label = n.get("is_fraud");
                if (label == null || label.isNull()) {
                    throw new BadRowException("missing label 'is_fraud' (true/false or 1/0)");
                }
                boolean isFraud;
                if (label.isBoolean()) {
                    isFraud = label.booleanValue();
                } else if (label.isIntegralNumber() && (label.asLong() == 0 || label.asLong() == 1)) {
                    isFraud = label.asLong() == 1;
                } else {
                    throw new BadRowException("label 'is_fraud' must be true/false or 1/0, got " + abbreviate(label.toString()));
                }
                JsonNode scenario = n.get("fraud_scenario");
                int sc = isFraud ? -1 : 0;
                if (scenario != null && !scenario.isNull()) {
                    if (!scenario.isIntegralNumber() || !scenario.canConvertToInt()) {
                        throw new BadRowException("'fraud_scenario' must be an integer, got "
                                + abbreviate(scenario.toString()));
                    }
                    sc = scenario.intValue();
                }
                rows.add(new LabelledTransaction(t, isFraud, sc));
            } catch (BadRowException e) {
                bad.add(new Dataset.BadRow(line, e.getMessage()));
            }
        }
    }

    /** Validates a row with the job's input contract; the file order is the ingest order. */
    private static Transaction contract(TransactionParser parser, ObjectNode o) throws BadRowException {
        try {
            Transaction t = parser.fromTree(o, FILE_INGEST_TIME);
            t.ingestTime = t.eventTime;
            return t;
        } catch (InvalidTransactionException e) {
            throw new BadRowException(e.reason().code() + ": " + e.getMessage());
        }
    }

    /** A cell without surrounding whitespace and double quotes. */
    private static String cell(String v) {
        String s = v.strip();
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
            s = s.substring(1, s.length() - 1).strip();
        }
        return s;
    }

    private static String[] splitHeader(String header) {
        String h = header.startsWith("\uFEFF") ? header.substring(1) : header; // a UTF-8 byte order mark
        String[] cols = h.split(",", -1);
        for (int i = 0; i < cols.length; i++) {
            cols[i] = cell(cols[i]);
        }
        return cols;
    }

    /**
     * A finite decimal number (digits, sign, point, exponent only: no NaN, Infinity, hex or type suffix, which
     * {@link Double#parseDouble} would take).
     */
    private static double number(String raw, String column) throws BadRowException {
        String v = cell(raw);
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
        }
        if (plain) {
            try {
                double d = Double.parseDouble(v);
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new BadRowException(column + " '" + abbreviate(raw) + "' is not a number");
    }

    private static boolean zeroOrOne(String raw, String column) throws BadRowException {
        switch (cell(raw).toLowerCase(Locale.ROOT)) {
            case "1", "true" -> {
                return true;
            }
            case "0", "false" -> {
                return false;
            }
            default -> throw new BadRowException(column + " must be 0 or 1, got '" + abbreviate(raw) + "'");
        }
    }

    private static int indexOf(String[] cols, String name) {
        for (int i = 0; i < cols.length; i++) {
            if (cols[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    private static int col(String[] cols, String name, String layout) throws IOException {
        int i = indexOf(cols, name);
        if (i < 0) {
            throw new IOException("column " + name + " missing from the header; " + layout);
        }
        return i;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /**
     * Kaggle's V1..V28 as an unmodifiable map, in that order, backed by one {@code double[]}: about 250 bytes a row
     * instead of about 2 KB for a TreeMap of boxed values (the full file has 284,807 rows).
     */
    private static final class ComponentMap extends AbstractMap<String, Double> {
        private final double[] values;

        ComponentMap(double[] values) {
            this.values = values;
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public Double get(Object key) {
            int i = index(key);
            return i < 0 ? null : values[i];
        }

        @Override
        public boolean containsKey(Object key) {
            return index(key) >= 0;
        }

        private int index(Object key) {
            if (key instanceof String k && k.length() >= 2 && k.charAt(0) == 'V') {
                try {
                    int i = Integer.parseInt(k, 1, k.length(), 10) - 1;
                    if (i >= 0 && i < values.length && KAGGLE_ATTRIBUTE_NAMES[i].equals(k)) {
                        return i;
                    }
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return -1;
        }

        @Override
        public Set<Entry<String, Double>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return values.length;
                }

                @Override
                public Iterator<Entry<String, Double>> iterator() {
                    return new Iterator<>() {
                        private int i;

                        @Override
                        public boolean hasNext() {
                            return i < values.length;
                        }

                        @Override
                        public Entry<String, Double> next() {
                            if (i >= values.length) {
                                throw new NoSuchElementException();
                            }
                            Entry<String, Double> e = new SimpleImmutableEntry<>(KAGGLE_ATTRIBUTE_NAMES[i], values[i]);
                            i++;
                            return e;
                        }
                    };
                }
            };
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
