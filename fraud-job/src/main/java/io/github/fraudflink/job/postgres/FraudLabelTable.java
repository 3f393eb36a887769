package io.github.fraudflink.job.postgres;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.sql.SchemaMigrator;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The table {@code fraud_labels}: every label received, for audit and for the live model quality views. One row per
 * (account_id, transaction_id, labelled_at, is_fraud); writing a label again is a no-op.
 */
public final class FraudLabelTable implements PostgresTable<Label> {
    private static final long serialVersionUID = 1L;

    static final String INSERT = "INSERT INTO " + SchemaMigrator.LABELS_TABLE + " (transaction_id, account_id, terminal_id,"
            + " event_time, is_fraud, labelled_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (account_id, transaction_id, labelled_at, is_fraud) DO NOTHING";

    @Override
    public String name() {
        return SchemaMigrator.LABELS_TABLE;
    }

    @Override
    public String insertSql() {
        return INSERT;
    }

    @Override
    public void bind(PreparedStatement insert, Label l) throws SQLException {
        insert.setString(1, l.transactionId);
        insert.setString(2, l.accountId);
        insert.setString(3, l.terminalId);
        insert.setObject(4, utc(l.eventTime));
        insert.setBoolean(5, l.isFraud);
        insert.setObject(6, utc(l.labelledAt));
        insert.setString(7, l.source);
    }

    @Override
    public String identity(Label l) {
        // NUL never occurs in an accepted identifier
        return l.accountId + '\u0000' + l.transactionId + '\u0000' + l.labelledAt + '\u0000' + l.isFraud;
    }

    private static OffsetDateTime utc(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
