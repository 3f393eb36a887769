package io.github.fraudflink.job.postgres;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * What {@link PostgresSink} writes: one table's insert statement and how a record binds to it. The sink is generic
 * over it, so a second table (labels) is written with the same exactly-once protocol.
 *
 * @param <T> the record type
 */
public interface PostgresTable<T> extends Serializable {
    /** The table's name, for messages. */
    String name();

    /**
     * The insert of one row. It must end in {@code ON CONFLICT (<identity columns>) DO NOTHING}: after a restore
     * from an older savepoint, rows are written again with the same values.
     */
    String insertSql();

    /** Binds {@code row} to the parameters of {@link #insertSql()}. */
    void bind(PreparedStatement insert, T row) throws SQLException;

    /** The row's identity (the table's primary key), as one string. */
    String identity(T row);

    /** Whether the job already knows {@code row} repeats one it sent before (then it is not written again). */
    default boolean isKnownRepeat(T row) {
        return false;
    }
}
