package io.github.fraudflink.cli.drift;

import io.github.fraudflink.sql.SchemaMigrator;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the job served, read from its PostgreSQL database: which models scored in an event-time window (table
 * {@code scored_transactions}: the champion in {@code model}, {@code model_version}, {@code score}; the shadow in
 * {@code shadow_model}, {@code shadow_version}, {@code shadow_score}), their rows streamed through a cursor, and a
 * model's manifest URI from the registry ({@code model_versions}). Only reads; failures are translated into what is
 * wrong and what to do.
 */
final class ServedScores {
    static final String CHAMPION = "champion";
    static final String SHADOW = "shadow";
    /** Rows fetched per round trip: the cursor holds this many at a time, whatever the window's size. */
    static final int FETCH_SIZE = 10_000;

    private ServedScores() {}

    /** A model version and the rows it scored in the window. */
    record ModelRows(String model, String version, long rows) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %s (%,d rows)", model, version, rows);
        }
    }

    /** Where the registry says a version's manifest is, and its sha256. */
    record Registered(String manifestUri, String manifestSha256) {}

    /** A read-only connection; a server that cannot be reached is an error naming the URL and the fix. */
    static Connection connect(String url, String user) {
        SchemaMigrator.checkUrl(url);
        try {
            Connection c = SchemaMigrator.connect(url, user);
            c.setReadOnly(true);
            return c;
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            String fix;
            if (state.startsWith("28")) {
                fix = "check --postgres-user (" + user + ") and the password in " + SchemaMigrator.PASSWORD_ENV;
            } else if (state.equals("3D000")) {
                fix = "check the database name in --postgres-url: it should be the job's database";
            } else {
                fix = "is PostgreSQL running, and are the host and port in --postgres-url (or FRAUD_POSTGRES_URL) right?";
            }
            String cause = firstLine(e.getMessage());
            cause = cause.endsWith(".") ? cause.substring(0, cause.length() - 1) : cause;
            throw new IllegalStateException("cannot connect to PostgreSQL at " + url + " as " + user + ": " + cause
                    + "; " + fix, e);
        }
    }

    /** The models of {@code role} that scored rows with event time in [from, to), most rows first. */
    static List<ModelRows> models(Connection c, String role, Instant from, Instant to) throws SQLException {
        String sql = CHAMPION.equals(role)
                ? "SELECT model, model_version, count(*) FROM " + SchemaMigrator.SCORED_TABLE
                        + " WHERE event_time >= ? AND event_time < ? GROUP BY model, model_version"
                        + " ORDER BY 3 DESC, 1, 2"
                : "SELECT shadow_model, shadow_version, count(*) FROM " + SchemaMigrator.SCORED_TABLE
                        + " WHERE event_time >= ? AND event_time < ? AND shadow_model IS NOT NULL"
                        + " AND shadow_score IS NOT NULL GROUP BY shadow_model, shadow_version ORDER BY 3 DESC, 1, 2";
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setTimestamp(1, Timestamp.from(from));
            q.setTimestamp(2, Timestamp.from(to));
            List<ModelRows> out = new ArrayList<>();
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    out.add(new ModelRows(r.getString(1), r.getString(2), r.getLong(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw translated(e);
        }
    }

    /** What the table holds, as a hint with the fix: the first and last event time, or that it is empty. */
    static String heldEventTimes(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT min(event_time), max(event_time) FROM "
                + SchemaMigrator.SCORED_TABLE); ResultSet r = q.executeQuery()) {
            r.next();
            Timestamp first = r.getTimestamp(1);
            Timestamp last = r.getTimestamp(2);
            return first == null ? SchemaMigrator.SCORED_TABLE + " is empty: is --postgres-url the job's database,"
                    + " and has the job scored anything yet?"
                    : SchemaMigrator.SCORED_TABLE + " holds event times from " + first.toInstant() + " to "
                            + last.toInstant() + ": choose --from and --to (ISO-8601 instants, UTC) in that range";
        }
    }

    /**
     * The model to report on: {@code model} and {@code version} when given (null {@code version}: that model's version
     * with the most rows), else the one with the most rows.
     *
     * @param inWindow the models of the role that scored in the window, most rows first
     * @param held what the table holds, for the hint when the window is empty
     * @throws IllegalArgumentException the window has no rows of the role, or none of the model asked for
     */
    static ModelRows choose(List<ModelRows> inWindow, String role, String model, String version, Instant from,
            Instant to, Supplier<String> held) {
        String window = "[" + from + ", " + to + ")";
        if (inWindow.isEmpty()) {
            if (SHADOW.equals(role)) {
                throw new IllegalArgumentException("no transaction with event time in " + window + " was scored by a"
                        + " shadow model: report on the champion (--role champion), or choose a window when a shadow"
                        + " was live");
            }
            throw new IllegalArgumentException("no scored transactions with event time in " + window + "; "
                    + held.get());
        }
        if (model == null) {
            return inWindow.get(0);
        }
        for (ModelRows m : inWindow) {
            if (m.model().equals(model) && (version == null || m.version().equals(version))) {
                return m; // the most rows first: without a version, that model's busiest
            }
        }
        throw new IllegalArgumentException((version == null ? "model " + model : model + " " + version)
                + " scored no transactions as " + role + " with event time in " + window + "; the " + role + " models"
                + " there: " + inWindow.stream().map(ModelRows::toString).collect(Collectors.joining(", "))
                + " (check --model and --model-version, or the name and version in --manifest; leave them out for the"
                + " busiest)");
    }

    /** Where the registry records {@code model} {@code version}'s manifest; empty when it does not hold that version. */
    static Optional<Registered> registered(Connection c, String model, String version) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT manifest_uri, manifest_sha256 FROM "
                + SchemaMigrator.MODEL_VERSIONS_TABLE + " WHERE model = ? AND version = ?")) {
            q.setString(1, model);
            q.setString(2, version);
            try (ResultSet r = q.executeQuery()) {
                return r.next() ? Optional.of(new Registered(r.getString(1), r.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined table
                throw new IllegalArgumentException("the database has no model registry (table "
                        + SchemaMigrator.MODEL_VERSIONS_TABLE + ") to find " + model + " " + version + "'s manifest in;"
                        + " give --manifest with the model's manifest.json (path or URI)", e);
            }
            throw e;
        }
    }

    /**
     * Counts every row of {@code m} in the window into {@code tally}, streamed through a cursor ({@link #FETCH_SIZE}
     * rows at a time); {@code progress} gets each row. Returns the rows read.
     */
    static long read(Connection c, String role, ModelRows m, Instant from, Instant to, DriftTally tally,
            LongConsumer progress) throws SQLException, IOException {
        String sql = CHAMPION.equals(role)
                ? "SELECT features::text, score FROM " + SchemaMigrator.SCORED_TABLE
                        + " WHERE event_time >= ? AND event_time < ? AND model = ? AND model_version = ?"
                : "SELECT features::text, shadow_score FROM " + SchemaMigrator.SCORED_TABLE
                        + " WHERE event_time >= ? AND event_time < ? AND shadow_model = ? AND shadow_version = ?"
                        + " AND shadow_score IS NOT NULL";
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false); // a cursor: the rows stream instead of arriving at once
        long n = 0;
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setFetchSize(FETCH_SIZE);
            q.setTimestamp(1, Timestamp.from(from));
            q.setTimestamp(2, Timestamp.from(to));
            q.setString(3, m.model());
            q.setString(4, m.version());
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    tally.add(r.getString(1), r.getDouble(2));
                    progress.accept(++n);
                }
            }
        } catch (SQLException e) {
            throw translated(e);
        } finally {
            c.rollback(); // read only: nothing to keep
            c.setAutoCommit(auto);
        }
        return n;
    }

    private static SQLException translated(SQLException e) {
        if ("42P01".equals(e.getSQLState()) || "42703".equals(e.getSQLState())) { // undefined table or column
            throw new IllegalStateException("the database has no table " + SchemaMigrator.SCORED_TABLE + " of the"
                    + " current schema (" + firstLine(e.getMessage()) + "): is --postgres-url the job's database? The"
                    + " job creates and migrates it when it starts", e);
        }
        if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
            throw new IllegalStateException("lost the connection to PostgreSQL: " + firstLine(e.getMessage())
                    + "; is the server still running? Run the command again", e);
        }
        return e;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }
}
