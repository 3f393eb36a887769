package io.github.fraudflink.job.postgres;

import io.github.fraudflink.features.DoubleText;

import io.github.fraudflink.job.records.Explanation;
import io.github.fraudflink.job.records.ScoredTransaction;

import io.github.fraudflink.sql.SchemaMigrator;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The table {@code scored_transactions}: one row per (account_id, transaction_id), its first occurrence. */
public final class ScoredTransactionTable implements PostgresTable<ScoredTransaction> {
    private static final long serialVersionUID = 1L;

    static final String INSERT = "INSERT INTO " + SchemaMigrator.SCORED_TABLE + " (transaction_id, account_id, amount, currency,"
            + " terminal_id, merchant_id, event_time, ingest_time, scored_time, features, feature_schema, score, decision,"
            + " threshold, model, model_version, shadow_model, shadow_version, shadow_score, shadow_threshold,"
            + " review_threshold, reasons, shadow_review_threshold, shadow_decision, shadow_reasons)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb)"
            + " ON CONFLICT (account_id, transaction_id) DO NOTHING";

    @Override
    public String name() {
        return SchemaMigrator.SCORED_TABLE;
    }

    @Override
    public String insertSql() {
        return INSERT;
    }

    @Override
    public void bind(PreparedStatement insert, ScoredTransaction s) throws SQLException {
        int i = 1;
        insert.setString(i++, s.transactionId);
        insert.setString(i++, s.accountId);
        insert.setDouble(i++, s.amount);
        insert.setString(i++, s.currency);
        insert.setString(i++, s.terminalId);
        insert.setString(i++, s.merchantId);
        insert.setObject(i++, utc(s.eventTime));
        insert.setObject(i++, utc(s.ingestTime));
        insert.setObject(i++, utc(s.scoredTime));
        insert.setString(i++, featuresJson(s.featureNames, s.features));
        insert.setString(i++, s.featureSchema);
        insert.setDouble(i++, s.score);
        insert.setString(i++, s.decision);
        insert.setDouble(i++, s.threshold);
        insert.setString(i++, s.model);
        insert.setString(i++, s.modelVersion);
        insert.setString(i++, s.shadowModel);
        insert.setString(i++, s.shadowVersion);
        setDouble(insert, i++, s.shadowScore);
        setDouble(insert, i++, s.shadowThreshold);
        insert.setDouble(i++, s.reviewThreshold);
        insert.setString(i++, reasonsJson(s.reasons));
        setDouble(insert, i++, s.shadowReviewThreshold);
        insert.setString(i++, s.shadowDecision);
        insert.setString(i, reasonsJson(s.shadowReasons));
    }

    /** {@code [{"feature": ..., "value": ..., "contribution": ...}, ...]} as on the topic; null for no reasons. */
    static String reasonsJson(Explanation e) {
        if (e == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(64 * e.size());
        b.append('[');
        for (int i = 0; i < e.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"feature\":");
            string(b, e.features[i]);
            b.append(",\"value\":");
            number(b, e.values[i]);
            b.append(",\"contribution\":");
            number(b, e.contributions[i]);
            b.append('}');
        }
        return b.append(']').toString();
    }

    private static void number(StringBuilder b, double v) {
        if (Double.isFinite(v)) {
            DoubleText.append(b, v);
        } else {
            b.append("null");
        }
    }

    /** {@code s} as a JSON string, quoted and escaped. */
    private static void string(StringBuilder b, String s) {
        b.append('"');
        com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s, b);
        b.append('"');
    }

    private static void setDouble(PreparedStatement insert, int i, Double value) throws SQLException {
        if (value == null) {
            insert.setNull(i, Types.DOUBLE);
        } else {
            insert.setDouble(i, value);
        }
    }

    @Override
    public String identity(ScoredTransaction s) {
        return s.accountId + '\u0000' + s.transactionId; // NUL never occurs in an accepted identifier
    }

    /** A repeat the features stage recognised: the first occurrence is the row. */
    @Override
    public boolean isKnownRepeat(ScoredTransaction s) {
        return s.duplicate;
    }

    /**
     * The JSON object of the named features, in the model's order. The features stage gives finite values (tested on
     * generated input); a missing attribute ({@code attribute.<name>}, NaN) is written as null. Names are escaped: an
     * attribute feature's name is any attribute name the input contract accepts (quotes and backslashes included).
     */
    static String featuresJson(String[] names, double[] features) {
        StringBuilder b = new StringBuilder(32 * features.length);
        b.append('{');
        for (int i = 0; i < features.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, names[i]);
            b.append(':');
            number(b, features[i]);
        }
        return b.append('}').toString();
    }

    private static OffsetDateTime utc(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
