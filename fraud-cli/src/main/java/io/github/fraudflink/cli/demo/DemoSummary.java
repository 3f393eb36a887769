package io.github.fraudflink.cli.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.fraudflink.cli.local.JobRest;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * What a demo run measured, in one record, rendered either as text for people or as JSON ({@code --json}: its
 * components in snake case, e.g. {@code events_in}, {@code visible_ms_p50}; the PostgreSQL figures only when the run
 * wrote to PostgreSQL, the label figures only with labels). Durations in seconds, rounded to the millisecond.
 *
 * <p>Labels: {@code labels_sent}; {@code event_days}, the event time the stream covered; {@code live_*}, the
 * champion's live quality against the labels sent, over the scored transactions whose label was sent by the end
 * (the demo's own count: it knows each transaction's simulated fraud flag); with PostgreSQL, {@code postgres_live_*},
 * the same from the view {@code live_model_quality} (counts summed over the run's event days), which agree with it.
 * Precision and recall are null when undefined (nothing flagged, no fraud).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DemoSummary(long eventsIn, long valid, long malformed, long scored, long duplicates, long dlq,
        long flagged, long flaggedFraud, long simulatedFrauds, int simulatedCustomers, int simulatedDays,
        double duration, double producingSeconds, long eventsPerSecond,
        long visibleMsP50, long visibleMsP99, long visibleMsMax,
        long checkpointIntervalMs, long checkpointsCompleted, long checkpointsFailed,
        long checkpointDurationMsP50, long checkpointDurationMsMax, long checkpointSizeBytesAvg,
        String model, String modelVersion,
        Long postgresRows, Long postgresRowsWrittenTwice, Double postgresSeconds, Long postgresRowsPerSecond,
        long labelsSent, double eventDays, Double labelDelayDays, Double terminalDelayDays,
        Long liveLabelled, Long liveFrauds, Double livePrecision, Double liveRecall, Long postgresLabels,
        Long postgresLiveLabelled, Long postgresLiveFrauds, Double postgresLivePrecision, Double postgresLiveRecall,
        java.util.Map<String, Long> bands, long explained) {

    /** A model's quality over labelled scored transactions: how many, frauds, flagged (declined), flagged frauds. */
    record Live(long labelled, long frauds, long flagged, long truePositives) {
        /** Null when nothing was flagged. */
        Double precision() {
            return flagged == 0 ? null : (double) truePositives / flagged;
        }

        /** Null without frauds. */
        Double recall() {
            return frauds == 0 ? null : (double) truePositives / frauds;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The figures of a finished run: {@code totalNanos} from the first event produced to the last output seen;
     * {@code terminalDelay} the job's label delay d (null: no labels streamed); {@code postgresLive} the
     * champion's quality from live_model_quality (null: no PostgreSQL or no labels).
     */
    static DemoSummary of(DemoWorkload workload, DemoOutput output, long totalNanos, Duration checkpointInterval,
            JobRest.CheckpointStats cp, Duration terminalDelay, Live postgresLive) {
        DemoWorkload.Produced produced = workload.produced();
        DemoOutput.Tally t = output.tally();
        Live live = terminalDelay == null ? null : live(produced, t);
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
                rows == null ? null : pgSeconds == 0 ? 0L : Math.round(rows.count / pgSeconds),
                produced.labels, days(produced.eventTimeSpan()),
                terminalDelay == null ? null : days(workload.labelDelay()), terminalDelay == null ? null : days(terminalDelay),
                live == null ? null : live.labelled(), live == null ? null : live.frauds(),
                live == null ? null : live.precision(), live == null ? null : live.recall(),
                rows == null || live == null ? null : rows.labels,
                postgresLive == null ? null : postgresLive.labelled(), postgresLive == null ? null : postgresLive.frauds(),
                postgresLive == null ? null : postgresLive.precision(), postgresLive == null ? null : postgresLive.recall(),
                t.bands, t.explained);
    }

    /** The champion against the labels sent: the scored transactions whose label was sent, by the simulated flag. */
    private static Live live(DemoWorkload.Produced produced, DemoOutput.Tally t) {
        long labelled = 0;
        long frauds = 0;
        long flagged = 0;
        long truePositives = 0;
        for (String id : produced.labelled) {
            if (!t.ids.contains(id)) {
                continue; // a transaction the job rejected (a 0.00 amount): labelled, never scored
            }
            boolean fraud = produced.frauds.contains(id);
            boolean declined = t.flaggedIds.contains(id);
            labelled++;
            frauds += fraud ? 1 : 0;
            flagged += declined ? 1 : 0;
            truePositives += fraud && declined ? 1 : 0;
        }
        return new Live(labelled, frauds, flagged, truePositives);
    }

    /** Every valid event scored once, and (with PostgreSQL) one row for each, none written twice, one per label sent. */
    boolean exact() {
        return duplicates == 0 && (postgresRows == null || (postgresRows == scored && postgresRowsWrittenTwice == 0))
                && (postgresLabels == null || postgresLabels == labelsSent);
    }

    void printText(PrintWriter out) {
        out.printf("%nfraud demo summary%n");
        out.printf("  events in        %,d (%,d valid, %,d malformed)%n", eventsIn, valid, malformed);
        out.printf("  scored           %,d distinct, %,d duplicates (read_committed)%n", scored, duplicates);
        out.printf("  dead letters     %,d%n", dlq);
        out.printf("  flagged          %,d declined; %,d of them simulated frauds (precision %.3f, recall %.3f of %,d frauds)%n",
                flagged, flaggedFraud, ratio(flaggedFraud, flagged), ratio(flaggedFraud, simulatedFrauds), simulatedFrauds);
        out.printf("  bands            %,d approved, %,d to review, %,d declined; %,d decisions with their reasons%n",
                bands.get("approve"), bands.get("review"), bands.get("decline"), explained);
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
        printLabels(out);
        out.flush();
    }

    private void printLabels(PrintWriter out) {
        if (labelDelayDays == null) {
            out.printf("  labels           off (--no-labels)%n");
            return;
        }
        double needed = Math.max(labelDelayDays, terminalDelayDays);
        if (eventDays <= needed) {
            out.printf("  labels           %,d sent; terminal features need > %s of event time (this run covered %.1f days)%n",
                    labelsSent, daysText(needed), eventDays);
        } else {
            out.printf("  labels           %,d sent, each %s of event time after its transaction (the run covered %.1f days)%n",
                    labelsSent, daysText(labelDelayDays), eventDays);
        }
        if (liveLabelled == 0) {
            out.printf("  live quality     no scored transaction labelled yet%n");
            return;
        }
        out.printf("  live quality     champion against the labels: precision %s, recall %s over %,d labelled scored"
                + " transactions (%,d frauds)%n", ratio(livePrecision), ratio(liveRecall), liveLabelled, liveFrauds);
        if (postgresLiveLabelled != null) {
            boolean agree = postgresLiveLabelled.equals(liveLabelled) && postgresLiveFrauds.equals(liveFrauds)
                    && java.util.Objects.equals(postgresLivePrecision, livePrecision)
                    && java.util.Objects.equals(postgresLiveRecall, liveRecall);
            out.printf("                   live_model_quality in PostgreSQL: precision %s, recall %s over %,d (%,d frauds): %s%n",
                    ratio(postgresLivePrecision), ratio(postgresLiveRecall), postgresLiveLabelled, postgresLiveFrauds,
                    agree ? "the same" : "DIFFERENT (a database shared with other runs counts theirs of the same days too)");
        }
    }

    private static String ratio(Double v) {
        return v == null ? "-" : String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    /** {@code 7 days}, {@code 1 day}, {@code 0.25 days}. */
    private static String daysText(double d) {
        return d == 1 ? "1 day" : d == Math.rint(d) ? String.format(java.util.Locale.ROOT, "%d days", (long) d)
                : String.format(java.util.Locale.ROOT, "%.2f days", d);
    }

    /** In days, rounded to 1/1000. */
    private static double days(Duration d) {
        return Math.round(d.toMillis() / 86_400.0) / 1000.0;
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
    public static long quantile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
