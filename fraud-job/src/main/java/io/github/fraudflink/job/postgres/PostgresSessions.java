package io.github.fraudflink.job.postgres;

import io.github.fraudflink.sql.SchemaMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sessions with the database and the statements about prepared transactions that the writer, committer and tools share. */
public final class PostgresSessions {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSessions.class);

    private PostgresSessions() {}

    /** Opens a session as {@code user}, password from the environment, autocommit on, with a lock timeout. */
    public static Connection connect(String url, String user, long lockTimeoutMs) throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        String password = SchemaMigrator.passwordFromEnvironment();
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "fraud-scoring");
        p.setProperty("connectTimeout", "10");
        p.setProperty("tcpKeepAlive", "true");
        // a JDBC batch of inserts goes as multi-row INSERTs (ON CONFLICT kept): fewer round trips and statements;
        // update counts become "no info", which nothing here reads
        p.setProperty("reWriteBatchedInserts", "true");
        // the driver directly, not DriverManager: it does not see drivers in Flink's user-code class loader
        Connection c = new org.postgresql.Driver().connect(url, p);
        if (c == null) {
            throw new SQLException("not a PostgreSQL URL: " + url);
        }
        try (Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = " + lockTimeoutMs);
        }
        return c;
    }

    /** Fails with what to do when the server cannot prepare transactions. */
    public static void checkPreparedTransactions(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW max_prepared_transactions")) {
            r.next();
            if (r.getInt(1) <= 0) {
                throw new SQLException("PostgreSQL has max_prepared_transactions = 0, so the exactly-once sink cannot"
                        + " prepare transactions; set it to at least 2 x the job's parallelism (postgresql.conf or"
                        + " ALTER SYSTEM) and restart the server");
            }
        }
    }

    /** The prepared transactions of this database whose name parses as one of {@code prefix}. */
    public static List<PreparedTransactionName> prepared(Connection c, String prefix) throws SQLException {
        List<PreparedTransactionName> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, ?)")) {
            s.setString(1, prefix + ":");
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String gid = r.getString(1);
                    PreparedTransactionName.parse(prefix, gid).ifPresentOrElse(out::add,
                            () -> LOG.warn("prepared transaction {} starts with prefix {} but is not one of its names; left alone", gid, prefix));
                }
            }
        }
        return out;
    }

    /** Whether a prepared transaction of this name exists. */
    static boolean isPrepared(Connection c, String gid) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_prepared_xacts WHERE gid = ?")) {
            s.setString(1, gid);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** Rolls back one prepared transaction; "does not exist" (someone ended it meanwhile) is not an error. */
    public static void rollback(Connection c, PreparedTransactionName t) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK PREPARED '" + t.gid() + "'");
        } catch (SQLException e) {
            if (!UNDEFINED_OBJECT.equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /**
     * Rolls back every prepared transaction of {@code prefix}, for a job that is gone for good (a cancelled job
     * that will not be restored). Returns how many.
     */
    public static int rollbackAll(String url, String user, String prefix) throws SQLException {
        int n = 0;
        try (Connection c = connect(url, user, 10_000)) {
            for (PreparedTransactionName t : prepared(c, prefix)) {
                rollback(c, t);
                n++;
            }
        }
        return n;
    }

    /** SQLSTATE of "no such prepared transaction". */
    static final String UNDEFINED_OBJECT = "42704";

    /**
     * Whether an error means the session or the server went away (so a new session may succeed), as opposed to an
     * error in what was sent: connection exceptions (08), the server shutting down or starting (57P01..57P03).
     */
    static boolean isConnectionLoss(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                        || state.equals("57P03"))) {
                    return true;
                }
                if (s.getNextException() != null && s.getNextException() != s && isConnectionLoss(s.getNextException())) {
                    return true;
                }
            }
        }
        return false;
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("close failed", e);
            }
        }
    }
}
