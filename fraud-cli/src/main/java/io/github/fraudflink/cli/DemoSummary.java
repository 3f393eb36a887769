package io.github.fraudflink.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * What a demo run measured, in one record, rendered either as text for people or as JSON ({@code --json}: its
 * components in snake case, e.g. {@code events_in}, {@code visible_ms_p50}; the PostgreSQL figures only when the run
 * wrote to PostgreSQL). Durations in seconds, rounded to the millisecond.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
record DemoSummary(long eventsIn, long valid, long malformed, long scored, long duplicates, long dlq,
        long flagged, long flaggedFraud, long simulatedFrauds, int simulatedCustomers, int simulatedDays,
        double duration, double producingSeconds, long eventsPerSecond,
        long visibleMsP50, long visibleMsP99, long visibleMsMax,
        long checkpointIntervalMs, long checkpointsCompleted, long checkpointsFailed,
        long checkpointDurationMsP50, long checkpointDurationMsMax, long checkpointSizeBytesAvg,
        String model, String modelVersion,
        Long postgresRows, Long postgresRowsWrittenTwice, Double postgresSeconds, Long postgresRowsPerSecond) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The figures of a finished run: {@code totalNanos} from the first event produced to the last output seen. */
    static DemoSummary of(DemoWorkload workload, DemoOutput output, long totalNanos, Duration checkpointInterval,
            LocalFlink.CheckpointStats cp) {
        DemoWorkload.Produced produced = workload.produced();
        DemoOutput.Tally t = output.tally();
        long[] visible = t.sortedVisibleMs();
        double seconds = totalNanos / 1e9;
        DemoOutput.RowCounter rows = output.rows();
        Double pgSeconds = rows == null ? null : millis(rows.completeNanos / 1e9);
        return new DemoSummary(produced.valid + produced.bad, produced.valid, produced.bad, t.ids.size(), t.duplicates,
                output.deadLetters(), t.flaggedIds.size(), t.flaggedIds.stream().filter(produced.frauds::contains).count(),
                produced.frauds.size(), workload.size().customers(), workload.size().days(),
                millis(seconds), millis(produced.nanos / 1e9), Math.round(t.ids.size() / seconds),
                quantile(visible, 0.5), quantile(visible, 0.99), quantile(visible, 1.0),
                checkpointInterval.toMillis(), cp.completed(), cp.failed(), cp.durationP50Ms(), cp.durationMaxMs(), cp.sizeAvgBytes(),
                t.model, t.modelVersion,
                rows == null ? null : rows.count, rows == null ? null : rows.repeated, pgSeconds,
                rows == null ? null : pgSeconds == 0 ? 0L : Math.round(rows.count / pgSeconds));
    }

    /** Every valid event scored once, and (with PostgreSQL) one row for each, none written twice. */
    boolean exact() {
        return duplicates == 0 && (postgresRows == null || (postgresRows == scored && postgresRowsWrittenTwice == 0));
    }

    void printText(PrintWriter out) {
        out.printf("%nfraud demo summary%n");
        out.printf("  events in        %,d (%,d valid, %,d malformed)%n", eventsIn, valid, malformed);
        out.printf("  scored           %,d distinct, %,d duplicates (read_committed)%n", scored, duplicates);
        out.printf("  dead letters     %,d%n", dlq);
        out.printf("  flagged          %,d declined; %,d of them simulated frauds (precision %.3f, recall %.3f of %,d frauds)%n",
                flagged, flaggedFraud, ratio(flaggedFraud, flagged), ratio(flaggedFraud, simulatedFrauds), simulatedFrauds);
        out.printf("  simulation       %,d customers over at most %,d days%n", simulatedCustomers, simulatedDays);
        out.printf("  duration         %.1f s (producing %.1f s); %,d events/s end to end%n", duration, producingSeconds, eventsPerSecond);
        out.printf("  visible after    p50 %,d ms, p99 %,d ms, max %,d ms (produced -> seen by a read_committed consumer)%n",
                visibleMsP50, visibleMsP99, visibleMsMax);
        out.printf("  checkpoints      %,d completed, %,d failed or not started (a trigger before every task runs counts as failed),"
                        + " every %,d ms; duration p50 %,d ms, max %,d ms; %,d bytes on average%n",
                checkpointsCompleted, checkpointsFailed, checkpointIntervalMs, checkpointDurationMsP50, checkpointDurationMsMax,
                checkpointSizeBytesAvg);
        out.printf("  model            %s %s%n", model, modelVersion);
        if (postgresRows != null) {
            out.printf("  postgresql       %,d rows (%s), %,d written twice; all committed after %.1f s: %,d rows/s%n",
                    postgresRows, postgresRows == scored ? "one per scored transaction" : "MISMATCH with " + scored + " scored",
                    postgresRowsWrittenTwice, postgresSeconds, postgresRowsPerSecond);
        }
        out.flush();
    }

    /** One JSON object on one line. */
    String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }

    private static double millis(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    /** The {@code q} quantile (0..1) of sorted values. */
    static long quantile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
