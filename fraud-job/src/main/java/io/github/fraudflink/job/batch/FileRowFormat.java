package io.github.fraudflink.job.batch;

import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.data.FileRow;
import io.github.fraudflink.data.RowStream;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.RejectReason;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.job.records.ParsedRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * The rows of a transaction file (handbook or Kaggle CSV, or JSON lines) for Flink's file source, read with the same
 * readers as the trainer ({@link DatasetReader#rows}) and checked with the job's parser: a valid row becomes a
 * transaction whose {@link Transaction#ingestTime} is its line (the file order, which breaks ties of event time as a
 * replay of the file would), followed, when the file's labels are used, by its label, known {@code delay} after the
 * transaction (the handbook's assumption, as the trainer does); a rejected row becomes a dead letter with the line,
 * the reason and the row. One reader per file (not splittable: a CSV row may span lines); a {@code .gz} file is
 * gunzipped by the source.
 */
public final class FileRowFormat extends SimpleStreamFormat<ParsedRecord> {
    private static final long serialVersionUID = 1L;
    /** The {@code source} of the labels taken from the file's label column. */
    public static final String LABEL_SOURCE = "file";

    private final DatasetReader.Format format;
    private final TransactionParser parser;
    private final boolean fileLabels;
    private final long delayMillis;
    private final String fileName;

    /**
     * @param fileLabels whether the rows' labels are emitted (false when a labels file gives them)
     * @param delay when a row's label is known, after its transaction
     */
    public FileRowFormat(DatasetReader.Format format, TransactionParser parser, boolean fileLabels, Duration delay,
            String fileName) {
        this.format = format;
        this.parser = parser;
        this.fileLabels = fileLabels;
        this.delayMillis = delay.toMillis();
        this.fileName = fileName;
    }

    @Override
    public Reader<ParsedRecord> createReader(Configuration config, FSDataInputStream stream) throws IOException {
        RowStream rows = DatasetReader.rows(new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8),
                1 << 16), format, parser);
        return new Reader<>() {
            private ParsedRecord pendingLabel;

            @Override
            public ParsedRecord read() throws IOException {
                if (pendingLabel != null) {
                    ParsedRecord l = pendingLabel;
                    pendingLabel = null;
                    return l;
                }
                FileRow row = rows.next();
                if (row == null) {
                    return null;
                }
                if (row.isRejected()) {
                    return ParsedRecord.invalid(Rejects.deadLetter(fileName, row.line(), row.reason(), row.text()));
                }
                Transaction t = row.transaction();
                t.ingestTime = row.line();
                if (fileLabels && row.fraud() != null) {
                    long at = t.eventTime + delayMillis;
                    pendingLabel = ParsedRecord.label(Label.of(t, row.fraud(), at, at, LABEL_SOURCE));
                }
                return ParsedRecord.valid(t);
            }

            @Override
            public void close() throws IOException {
                rows.close();
                stream.close();
            }
        };
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }

    /** The reject code of a reader's reason: the contract's code when it starts with one, else {@code invalid_row}. */
    static String code(String reason) {
        int colon = reason.indexOf(':');
        if (colon > 0) {
            String head = reason.substring(0, colon);
            for (RejectReason r : RejectReason.values()) {
                if (r.code().equals(head)) {
                    return head;
                }
            }
        }
        return RejectReason.INVALID_ROW.code();
    }
}
