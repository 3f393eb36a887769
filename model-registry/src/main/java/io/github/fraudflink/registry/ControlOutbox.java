package io.github.fraudflink.registry;

import io.github.fraudflink.sql.SchemaMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends the registry's pending model-control events ({@code model_control_outbox}) to the control topic, oldest first,
 * and marks each once the broker acknowledged it. One sender at a time (a PostgreSQL advisory lock), so two commands
 * draining together cannot reorder a model's events on the topic.
 *
 * <p>At least once: a process that dies after the broker acknowledged an event and before it was marked sends it again
 * on the next drain. The job applies a repeated event as it applied the first (the same version again in the same role;
 * a repeated retirement is reported as {@code not_live} and changes nothing), so the registry and the job agree.
 */
public final class ControlOutbox {
    /** The advisory lock key of the publisher (an arbitrary constant: "fraudout" in ASCII). */
    static final long LOCK = 0x6672617564_6f7574L;
    private static final int BATCH = 100;

    private ControlOutbox() {}

    /** Where events go: the control topic ({@link ControlSender}); sends one and returns once it is stored. */
    public interface Sink {
        /** @param key the record's key ({@link Registry#recordKey}) */
        void send(String key, String event) throws Exception;
    }

    /** One pending event. */
    record Pending(long id, String key, String event) {}

    /**
     * Sends every pending event in id order; returns how many were sent. Waits up to {@code lockWaitMillis} for
     * another sender to finish. On a send failure, the events before it stay sent and the rest pending; the failure
     * is thrown.
     */
    public static int drain(Connection c, Sink sender, long lockWaitMillis) throws Exception {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("SET lock_timeout = " + Math.max(1, lockWaitMillis));
            try {
                s.execute("SELECT pg_advisory_lock(" + LOCK + ")");
            } catch (SQLException e) {
                if ("55P03".equals(e.getSQLState())) { // lock_not_available
                    throw new IllegalStateException("another ./fraud model command has been sending the control events"
                            + " for " + lockWaitMillis + " ms; the events stay in the outbox and the next command sends"
                            + " them", e);
                }
                throw e;
            } finally {
                s.execute("SET lock_timeout = 0");
            }
        }
        int sent = 0;
        try {
            while (true) {
                List<Pending> batch = pending(c);
                if (batch.isEmpty()) {
                    return sent;
                }
                for (Pending p : batch) {
                    sender.send(p.key(), p.event());
                    Faults.crashIf(Faults.AFTER_SEND);
                    try (PreparedStatement u = c.prepareStatement("UPDATE " + SchemaMigrator.CONTROL_OUTBOX_TABLE
                            + " SET published_at = now() WHERE id = ?")) {
                        u.setLong(1, p.id());
                        u.executeUpdate();
                    }
                    sent++;
                }
            }
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_unlock(" + LOCK + ")");
            }
        }
    }

    private static List<Pending> pending(Connection c) throws SQLException {
        List<Pending> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT id, record_key, event FROM " + SchemaMigrator.CONTROL_OUTBOX_TABLE
                + " WHERE published_at IS NULL ORDER BY id LIMIT " + BATCH); ResultSet r = q.executeQuery()) {
            while (r.next()) {
                out.add(new Pending(r.getLong(1), r.getString(2), r.getString(3)));
            }
        }
        return out;
    }
}
