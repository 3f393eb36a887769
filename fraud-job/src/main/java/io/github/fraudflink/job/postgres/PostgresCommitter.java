package io.github.fraudflink.job.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the prepared transactions of completed checkpoints ({@code COMMIT PREPARED}), again after a restore.
 *
 * <p>Failure classification: a lost session or server, or a transaction still busy, is retried with a capped backoff
 * for up to the sink's retry timeout (the transaction stays prepared, durable on the server), then handed back to
 * Flink to retry; "no such prepared transaction" is <em>already committed</em> when the transaction's marker row is
 * in {@code sink_transactions}, and <em>rolled back by someone else</em> when it is not, which loses rows that Kafka
 * has: that is logged as an error and fails the job, instead of passing for success. Anything else fails the job
 * too.
 */
final class PostgresCommitter implements Committer<String> {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCommitter.class);
    private final PostgresSink<?> sink;
    private Connection connection;

    PostgresCommitter(PostgresSink<?> sink) {
        this.sink = sink;
    }

    @Override
    public void commit(Collection<CommitRequest<String>> requests) throws IOException {
        for (CommitRequest<String> r : requests) {
            commitWithRetry(r);
        }
    }

    /**
     * {@code COMMIT PREPARED}, retried with a capped backoff for up to the sink's retry timeout while the database is
     * away or the transaction is still held by a session that is going away ({@value #BUSY}); then classified.
     */
    private void commitWithRetry(CommitRequest<String> r) throws IOException {
        String gid = r.getCommittable();
        long deadline = System.nanoTime() + sink.retryTimeout.toNanos();
        long backoffMs = 100;
        while (true) {
            try {
                if (connection == null || connection.isClosed()) {
                    connection = PostgresSessions.connect(sink.url, sink.user, sink.lockTimeoutMs);
                }
                try (Statement s = connection.createStatement()) {
                    s.execute("COMMIT PREPARED '" + gid + "'");
                }
                return;
            } catch (SQLException e) {
                boolean retryable = PostgresSessions.isConnectionLoss(e) || BUSY.equals(e.getSQLState());
                if (!retryable || System.nanoTime() > deadline) {
                    classify(r, gid, e);
                    return;
                }
                PostgresSessions.closeQuietly(connection); // the transaction stays prepared, durable on the server
                connection = null;
                LOG.warn("COMMIT PREPARED {} failed ({}); retrying in {} ms", gid, e.getMessage(), backoffMs);
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while committing " + gid, e);
            }
            backoffMs = Math.min(backoffMs * 2, 5_000);
        }
    }

    /** SQLSTATE of "prepared transaction is busy": the session that prepared it has not gone yet. */
    static final String BUSY = "55006";

    private void classify(CommitRequest<String> r, String gid, SQLException e) {
        if (PostgresSessions.UNDEFINED_OBJECT.equals(e.getSQLState())) {
            Boolean committed = markerExists(gid);
            if (committed == null) {
                LOG.warn("COMMIT PREPARED {}: no such transaction, and its marker cannot be read now; retrying", gid);
                r.retryLater();
            } else if (committed) {
                r.signalAlreadyCommitted(); // committed before a failure, committed again after the restore
            } else {
                IllegalStateException lost = new IllegalStateException("prepared transaction " + gid + " of "
                        + sink.table.name() + " was rolled back by someone else (no such prepared transaction, and its"
                        + " marker row is not in sink_transactions): the rows of that checkpoint are missing from"
                        + " PostgreSQL while Kafka has them. Find who ran ROLLBACK PREPARED (a cleanup script, or a job"
                        + " started with the same prefix and fraud.postgres.rollback-foreign-leftovers=true), then"
                        + " restore this job from a savepoint taken before that checkpoint to write them again");
                LOG.error("{}", lost.getMessage());
                // the unknown-reason path fails the job (the known-reason one would only count it and go on)
                r.signalFailedWithUnknownReason(lost);
            }
        } else if (PostgresSessions.isConnectionLoss(e) || BUSY.equals(e.getSQLState())) {
            PostgresSessions.closeQuietly(connection);
            connection = null;
            LOG.warn("COMMIT PREPARED {} still failing after {} ({}); handing it back to Flink to retry", gid,
                    sink.retryTimeout, e.getMessage());
            r.retryLater();
        } else {
            r.signalFailedWithUnknownReason(new IOException("COMMIT PREPARED " + gid + " failed: " + e.getMessage(), e));
        }
    }

    /** Whether the transaction's marker was committed; null when the database cannot be asked now. */
    private Boolean markerExists(String gid) {
        try {
            if (connection == null || connection.isClosed()) {
                connection = PostgresSessions.connect(sink.url, sink.user, sink.lockTimeoutMs);
            }
            try (PreparedStatement s = connection.prepareStatement("SELECT 1 FROM sink_transactions WHERE gid = ?")) {
                s.setString(1, gid);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next();
                }
            }
        } catch (SQLException e) {
            PostgresSessions.closeQuietly(connection);
            connection = null;
            return null;
        }
    }

    @Override
    public void close() {
        PostgresSessions.closeQuietly(connection);
    }
}
