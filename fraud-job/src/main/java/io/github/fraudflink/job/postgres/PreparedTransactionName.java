package io.github.fraudflink.job.postgres;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name (PostgreSQL {@code gid}) of one prepared transaction of an exactly-once sink:
 * {@code <prefix>:<run>:<subtask>:<label>}. The prefix names the sink of one job lineage (like a Kafka transactional
 * id prefix), the run the submission that prepared it (a random id drawn when the job is built: Flink's job id can
 * repeat across deployments), the subtask the writer, and the label orders the writer's transactions (it never
 * exceeds the id of the checkpoint the transaction belongs to).
 */
public record PreparedTransactionName(String prefix, String jobId, int subtask, long label) {
    // jobId: the run id (hex) of the submission, see above
    /** What a prefix may be made of: no ':' (the separator), nothing to quote in SQL. */
    public static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{1,32}");

    public PreparedTransactionName {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("transaction prefix must match " + PREFIX + ": " + prefix);
        }
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("run id must be lower-case hex: " + jobId);
        }
        if (subtask < 0 || label < 0) {
            throw new IllegalArgumentException("subtask and label must not be negative: " + subtask + ", " + label);
        }
    }

    /** The gid. */
    public String gid() {
        return prefix + ":" + jobId + ":" + subtask + ":" + label;
    }

    /** The name of a gid of this prefix, or empty for a gid of another prefix or in another format. */
    public static Optional<PreparedTransactionName> parse(String prefix, String gid) {
        if (!gid.startsWith(prefix + ":")) {
            return Optional.empty();
        }
        String[] parts = gid.substring(prefix.length() + 1).split(":", -1);
        if (parts.length != 3 || !JOB_ID.matcher(parts[0]).matches()) {
            return Optional.empty();
        }
        try {
            PreparedTransactionName n = new PreparedTransactionName(prefix, parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
            // only the canonical form: "+0" or "07" would name another transaction when written back
            return n.gid().equals(gid) ? Optional.of(n) : Optional.empty();
        } catch (IllegalArgumentException e) { // NumberFormatException included
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return gid();
    }
}
