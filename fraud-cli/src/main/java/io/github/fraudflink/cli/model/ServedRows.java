package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.trainer.FeatureTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Labelled training rows from what the job served: the transactions of {@code scored_transactions} in an event-time
 * window, with the features exactly as the model saw them ({@code features}), each with the label that held at a
 * cut-off (of the labels received by then, the latest; at the same {@code labelled_at}, fraud, as in
 * {@code fraud_labels_latest}). Transactions without a label by then are left out. Rows in event-time order, then
 * account and transaction id (byte order), so two reads give the same table.
 *
 * @param hash sha256 of the rows' identities and labels, in order
 */
record ServedRows(FeatureTable table, String hash) {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String QUERY = "SELECT s.account_id, s.transaction_id, s.event_time, s.features::text,"
            + " s.feature_schema, l.is_fraud"
            + " FROM scored_transactions s CROSS JOIN LATERAL ("
            + "  SELECT f.is_fraud FROM fraud_labels f"
            + "  WHERE f.account_id = s.account_id AND f.transaction_id = s.transaction_id AND f.labelled_at <= ?"
            + "  ORDER BY f.labelled_at DESC, f.is_fraud DESC LIMIT 1) l"
            + " WHERE s.event_time >= ? AND s.event_time < ?"
            + " ORDER BY s.event_time, s.account_id COLLATE \"C\", s.transaction_id COLLATE \"C\"";

    static ServedRows read(Connection c, FeatureCatalog.FeatureSet set, Instant from, Instant to, Instant labelsKnownBy)
            throws Exception {
        List<double[]> features = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        List<String> accounts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        c.setAutoCommit(false); // a cursor: the rows stream instead of arriving at once
        try (PreparedStatement q = c.prepareStatement(QUERY)) {
            q.setFetchSize(10_000);
            q.setTimestamp(1, Timestamp.from(labelsKnownBy));
            q.setTimestamp(2, Timestamp.from(from));
            q.setTimestamp(3, Timestamp.from(to));
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    String account = r.getString(1);
                    String id = r.getString(2);
                    JsonNode served = JSON.readTree(r.getString(4));
                    double[] row = new double[set.size()];
                    for (int j = 0; j < row.length; j++) {
                        String name = set.names().get(j);
                        JsonNode v = served.get(name);
                        if (v == null) {
                            throw new IllegalArgumentException("transaction " + id + " of account " + account + " was"
                                    + " served with feature schema " + r.getString(5) + ", which has no feature '" + name
                                    + "' of " + set.id() + ": retrain with --features of what the job served, or on a"
                                    + " window the job served " + set.id() + " in");
                        }
                        row[j] = v.isNull() ? Double.NaN : v.doubleValue();
                    }
                    boolean fraud = r.getBoolean(6);
                    features.add(row);
                    labels.add(fraud);
                    times.add(r.getTimestamp(3).getTime());
                    accounts.add(account);
                    ids.add(id);
                    sha.update((account + '\t' + id + '\t' + fraud + '\n').getBytes(StandardCharsets.UTF_8));
                }
            }
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
        int n = features.size();
        boolean[] y = new boolean[n];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.get(i);
            t[i] = times.get(i);
        }
        return new ServedRows(FeatureTable.of(set, features.toArray(new double[0][]), y, t,
                accounts.toArray(new String[0]), ids.toArray(new String[0])), HexFormat.of().formatHex(sha.digest()));
    }

    /** Labels received after {@code after} and by {@code by} (the retraining trigger). */
    static long labelsBetween(Connection c, Instant after, Instant by) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM fraud_labels WHERE labelled_at > ?"
                + " AND labelled_at <= ?")) {
            q.setTimestamp(1, Timestamp.from(after));
            q.setTimestamp(2, Timestamp.from(by));
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
