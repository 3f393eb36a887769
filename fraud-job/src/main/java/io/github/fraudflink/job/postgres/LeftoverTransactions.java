package io.github.fraudflink.job.postgres;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

/**
 * Decides, when a writer subtask starts, which prepared transactions left in the database it rolls back. A pure
 * function of what it is given, so every case is a unit test.
 *
 * <ul>
 *   <li><b>Ownership.</b> Each leftover belongs to exactly one of the new subtasks: {@code subtask % parallelism}
 *       of the one that prepared it (after scaling down, the new subtask takes over the vanished ones).</li>
 *   <li><b>Restore from checkpoint or savepoint {@code c}.</b> A leftover labelled above {@code c} was prepared
 *       for a checkpoint after {@code c}, which this run will replay: it is rolled back. One labelled {@code c}
 *       or below belongs to {@code c} or earlier: the committer commits it from the restored state (and if it is
 *       not there, it is not this lineage's to touch); it is kept.</li>
 *   <li><b>Start without a checkpoint, leftovers of the same run</b> (an earlier attempt of this submission failed
 *       before its first checkpoint completed): no checkpoint of this run completed, so none covers them; rolled
 *       back.</li>
 *   <li><b>Start without a checkpoint, leftovers of another run</b> with this prefix: that job may have completed
 *       a checkpoint whose transaction it had not committed yet (cancelled right after it). Rolling back would
 *       lose rows that Kafka has. Refused with {@link RefusedException}, unless the operator said so
 *       ({@code rollbackForeign}), after checking that the other job is gone for good.</li>
 * </ul>
 */
public final class LeftoverTransactions {
    private LeftoverTransactions() {}

    /** A fresh start found transactions of another job that a completed checkpoint may cover. */
    public static final class RefusedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    /**
     * @param leftovers       the prepared transactions of this prefix found in the database
     * @param jobId           this run's id (see {@link PreparedTransactionName})
     * @param subtask         this writer's index
     * @param parallelism     the number of writer subtasks now
     * @param restored        the checkpoint this run restored from, if any
     * @param rollbackForeign whether a fresh start may roll back another job's transactions
     * @return the ones this subtask rolls back
     * @throws RefusedException when a fresh start finds another job's transactions and may not roll them back
     */
    public static List<PreparedTransactionName> toRollBack(Collection<PreparedTransactionName> leftovers, String jobId,
            int subtask, int parallelism, OptionalLong restored, boolean rollbackForeign) {
        if (parallelism < 1 || subtask < 0 || subtask >= parallelism) {
            throw new IllegalArgumentException("subtask " + subtask + " of " + parallelism);
        }
        List<PreparedTransactionName> mine = new ArrayList<>();
        List<PreparedTransactionName> foreign = new ArrayList<>();
        for (PreparedTransactionName t : leftovers) {
            if (t.subtask() % parallelism != subtask) {
                continue;
            }
            if (restored.isPresent()) {
                if (t.label() > restored.getAsLong()) {
                    mine.add(t);
                }
            } else if (t.jobId().equals(jobId) || rollbackForeign) {
                mine.add(t);
            } else {
                foreign.add(t);
            }
        }
        if (!foreign.isEmpty()) {
            throw new RefusedException("PostgreSQL holds " + foreign.size() + " prepared transaction(s) of an earlier job"
                    + " with the same prefix (e.g. " + foreign.get(0).gid() + "), and this job starts without a"
                    + " checkpoint: they may belong to a checkpoint that job completed. Restore that job from its latest"
                    + " checkpoint or savepoint (flink run -s ...) so they are committed; or, if it is gone for good and"
                    + " its last rows may be lost from PostgreSQL, start with fraud.postgres.rollback-foreign-leftovers=true"
                    + " (or roll them back with ROLLBACK PREPARED); or use another fraud.kafka.transactional-id-prefix");
        }
        return mine;
    }
}
