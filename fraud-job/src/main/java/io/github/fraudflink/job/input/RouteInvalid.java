package io.github.fraudflink.job.input;

import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.metrics.JobMetrics;
import io.github.fraudflink.job.records.ParsedRecord;

import io.github.fraudflink.features.Transaction;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Sends valid transactions on and dead letters to a side output, counting both (dead letters by reason). */
public final class RouteInvalid extends ProcessFunction<ParsedRecord, Transaction> {
    private static final long serialVersionUID = 1L;

    /** The side output of rejected records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private transient Counter in;
    private transient Counter valid;
    private transient MetricGroup dlqGroup;
    private transient Map<String, Counter> dlqByReason;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
        MetricGroup g = JobMetrics.group(getRuntimeContext().getMetricGroup());
        in = g.counter("events_in_total");
        valid = g.counter("events_valid_total");
        dlqGroup = g.addGroup("events_dlq");
        dlqByReason = new HashMap<>();
        // every reason's counter exists from the start at 0, so the first dead letter of a kind is an increase
        for (io.github.fraudflink.features.RejectReason reason : io.github.fraudflink.features.RejectReason.values()) {
            dlqByReason.put(reason.code(), dlqGroup.addGroup("reason", reason.code()).counter("total"));
        }
    }

    @Override
    public void processElement(ParsedRecord r, Context ctx, Collector<Transaction> out) {
        in.inc();
        if (r.transaction != null) {
            valid.inc();
            out.collect(r.transaction);
        } else {
            dlqByReason.computeIfAbsent(r.deadLetter.reason,
                    reason -> dlqGroup.addGroup("reason", reason).counter("total")).inc();
            ctx.output(DEAD_LETTERS, r.deadLetter);
        }
    }
}
