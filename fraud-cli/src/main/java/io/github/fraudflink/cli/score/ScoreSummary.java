package io.github.fraudflink.cli.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.data.FileRow;
import io.github.fraudflink.data.RowStream;
import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelParser;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.job.batch.ScoredRows;
import io.github.fraudflink.job.records.ScoredTransaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * What a batch scoring run wrote, counted from its files: rows scored, rejected, flagged (review or decline) and
 * declined, and, when the rows have labels (the input's label column, or the labels file's latest verdict per
 * transaction), precision and recall of the declines and of the flags.
 */
record ScoreSummary(long scored, long rejected, long reviewed, long declined, Quality quality) {

    /** Precision and recall over the rows with a label. */
    record Quality(long labelled, long frauds, long declinedFrauds, long flaggedFrauds) {
        double declinePrecision(long declined) {
            return declined == 0 ? Double.NaN : (double) declinedFrauds / declined;
        }

        double declineRecall() {
            return frauds == 0 ? Double.NaN : (double) declinedFrauds / frauds;
        }

        double flagPrecision(long flagged) {
            return flagged == 0 ? Double.NaN : (double) flaggedFrauds / flagged;
        }

        double flagRecall() {
            return frauds == 0 ? Double.NaN : (double) flaggedFrauds / frauds;
        }
    }

    long flagged() {
        return reviewed + declined;
    }

    /** The verdicts to measure against: by input line (the input's label column) or by transaction (a labels file). */
    interface Truth {
        /** The verdict of a scored row, or null when it has none. */
        Boolean of(long line, String account, String transaction);
    }

    /** The input's own label column, by line; null when the input has none. */
    static Truth fromInput(Path input, DatasetReader.Format format, TransactionParser parser) throws IOException {
        BitSet labelled = new BitSet();
        BitSet fraud = new BitSet();
        try (BufferedReader r = open(input); RowStream rows = DatasetReader.rows(r, format, parser)) {
            FileRow row;
            while ((row = rows.next()) != null) {
                if (!row.isRejected() && row.fraud() != null && row.line() <= Integer.MAX_VALUE) {
                    labelled.set((int) row.line());
                    fraud.set((int) row.line(), row.fraud());
                }
            }
        }
        if (labelled.isEmpty()) {
            return null;
        }
        return (line, account, transaction) -> line <= Integer.MAX_VALUE && labelled.get((int) line) ? fraud.get((int) line) : null;
    }

    /** A labels file's verdicts: per transaction, the one with the latest {@code labelled_at}. */
    static Truth fromLabels(Path labels, LabelParser parser) throws IOException {
        Map<String, Label> latest = new HashMap<>();
        try (BufferedReader r = open(labels)) {
            String s;
            while ((s = r.readLine()) != null) {
                if (s.isBlank()) {
                    continue;
                }
                try {
                    Label l = parser.parseFromFile(s.getBytes(StandardCharsets.UTF_8));
                    latest.merge(l.accountId + "\u0000" + l.transactionId, l, (a, b) -> b.labelledAt >= a.labelledAt ? b : a);
                } catch (InvalidTransactionException e) {
                    // in the rejects file already
                }
            }
        }
        return (line, account, transaction) -> {
            Label l = latest.get(account + "\u0000" + transaction);
            return l == null ? null : l.isFraud;
        };
    }

    /** Counts the scored file ({@code csv} or {@code jsonl}) and the rejects file, against {@code truth} when not null. */
    static ScoreSummary count(Path scored, String format, Path rejects, Truth truth) throws IOException {
        long n = 0;
        long reviewed = 0;
        long declined = 0;
        long labelled = 0;
        long frauds = 0;
        long declinedFrauds = 0;
        long flaggedFrauds = 0;
        try (Rows rows = "jsonl".equals(format) ? new JsonRows(scored) : new CsvRows(scored)) {
            while (rows.next()) {
                n++;
                boolean decline = ScoredTransaction.DECLINE.equals(rows.decision);
                boolean flag = decline || ScoredTransaction.REVIEW.equals(rows.decision);
                declined += decline ? 1 : 0;
                reviewed += flag && !decline ? 1 : 0;
                Boolean fraud = truth == null ? null : truth.of(rows.line, rows.account, rows.transaction);
                if (fraud != null) {
                    labelled++;
                    if (fraud) {
                        frauds++;
                        declinedFrauds += decline ? 1 : 0;
                        flaggedFrauds += flag ? 1 : 0;
                    }
                }
            }
        }
        long rejected;
        try (var lines = Files.lines(rejects)) {
            rejected = lines.count();
        }
        Quality q = truth == null || labelled == 0 ? null : new Quality(labelled, frauds, declinedFrauds, flaggedFrauds);
        return new ScoreSummary(n, rejected, reviewed, declined, q);
    }

    static BufferedReader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** The fields of a scored file the summary reads. */
    private abstract static class Rows implements java.io.Closeable {
        long line;
        String account;
        String transaction;
        String decision;

        abstract boolean next() throws IOException;
    }

    private static final class CsvRows extends Rows {
        private static final int LINE = ScoredRows.COLUMNS.indexOf("line");
        private static final int ACCOUNT = ScoredRows.COLUMNS.indexOf("account_id");
        private static final int TRANSACTION = ScoredRows.COLUMNS.indexOf("transaction_id");
        private static final int DECISION = ScoredRows.COLUMNS.indexOf("decision");
        private final MappingIterator<String[]> it;

        CsvRows(Path file) throws IOException {
            it = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY).readerFor(String[].class).readValues(file.toFile());
            if (it.hasNext()) {
                it.next(); // the header
            }
        }

        @Override
        boolean next() {
            if (!it.hasNext()) {
                return false;
            }
            String[] f = it.next();
            line = Long.parseLong(f[LINE]);
            account = f[ACCOUNT];
            transaction = f[TRANSACTION];
            decision = f[DECISION];
            return true;
        }

        @Override
        public void close() throws IOException {
            it.close();
        }
    }

    private static final class JsonRows extends Rows {
        private static final ObjectMapper JSON = new ObjectMapper();
        private final BufferedReader in;

        JsonRows(Path file) throws IOException {
            in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        }

        @Override
        boolean next() throws IOException {
            String s = in.readLine();
            if (s == null) {
                return false;
            }
            JsonNode o = JSON.readTree(s);
            line = o.path("line").asLong();
            account = o.path("account_id").asText();
            transaction = o.path("transaction_id").asText();
            decision = o.path("decision").asText();
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
