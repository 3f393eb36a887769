package io.github.fraudflink.job.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer subtask of {@link PostgresSink}: keeps one session with one open transaction, adds rows to it in JDBC
 * batches, and at each checkpoint barrier writes the transaction's marker row and prepares it, handing its name to
 * the committer.
 *
 * <p><b>Losing the database.</b> The rows of the open transaction are kept in memory until it is prepared (at most
 * one checkpoint interval of rows). When the session or the server goes away, the writer opens a new session and
 * writes them again, retrying with a capped backoff for up to {@code retryTimeout}; only then does it fail (and the
 * job fail over). Prepared transactions survive a server crash, so an outage shorter than the timeout costs no
 * restart and no row. While it retries, the writer does not take new rows: the job waits for the database.
 *
 * <p><b>Repeats it cannot see.</b> A row whose identity is in one of this writer's transactions that is prepared but
 * not yet committed is not inserted again: the insert would wait for that transaction's row lock, and only a later
 * checkpoint of this very task commits it. The job marks repeats it recognises; this covers the older ones.
 */
final class PostgresWriter<T> implements StatefulSinkWriter<T, Long>, CommittingSinkWriter<T, String> {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresWriter.class);
    /**
     * How long a writer keeps its own markers: a restore from a savepoint older than this cannot tell its committed
     * transactions from lost ones (it reports them lost and fails); keep it above the savepoint retention.
     */
    static final String MARKER_RETENTION = "30 days";

    private final PostgresSink<T> sink;
    private final String jobId;
    private final int subtask;
    private final Counter sent;
    private final Counter reconnects;
    private Connection connection;
    private PreparedStatement insert;
    /** The server process of {@link #connection}. */
    private int backendPid;
    /** The rows of the open transaction, in order (written again after a reconnect). */
    private final List<T> openRows = new ArrayList<>();
    private final Set<String> openKeys = new HashSet<>();
    /** Identities of the rows of each prepared transaction not yet seen committed, by gid. */
    private final Map<String, Set<String>> pendingKeys = new LinkedHashMap<>();
    private long lastCheckpointId;
    private long lastLabel;
    private int batched;
    private long rowsTotal;
    private long knownRepeats;
    private long pendingRepeats;
    private long dbNanos;

    PostgresWriter(PostgresSink<T> sink, WriterInitContext context) throws IOException {
        this.sink = sink;
        this.jobId = sink.runId;
        this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        OptionalLong restored = context.getRestoredCheckpointId();
        this.lastCheckpointId = restored.orElse(0L);
        this.sent = context.metricGroup().getNumRecordsSendCounter();
        this.reconnects = context.metricGroup().counter("postgres_reconnects_total");
        Connection c = null;
        try {
            c = PostgresSessions.connect(sink.url, sink.user, sink.lockTimeoutMs);
            PostgresSessions.checkPreparedTransactions(c);
            List<PreparedTransactionName> rollBack = LeftoverTransactions.toRollBack(
                    PostgresSessions.prepared(c, sink.prefix), jobId, subtask, parallelism, restored,
                    sink.rollbackForeignLeftovers);
            for (PreparedTransactionName t : rollBack) {
                PostgresSessions.rollback(c, t);
            }
            if (!rollBack.isEmpty()) {
                LOG.info("{} subtask {}: rolled back {} prepared transactions that no completed checkpoint covers"
                        + " (restored from {}): {}", sink.table.name(), subtask, rollBack.size(),
                        restored.isPresent() ? "checkpoint " + restored.getAsLong() : "nothing", rollBack);
            }
            open(c);
        } catch (SQLException e) {
            PostgresSessions.closeQuietly(c);
            throw new IOException("cannot open the PostgreSQL sink of " + sink.table.name() + " at " + sink.url
                    + ": " + e.getMessage(), e);
        }
    }

    private void open(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            this.backendPid = r.getInt(1);
        }
        c.setAutoCommit(false);
        this.insert = c.prepareStatement(sink.table.insertSql());
        this.connection = c;
    }

    /**
     * Ends the server process of a lost session, if it is still there (a network failure can leave it idle in its
     * transaction, holding the locks of the rows about to be written again), and waits until it is gone.
     */
    private static void endOldSession(Connection c, int pid) throws SQLException {
        if (pid <= 0) {
            return;
        }
        try (PreparedStatement kill = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            kill.setInt(1, pid);
            kill.execute();
        }
        try (PreparedStatement alive = c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            alive.setInt(1, pid);
            for (int i = 0; i < 100; i++) {
                try (java.sql.ResultSet r = alive.executeQuery()) {
                    if (!r.next()) {
                        return;
                    }
                }
                try {
                    Thread.sleep(50); // the server ends the process asynchronously; polled, at most 5 s
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void write(T row, Context context) throws IOException {
        if (sink.table.isKnownRepeat(row)) {
            knownRepeats++;
            return;
        }
        String key = sink.table.identity(row);
        if (openKeys.contains(key) || isPending(key)) {
            pendingRepeats++;
            return;
        }
        openKeys.add(key);
        openRows.add(row);
        try {
            sink.table.bind(insert, row);
            insert.addBatch();
        } catch (SQLException e) {
            throw new IOException("cannot bind a row of " + sink.table.name() + ": " + e.getMessage(), e);
        }
        if (++batched >= sink.batchSize) {
            flushWithRetry();
        }
    }

    private boolean isPending(String key) {
        for (Set<String> keys : pendingKeys.values()) {
            if (keys.contains(key)) {
                return true;
            }
        }
        return false;
    }

    private void executeBatch() throws SQLException {
        if (batched == 0) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            insert.executeBatch();
        } catch (SQLException e) {
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            if (cause != e) {
                cause.addSuppressed(e);
            }
            throw cause;
        } finally {
            dbNanos += System.nanoTime() - t0;
        }
        sent.inc(batched);
        rowsTotal += batched;
        batched = 0;
    }

    private void flushWithRetry() throws IOException {
        try {
            executeBatch();
        } catch (SQLException e) {
            recover(e, "writing to " + sink.table.name(), null);
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        flushWithRetry();
    }

    @Override
    public Collection<String> prepareCommit() throws IOException {
        flushWithRetry();
        if (openRows.isEmpty()) {
            return List.of(); // no statement ran, so no transaction is open
        }
        // a label above every checkpoint this subtask has snapshotted, and at most the one being taken
        long label = Math.max(lastCheckpointId, lastLabel) + 1;
        PreparedTransactionName name = new PreparedTransactionName(sink.prefix, jobId, subtask, label);
        try {
            prepare(name);
        } catch (SQLException e) {
            recover(e, "PREPARE TRANSACTION " + name, name);
        }
        lastLabel = label;
        pendingKeys.put(name.gid(), Set.copyOf(openKeys));
        openKeys.clear();
        openRows.clear();
        forgetCommitted();
        return List.of(name.gid());
    }

    private void prepare(PreparedTransactionName name) throws SQLException {
        long t0 = System.nanoTime();
        try (PreparedStatement marker = connection.prepareStatement("INSERT INTO sink_transactions"
                + " (gid, prefix, subtask, label, row_count) VALUES (?, ?, ?, ?, ?)")) {
            marker.setString(1, name.gid());
            marker.setString(2, name.prefix());
            marker.setInt(3, name.subtask());
            marker.setLong(4, name.label());
            marker.setLong(5, openRows.size());
            marker.executeUpdate();
            if (name.label() % 100 == 0) {
                try (PreparedStatement old = connection.prepareStatement("DELETE FROM sink_transactions WHERE prefix = ?"
                        + " AND subtask = ? AND prepared_at < now() - interval '" + MARKER_RETENTION + "'")) {
                    old.setString(1, name.prefix());
                    old.setInt(2, name.subtask());
                    old.executeUpdate();
                }
            }
            try (Statement s = connection.createStatement()) {
                s.execute("PREPARE TRANSACTION '" + name.gid() + "'");
            }
        } finally {
            dbNanos += System.nanoTime() - t0;
        }
    }

    /** Drops the keys of this writer's transactions that are no longer prepared (the committer committed them). */
    private void forgetCommitted() {
        if (pendingKeys.size() <= 1) {
            return;
        }
        try {
            Set<String> stillPrepared = new HashSet<>();
            for (PreparedTransactionName t : PostgresSessions.prepared(connection, sink.prefix)) {
                stillPrepared.add(t.gid());
            }
            pendingKeys.keySet().removeIf(gid -> !stillPrepared.contains(gid));
        } catch (SQLException e) {
            LOG.debug("could not list prepared transactions; keeping their keys a checkpoint longer", e);
        }
    }

    /**
     * After {@code failure}: when it is a lost session or server, opens a new session (capped backoff, until the
     * retry timeout), writes the open transaction's rows again and, for a prepare, prepares it (unless the server had
     * prepared it and only the answer was lost). Anything else fails the writer.
     */
    private void recover(SQLException failure, String what, PreparedTransactionName preparing) throws IOException {
        if (!PostgresSessions.isConnectionLoss(failure)) {
            throw new IOException(what + " failed: " + failure.getMessage(), failure);
        }
        long deadline = System.nanoTime() + sink.retryTimeout.toNanos();
        long backoffMs = 100;
        SQLException last = failure;
        while (System.nanoTime() < deadline) {
            LOG.warn("{} subtask {}: {} lost the database ({}); reconnecting in {} ms", sink.table.name(), subtask, what,
                    last.getMessage(), backoffMs);
            sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 5_000);
            PostgresSessions.closeQuietly(connection);
            connection = null;
            batched = 0;
            try {
                int lost = backendPid;
                Connection c = PostgresSessions.connect(sink.url, sink.user, sink.lockTimeoutMs);
                endOldSession(c, lost);
                open(c);
                reconnects.inc();
                if (preparing != null && PostgresSessions.isPrepared(connection, preparing.gid())) {
                    connection.rollback(); // the read above opened a transaction; the prepared one is safe
                    LOG.info("{} subtask {}: {} had succeeded before the session was lost", sink.table.name(), subtask, what);
                    return;
                }
                for (T row : openRows) {
                    sink.table.bind(insert, row);
                    insert.addBatch();
                    batched++;
                }
                executeBatch();
                if (preparing != null) {
                    prepare(preparing);
                }
                LOG.info("{} subtask {}: reconnected; the open transaction's {} rows written again", sink.table.name(),
                        subtask, openRows.size());
                return;
            } catch (SQLException e) {
                if (!PostgresSessions.isConnectionLoss(e)) {
                    throw new IOException(what + " failed after reconnecting: " + e.getMessage(), e);
                }
                last = e;
            }
        }
        throw new IOException(what + " failed and the database did not come back within " + sink.retryTimeout
                + " (fraud.postgres.retry-timeout): " + last.getMessage(), last);
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the database", e);
        }
    }

    @Override
    public List<Long> snapshotState(long checkpointId) {
        lastCheckpointId = checkpointId;
        return List.of();
    }

    @Override
    public void close() throws Exception {
        LOG.info("{} subtask {}: {} rows written ({} known repeats and {} repeats of pending transactions skipped),"
                        + " {} ms in database calls{}", sink.table.name(), subtask, rowsTotal, knownRepeats, pendingRepeats,
                dbNanos / 1_000_000, dbNanos > 0 ? String.format(" (%.0f rows/s of database time)", rowsTotal / (dbNanos / 1e9)) : "");
        if (connection != null) {
            try {
                if (!connection.isClosed()) {
                    connection.rollback(); // the open, unprepared transaction; prepared ones belong to the committer
                }
            } catch (SQLException e) {
                LOG.debug("rollback on close failed", e);
            }
            PostgresSessions.closeQuietly(connection);
        }
    }
}
