package io.github.fraudflink.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Optional;

/**
 * What the job stored, read back from PostgreSQL: one decision with its features, band, reasons and latest label; the
 * review queue (flagged decisions without a label yet, riskiest or newest first); an account's or a terminal's recent
 * decisions. Read-only: the job's exactly-once sinks are the only writers. Every query has a statement timeout.
 */
public final class DecisionStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "s.transaction_id, s.account_id, s.amount, s.currency, s.terminal_id,"
            + " s.merchant_id, s.event_time, s.ingest_time, s.scored_time, s.score, s.decision, s.threshold,"
            + " s.review_threshold, s.model, s.model_version, s.feature_schema, s.reasons, s.shadow_model,"
            + " s.shadow_version, s.shadow_score, s.shadow_decision, l.is_fraud, l.labelled_at, l.source";
    /** The label that holds (as the view fraud_labels_latest), by the table's primary key. */
    private static final String LATEST_LABEL = " LEFT JOIN LATERAL (SELECT is_fraud, labelled_at, source FROM fraud_labels f"
            + " WHERE f.account_id = s.account_id AND f.transaction_id = s.transaction_id"
            + " ORDER BY labelled_at DESC, is_fraud DESC LIMIT 1) l ON true";

    /** The order of the review queue. */
    public enum Order {
        RISK("s.score DESC, s.event_time DESC"), NEWEST("s.event_time DESC, s.score DESC");

        final String sql;

        Order(String sql) {
            this.sql = sql;
        }
    }

    private final HikariDataSource pool;
    private final int timeoutSeconds;

    public DecisionStore(String url, String user, String password, Duration queryTimeout) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(4);
        c.setMinimumIdle(0);
        c.setReadOnly(true);
        c.setPoolName("fraud-api");
        c.setConnectionTimeout(Math.max(250, queryTimeout.toMillis()));
        c.setInitializationFailTimeout(-1); // start even if the database is down: /health says so
        pool = new HikariDataSource(c);
        timeoutSeconds = (int) Math.max(1, queryTimeout.toSeconds());
    }

    /** One decision with its features and latest label, if stored. */
    public Optional<ObjectNode> decision(String account, String transactionId) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + ", s.features FROM scored_transactions s"
                     + LATEST_LABEL + " WHERE s.account_id = ? AND s.transaction_id = ?")) {
            st.setQueryTimeout(timeoutSeconds);
            st.setString(1, account);
            st.setString(2, transactionId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                ObjectNode o = row(rs);
                o.set("features", parse(rs.getString("features")));
                return Optional.of(o);
            }
        }
    }

    /** Flagged decisions (review or decline) without any label yet, in {@code order}, at most {@code limit}. */
    public ArrayNode reviewQueue(Order order, int limit) throws SQLException {
        return list("SELECT " + COLUMNS + " FROM scored_transactions s" + LATEST_LABEL
                + " WHERE s.decision <> 'approve' AND l.is_fraud IS NULL ORDER BY " + order.sql + " LIMIT ?", null, limit);
    }

    /** An account's latest decisions, newest first. */
    public ArrayNode account(String account, int limit) throws SQLException {
        return list("SELECT " + COLUMNS + " FROM scored_transactions s" + LATEST_LABEL
                + " WHERE s.account_id = ? ORDER BY s.event_time DESC LIMIT ?", account, limit);
    }

    /** A terminal's latest decisions (its terminal id, else its merchant id), newest first. */
    public ArrayNode terminal(String terminal, int limit) throws SQLException {
        return list("SELECT " + COLUMNS + " FROM scored_transactions s" + LATEST_LABEL
                + " WHERE s.terminal_id = ? ORDER BY s.event_time DESC LIMIT ?", terminal, limit);
    }

    /** Null when a trivial query answers within the deadline; otherwise why not. */
    public String problem() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(timeoutSeconds) ? null : "PostgreSQL did not answer within " + timeoutSeconds + " s";
        } catch (SQLException e) {
            return "PostgreSQL: " + e.getMessage();
        }
    }

    private ArrayNode list(String sql, String key, int limit) throws SQLException {
        ArrayNode out = JSON.createArrayNode();
        try (Connection c = pool.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
            st.setQueryTimeout(timeoutSeconds);
            int i = 1;
            if (key != null) {
                st.setString(i++, key);
            }
            st.setInt(i, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        return out;
    }

    private static ObjectNode row(ResultSet rs) throws SQLException {
        ObjectNode o = JSON.createObjectNode();
        o.put("transaction_id", rs.getString("transaction_id"));
        o.put("account_id", rs.getString("account_id"));
        o.put("amount", rs.getDouble("amount"));
        o.put("currency", rs.getString("currency"));
        o.put("terminal_id", rs.getString("terminal_id"));
        o.put("merchant_id", rs.getString("merchant_id"));
        o.put("event_time", iso(rs.getTimestamp("event_time")));
        o.put("ingest_time", iso(rs.getTimestamp("ingest_time")));
        o.put("scored_time", iso(rs.getTimestamp("scored_time")));
        o.put("score", rs.getDouble("score"));
        o.put("decision", rs.getString("decision"));
        o.put("threshold", rs.getDouble("threshold"));
        double review = rs.getDouble("review_threshold");
        if (rs.wasNull()) {
            o.putNull("review_threshold");
        } else {
            o.put("review_threshold", review);
        }
        o.put("model", rs.getString("model"));
        o.put("model_version", rs.getString("model_version"));
        o.put("feature_schema", rs.getString("feature_schema"));
        o.set("reasons", parse(rs.getString("reasons")));
        if (rs.getString("shadow_model") != null) {
            o.put("shadow_model", rs.getString("shadow_model"));
            o.put("shadow_version", rs.getString("shadow_version"));
            o.put("shadow_score", rs.getDouble("shadow_score"));
            o.put("shadow_decision", rs.getString("shadow_decision"));
        }
        boolean fraud = rs.getBoolean("is_fraud");
        if (rs.wasNull()) {
            o.putNull("label");
        } else {
            ObjectNode l = o.putObject("label");
            l.put("is_fraud", fraud);
            l.put("labelled_at", iso(rs.getTimestamp("labelled_at")));
            l.put("source", rs.getString("source"));
        }
        return o;
    }

    private static String iso(Timestamp t) {
        return t == null ? null : t.toInstant().toString();
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL returned JSON that does not parse: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
