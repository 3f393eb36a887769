package io.github.fraudflink.job.postgres;

import io.github.fraudflink.sql.SchemaMigrator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes records into one PostgreSQL table exactly once, with PostgreSQL's own two-phase commit tied to Flink
 * checkpoints. The parts, as in Flink's Kafka sink: {@link PostgresWriter} (one open transaction per subtask,
 * prepared at each barrier), {@link PostgresCommitter} (commits when the checkpoint completes, and again after a
 * restore), {@link PreparedTransactionName} (how transactions are named) and {@link LeftoverTransactions} (which
 * prepared transactions a starting writer rolls back). What is written is a {@link PostgresTable}.
 *
 * <p>The server needs {@code max_prepared_transactions} &gt; 0 (about parallelism × 2 per sink) and the schema of
 * the {@code sql-schema} module (its {@code sink_transactions} table holds a marker row per transaction). The
 * password is read from {@value SchemaMigrator#PASSWORD_ENV} where the writer runs (each task manager), so it is
 * never part of the job graph.
 *
 * @param <T> the record type
 */
public final class PostgresSink<T> implements Sink<T>, SupportsWriterState<T, Long>, SupportsCommitter<String> {
    private static final long serialVersionUID = 2L;

    final PostgresTable<T> table;
    final String url;
    final String user;
    final String prefix;
    final int batchSize;
    final long lockTimeoutMs;
    final Duration retryTimeout;
    final boolean rollbackForeignLeftovers;
    /** Names this submission's prepared transactions: drawn when the job is built (Flink's job id can repeat). */
    final String runId;

    /**
     * @param prefix                   names this sink's prepared transactions; unique per job lineage on a database,
     *                                 like a Kafka transactional id prefix
     * @param batchSize                rows per JDBC batch
     * @param lockTimeout              the longest a row-lock wait may last before the writer fails
     * @param retryTimeout             how long the writer keeps reconnecting to a lost database before it fails
     * @param rollbackForeignLeftovers whether a start without a checkpoint may roll back another job's prepared
     *                                 transactions of this prefix (see {@link LeftoverTransactions})
     */
    public PostgresSink(PostgresTable<T> table, String url, String user, String prefix, int batchSize,
            Duration lockTimeout, Duration retryTimeout, boolean rollbackForeignLeftovers) {
        this.table = table;
        this.url = SchemaMigrator.checkUrl(url);
        this.user = user;
        if (!PreparedTransactionName.PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("transaction prefix must match " + PreparedTransactionName.PREFIX + ": " + prefix);
        }
        this.prefix = prefix;
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        this.batchSize = batchSize;
        this.lockTimeoutMs = lockTimeout.toMillis();
        this.retryTimeout = retryTimeout;
        this.rollbackForeignLeftovers = rollbackForeignLeftovers;
        this.runId = java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextLong());
    }

    @Override
    public PostgresWriter<T> createWriter(WriterInitContext context) throws IOException {
        return new PostgresWriter<>(this, context);
    }

    @Override
    public PostgresWriter<T> restoreWriter(WriterInitContext context, Collection<Long> recoveredState) throws IOException {
        return new PostgresWriter<>(this, context);
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return new LongSerializer();
    }

    @Override
    public Committer<String> createCommitter(CommitterInitContext context) {
        return new PostgresCommitter(this);
    }

    @Override
    public SimpleVersionedSerializer<String> getCommittableSerializer() {
        return new StringSerializer();
    }

    /**
     * Checks, before the job is submitted, that the server is reachable and can prepare transactions, and, for a
     * start without a checkpoint, that no other job left prepared transactions with this prefix.
     */
    public void checkServer(boolean restoring) throws SQLException {
        try (Connection c = PostgresSessions.connect(url, user, lockTimeoutMs)) {
            PostgresSessions.checkPreparedTransactions(c);
            if (!restoring && !rollbackForeignLeftovers) {
                List<PreparedTransactionName> leftovers = PostgresSessions.prepared(c, prefix);
                if (!leftovers.isEmpty()) {
                    // this run's id matches none of them: the refusal the writers would give, before submission
                    LeftoverTransactions.toRollBack(leftovers, runId, 0, 1, java.util.OptionalLong.empty(), false);
                }
            }
        }
    }

    /** The committable: a prepared transaction's name. */
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
            return ByteBuffer.allocate(8).putLong(v).array();
        }

        @Override
        public Long deserialize(int version, byte[] serialized) {
            return ByteBuffer.wrap(serialized).getLong();
        }
    }
}
