package io.github.fraudflink.job.batch;

import io.github.fraudflink.features.DoubleText;
import io.github.fraudflink.features.IsoTime;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.Explanation;
import io.github.fraudflink.job.records.ScoredTransaction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The scored file of batch scoring, as CSV or JSON lines. CSV: a header, then per scored transaction {@link #COLUMNS}
 * and the model's features by name (exact: the shortest text that reads back as the same double); reasons as
 * {@code feature=contribution} joined by {@code ;}. JSON lines: {@link ScoredTransactionJson#writeFileRow}, the
 * scored-transactions topic's JSON with {@code line}.
 */
public final class ScoredRows {
    /** The CSV columns before the features. */
    public static final List<String> COLUMNS = List.of("line", "transaction_id", "account_id", "terminal_id",
            "event_time", "score", "decision", "model", "model_version", "reasons");

    private ScoredRows() {}

    /** The encoder of {@code format} ({@code csv} or {@code jsonl}). */
    public static SingleFileSink.Encoder<ScoredTransaction> encoder(String format) {
        return "jsonl".equals(format) ? new Json() : new Csv();
    }

    /** CSV rows. */
    static final class Csv implements SingleFileSink.Encoder<ScoredTransaction> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] header(ScoredTransaction first) {
            StringBuilder b = new StringBuilder(String.join(",", COLUMNS));
            if (first != null) {
                for (String name : first.featureNames) {
                    b.append(',');
                    quoted(b, name);
                }
            }
            return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void encode(ScoredTransaction s, OutputStream out) throws IOException {
            StringBuilder b = new StringBuilder(256);
            b.append(s.ingestTime).append(',');
            quoted(b, s.transactionId).append(',');
            quoted(b, s.accountId).append(',');
            quoted(b, s.terminalId != null ? s.terminalId : s.merchantId).append(',');
            b.append(IsoTime.format(s.eventTime)).append(',');
            b.append(s.score).append(',');
            b.append(s.decision).append(',');
            quoted(b, s.model).append(',');
            quoted(b, s.modelVersion).append(',');
            quoted(b, reasons(s.reasons));
            for (double v : s.features) {
                b.append(',');
                DoubleText.append(b, v);
            }
            out.write(b.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        }

        private static String reasons(Explanation e) {
            if (e == null) {
                return null;
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < e.features.length; i++) {
                if (i > 0) {
                    b.append(';');
                }
                b.append(e.features[i]).append('=').append(e.contributions[i]);
            }
            return b.toString();
        }

        /** A CSV field, quoted when RFC 4180 needs it; nothing for null. */
        static StringBuilder quoted(StringBuilder b, String v) {
            if (v == null) {
                return b;
            }
            boolean quote = false;
            for (int i = 0; i < v.length() && !quote; i++) {
                char c = v.charAt(i);
                quote = c == ',' || c == '"' || c == '\n' || c == '\r';
            }
            if (!quote) {
                return b.append(v);
            }
            return b.append('"').append(v.replace("\"", "\"\"")).append('"');
        }
    }

    /** JSON lines. */
    static final class Json implements SingleFileSink.Encoder<ScoredTransaction> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] header(ScoredTransaction first) {
            return null;
        }

        @Override
        public void encode(ScoredTransaction s, OutputStream out) throws IOException {
            out.write(ScoredTransactionJson.writeFileRow(s));
            out.write('\n');
        }
    }
}
