package io.github.fraudflink.data;

import io.github.fraudflink.features.TransactionParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * Imports labelled transaction files (plain or .gz) into {@link Dataset}s, validating every row against the job's
 * input contract ({@link TransactionParser}), so the trainer never learns from a row the job would dead-letter.
 *
 * <p>The entry point for every format: it opens the file (gunzipping a {@code .gz}), fingerprints its bytes, reports
 * progress, hands the text to the format's reader and sorts the result. One reader per {@link Format}:
 * <ul>
 *   <li>{@link Format#HANDBOOK}: the Fraud Detection Handbook's raw CSV layout ({@link HandbookCsvReader});</li>
 *   <li>{@link Format#KAGGLE}: the ULB credit-card CSV from Kaggle ({@link KaggleCsvReader}, which documents how
 *       rows without an account are keyed and timed);</li>
 *   <li>{@link Format#JSONL}: one input-schema transaction JSON per line ({@link JsonLinesReader}).</li>
 * </ul>
 * CSV is read as RFC 4180 ({@link CsvRecords}): a field may be quoted, and a quoted field may hold commas, doubled
 * quotes and line breaks; spaces around a field are ignored. A file whose quoting is broken (a quote never closed,
 * text after a closing quote) fails the import with the line of the row where it happens: past that point the rows
 * cannot be told apart.
 *
 * <p>Every row that cannot be imported, whatever the format, is reported in {@link Dataset#badRows()} with the
 * 1-based line number it starts on and a reason (wrong column count, unparsable date or number, label not 0/1, or
 * the contract's reject code such as {@code non_positive_amount}), never silently skipped. Blank lines are not rows.
 * The rows come out in event-time order (stable: file order within a timestamp), the order in which the job's
 * feature code sees them.
 */
public final class DatasetReader {
    /** The supported layouts. */
    public enum Format {
        HANDBOOK, JSONL, KAGGLE;

        /**
         * The format named by {@code name} (any case; {@code job}, the job's own input JSON, is {@code jsonl} with the
         * label optional), or, when null, JSONL for a {@code .jsonl} file, else HANDBOOK.
         */
        public static Format of(String name, Path file) {
            if ("job".equalsIgnoreCase(name)) {
                return JSONL;
            }
            if (name != null) {
                try {
                    return valueOf(name.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("format '" + name + "' is not one of handbook, jsonl (or job), kaggle");
                }
            }
            return file.getFileName().toString().contains(".jsonl") ? JSONL : HANDBOOK;
        }

        /** The reader of this layout. */
        FormatReader reader() {
            return switch (this) {
                case HANDBOOK -> new HandbookCsvReader();
                case JSONL -> new JsonLinesReader();
                case KAGGLE -> new KaggleCsvReader();
            };
        }
    }

    /** The event time of Kaggle's {@code Time = 0}: a documented, arbitrary origin (see {@link KaggleCsvReader}). */
    public static final Instant KAGGLE_EPOCH = Instant.parse("2013-09-02T00:00:00Z");
    /** Prefix of the account and transaction id of a Kaggle row, followed by its line number. */
    public static final String KAGGLE_ID_PREFIX = "kaggle-";

    private DatasetReader() {}

    /**
     * The rows of a file's text one at a time, in file order (not sorted), each checked with {@code parser}: for
     * scoring a file of any size. Labels are optional (null where the file has no label column).
     *
     * @throws IOException when the text has no header or misses a required column
     */
    public static RowStream rows(Reader text, Format format, TransactionParser parser) throws IOException {
        return format.reader().open(text, parser, false);
    }

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
        try (InputStream raw = new CountingStream(Files.newInputStream(file), progress);
                DigestInputStream digest = new DigestInputStream(raw, sha);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(digest, 1 << 16) : digest;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            try (RowStream stream = format.reader().open(r, new TransactionParser(), true)) {
                FileRow row;
                while ((row = stream.next()) != null) {
                    if (row.isRejected()) {
                        bad.add(new Dataset.BadRow(row.line(), row.reason()));
                    } else {
                        rows.add(new LabelledTransaction(row.transaction(), row.fraud(), row.scenario()));
                    }
                }
            }
            while (digest.read() >= 0) {
                // hash the whole file, also past the last row read
            }
        }
        rows.sort(Comparator.comparingLong(lt -> lt.tx().eventTime)); // stable: file order within a timestamp
        return new Dataset(rows, bad, HexFormat.of().formatHex(sha.digest()));
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
