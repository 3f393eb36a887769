package io.github.fraudflink.job;

import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.sql.SchemaMigrator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes scored transactions into PostgreSQL table {@code scored_transactions} exactly once, with PostgreSQL's
 * own two-phase commit tied to Flink checkpoints:
 *
 * <ul>
 *   <li>each writer subtask keeps one connection with one open transaction and adds rows to it in JDBC
 *       batches of {@code batchSize} ({@code INSERT ... ON CONFLICT (transaction_id) DO UPDATE SET duplicate = true});</li>
 *   <li>at a checkpoint barrier it runs {@code PREPARE TRANSACTION '<prefix>:<subtask>:<n>'} and hands the
 *       id to the committer (the id is part of the checkpoint);</li>
 *   <li>when the checkpoint completes, the committer runs {@code COMMIT PREPARED}; after a restore it commits the
 *       restored ids again ("does not exist" means it already did);</li>
 *   <li>on start, each writer rolls back the prepared transactions of its own subtask that no completed checkpoint
 *       covers (those with {@code n} above the restored checkpoint id): they would hold row locks and replay the
 *       same rows.</li>
 * </ul>
 *
 * <p>Rows the job marks {@code duplicate} (a repeated transaction_id it recognised) are not written: the table
 * holds the first occurrence. Writing them would make the writer wait on the row lock of the first occurrence's
 * transaction while that is prepared but not yet committed, which only the same task thread can commit. A
 * conflict that does happen (a repeat the job could not recognise) keeps the first row and sets its
 * {@code duplicate} column. Each session has a {@code lock_timeout}, so a lock wait that cannot end (an id reused
 * by two accounts within one checkpoint) fails the job over instead of hanging it.
 *
 * <p>The server needs {@code max_prepared_transactions} &gt; 0 (about parallelism × 2 per job). A job that is
 * cancelled leaves the prepared transaction of its last, uncompleted checkpoint; the next start with the same
 * prefix rolls it back, or {@link #rollbackPrepared} does (the demo calls it).
 *
 * <p>The password is read from {@value SchemaMigrator#PASSWORD_ENV} where the writer runs (each task
 * manager), so it is never part of the job graph.
 */
public final class PostgresSink implements Sink<ScoredTransaction>,
        SupportsWriterState<ScoredTransaction, Long>, SupportsCommitter<String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSink.class);
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    static final String INSERT = "INSERT INTO " + SchemaMigrator.SCORED_TABLE + " (transaction_id, account_id, amount, currency,"
            + " terminal_id, merchant_id, event_time, ingest_time, scored_time, features, feature_schema, score, decision,"
            + " threshold, model, model_version, shadow_model, shadow_version, shadow_score, duplicate)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, false)"
            + " ON CONFLICT (transaction_id) DO UPDATE SET duplicate = true";

    private final String url;
    private final String user;
    private final String prefix;
    private final int batchSize;
    private final long lockTimeoutMs;

    /**
     * @param prefix    names this job's prepared transactions; unique per job on a database, like a Kafka
     *                  transactional id prefix
     * @param batchSize rows per JDBC batch
     */
    public PostgresSink(String url, String user, String prefix, int batchSize, Duration lockTimeout) {
        this.url = SchemaMigrator.checkUrl(url);
        this.user = user;
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("transaction prefix must match " + PREFIX + ": " + prefix);
        }
        this.prefix = prefix;
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        this.batchSize = batchSize;
        this.lockTimeoutMs = lockTimeout.toMillis();
    }

    @Override
    public Writer createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public Writer restoreWriter(WriterInitContext context, Collection<Long> recoveredState) throws IOException {
        return new Writer(this, context);
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return new LongSerializer();
    }

    @Override
    public Committer<String> createCommitter(CommitterInitContext context) {
        return new PreparedCommitter(this);
    }

    @Override
    public SimpleVersionedSerializer<String> getCommittableSerializer() {
        return new StringSerializer();
    }

    /** Opens a session as the configured user, password from the environment, autocommit on. */
    static Connection connect(String url, String user, long lockTimeoutMs) throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        String password = SchemaMigrator.passwordFromEnvironment();
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", "fraud-scoring");
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
    static void checkPreparedTransactions(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW max_prepared_transactions")) {
            r.next();
            if (r.getInt(1) <= 0) {
                throw new SQLException("PostgreSQL has max_prepared_transactions = 0, so the exactly-once sink cannot"
                        + " prepare transactions; set it to at least 2 x the job's parallelism (postgresql.conf or"
                        + " ALTER SYSTEM) and restart the server");
            }
        }
    }

    /** Checks, before the job is submitted, that the server is reachable and can prepare transactions. */
    public void checkServer() throws SQLException {
        try (Connection c = connect(url, user, lockTimeoutMs)) {
            checkPreparedTransactions(c);
        }
    }

    /**
     * Rolls back every prepared transaction of a job with this prefix that is still pending, after the job is
     * gone for good (a cancelled job that will not be restored). Returns how many.
     */
    public static int rollbackPrepared(String url, String user, String prefix) throws SQLException {
        int n = 0;
        try (Connection c = connect(url, user, 10_000)) {
            for (String gid : preparedWithPrefix(c, prefix)) {
                rollback(c, gid);
                n++;
            }
        }
        return n;
    }

    private static List<String> preparedWithPrefix(Connection c, String prefix) throws SQLException {
        List<String> gids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, ?)")) {
            s.setString(1, prefix + ":");
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    gids.add(r.getString(1));
                }
            }
        }
        return gids;
    }

    private static void rollback(Connection c, String gid) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK PREPARED '" + gid + "'");
        } catch (SQLException e) {
            if (!"42704".equals(e.getSQLState())) { // undefined_object: someone else ended it meanwhile
                throw e;
            }
        }
    }

    /** The JSON object of the named features, in schema order; a non-finite value (not JSON) becomes null. */
    static String featuresJson(double[] features) {
        StringBuilder b = new StringBuilder(32 * features.length);
        b.append('{');
        for (int i = 0; i < features.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('"').append(FeatureSchema.NAMES.get(i)).append("\":");
            double v = features[i];
            b.append(Double.isFinite(v) ? Double.toString(v) : "null");
        }
        return b.append('}').toString();
    }

    private static OffsetDateTime utc(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }

    /** One subtask's open transaction: batched inserts, prepared at each checkpoint barrier. */
    static final class Writer implements StatefulSinkWriter<ScoredTransaction, Long>,
            CommittingSinkWriter<ScoredTransaction, String> {
        private final PostgresSink sink;
        private final int subtask;
        private final Connection connection;
        private final PreparedStatement insert;
        private final Counter sent;
        private long lastCheckpointId;
        private long lastLabel;
        private int batched;
        private long rowsInTransaction;
        private long rowsTotal;
        private long skippedDuplicates;
        private long dbNanos;

        Writer(PostgresSink sink, WriterInitContext context) throws IOException {
            this.sink = sink;
            this.subtask = context.getTaskInfo().getIndexOfThisSubtask();
            int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
            this.lastCheckpointId = context.getRestoredCheckpointId().orElse(0L);
            this.sent = context.metricGroup().getNumRecordsSendCounter();
            Connection c = null;
            try {
                c = connect(sink.url, sink.user, sink.lockTimeoutMs);
                checkPreparedTransactions(c);
                int rolledBack = rollbackOrphans(c, parallelism);
                if (rolledBack > 0) {
                    LOG.info("subtask {}: rolled back {} prepared transactions that no completed checkpoint covers"
                            + " (after checkpoint {})", subtask, rolledBack, lastCheckpointId);
                }
                c.setAutoCommit(false);
                this.insert = c.prepareStatement(INSERT);
                this.connection = c;
            } catch (SQLException e) {
                closeQuietly(c);
                throw new IOException("cannot open the PostgreSQL sink at " + sink.url + ": " + e.getMessage(), e);
            }
        }

        /**
         * Prepared transactions of this job whose subtask maps to this one (itself, or a subtask index that no
         * longer exists after scaling down) and whose label is above the restored checkpoint: left by an attempt
         * that failed before the checkpoint that would have committed them completed.
         */
        private int rollbackOrphans(Connection c, int parallelism) throws SQLException {
            int n = 0;
            for (String gid : preparedWithPrefix(c, sink.prefix)) {
                String[] parts = gid.substring(sink.prefix.length() + 1).split(":");
                if (parts.length != 2) {
                    continue;
                }
                int owner = Integer.parseInt(parts[0]);
                long label = Long.parseLong(parts[1]);
                if (owner % parallelism == subtask && label > lastCheckpointId) {
                    rollback(c, gid);
                    n++;
                }
            }
            return n;
        }

        @Override
        public void write(ScoredTransaction s, Context context) throws IOException {
            if (s.duplicate) {
                skippedDuplicates++;
                return;
            }
            try {
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
                insert.setString(i++, featuresJson(s.features));
                insert.setString(i++, FeatureSchema.ID);
                insert.setDouble(i++, s.score);
                insert.setString(i++, s.decision);
                insert.setDouble(i++, s.threshold);
                insert.setString(i++, s.model);
                insert.setString(i++, s.modelVersion);
                insert.setString(i++, s.shadowModel);
                insert.setString(i++, s.shadowVersion);
                if (s.shadowScore == null) {
                    insert.setNull(i++, Types.DOUBLE);
                } else {
                    insert.setDouble(i++, s.shadowScore);
                }
                insert.addBatch();
            } catch (SQLException e) {
                throw new IOException("cannot bind the row of " + s.transactionId, e);
            }
            rowsInTransaction++;
            if (++batched >= sink.batchSize) {
                executeBatch();
            }
        }

        private void executeBatch() throws IOException {
            if (batched == 0) {
                return;
            }
            long t0 = System.nanoTime();
            try {
                insert.executeBatch();
            } catch (SQLException e) {
                SQLException cause = e.getNextException() != null ? e.getNextException() : e;
                throw new IOException("writing " + batched + " rows to PostgreSQL failed: " + cause.getMessage(), cause);
            } finally {
                dbNanos += System.nanoTime() - t0;
            }
            sent.inc(batched);
            rowsTotal += batched;
            batched = 0;
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            executeBatch();
        }

        @Override
        public Collection<String> prepareCommit() throws IOException {
            executeBatch();
            if (rowsInTransaction == 0) {
                return List.of(); // no statement ran, so no transaction is open
            }
            // a label above every checkpoint this subtask has snapshotted, and at most the one being taken
            long label = Math.max(lastCheckpointId, lastLabel) + 1;
            String gid = sink.prefix + ":" + subtask + ":" + label;
            long t0 = System.nanoTime();
            try (Statement s = connection.createStatement()) {
                s.execute("PREPARE TRANSACTION '" + gid + "'");
            } catch (SQLException e) {
                throw new IOException("PREPARE TRANSACTION " + gid + " failed: " + e.getMessage(), e);
            } finally {
                dbNanos += System.nanoTime() - t0;
            }
            lastLabel = label;
            rowsInTransaction = 0;
            return List.of(gid);
        }

        @Override
        public List<Long> snapshotState(long checkpointId) {
            lastCheckpointId = checkpointId;
            return List.of();
        }

        @Override
        public void close() throws Exception {
            LOG.info("postgres sink subtask {}: {} rows written ({} repeats skipped), {} ms in database calls{}",
                    subtask, rowsTotal, skippedDuplicates, dbNanos / 1_000_000,
                    dbNanos > 0 ? String.format(" (%.0f rows/s of database time)", rowsTotal / (dbNanos / 1e9)) : "");
            try {
                if (!connection.isClosed()) {
                    connection.rollback(); // the open, unprepared transaction; prepared ones belong to the committer
                }
            } catch (SQLException e) {
                LOG.debug("rollback on close failed", e);
            }
            closeQuietly(connection);
        }
    }

    /** Commits the prepared transactions of completed checkpoints. */
    static final class PreparedCommitter implements Committer<String> {
        private final PostgresSink sink;
        private Connection connection;

        PreparedCommitter(PostgresSink sink) {
            this.sink = sink;
        }

        @Override
        public void commit(Collection<CommitRequest<String>> requests) throws IOException {
            for (CommitRequest<String> r : requests) {
                String gid = r.getCommittable();
                try {
                    if (connection == null || connection.isClosed()) {
                        connection = connect(sink.url, sink.user, sink.lockTimeoutMs);
                    }
                    try (Statement s = connection.createStatement()) {
                        s.execute("COMMIT PREPARED '" + gid + "'");
                    }
                } catch (SQLException e) {
                    if ("42704".equals(e.getSQLState())) {
                        // no such prepared transaction: committed before a failure, committed again after restore
                        r.signalAlreadyCommitted();
                    } else if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                        closeQuietly(connection); // connection trouble: the transaction stays prepared; try again
                        connection = null;
                        LOG.warn("COMMIT PREPARED {} failed ({}); retrying", gid, e.getMessage());
                        r.retryLater();
                    } else {
                        r.signalFailedWithUnknownReason(new IOException("COMMIT PREPARED " + gid + " failed", e));
                    }
                }
            }
        }

        @Override
        public void close() {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("close failed", e);
            }
        }
    }

    /** The committable: a prepared transaction's id. */
    static final class StringSerializer implements SimpleVersionedSerializer<String> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(String gid) {
            return gid.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(int version, byte[] serialized) {
            return new String(serialized, StandardCharsets.UTF_8);
        }
    }

    /** The writer keeps no state of its own (an empty list); this only names a type for Flink. */
    static final class LongSerializer implements SimpleVersionedSerializer<Long> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long v) {
            return java.nio.ByteBuffer.allocate(8).putLong(v).array();
        }

        @Override
        public Long deserialize(int version, byte[] serialized) {
            return java.nio.ByteBuffer.wrap(serialized).getLong();
        }
    }
}
