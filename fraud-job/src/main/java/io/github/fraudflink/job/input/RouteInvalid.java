package io.github.fraudflink.job.input;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.RejectReason;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.metrics.JobMetrics;
import io.github.fraudflink.job.records.DeadLetter;
import io.github.fraudflink.job.records.ParsedRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Sends an input topic's valid records on and its dead letters to a side output, counting both (dead letters by
 * reason): {@code fraud_events_*} for transactions, {@code fraud_labels_*} for labels.
 */
public final class RouteInvalid<T> extends ProcessFunction<ParsedRecord, T> {
    private static final long serialVersionUID = 2L;

    /** The side output of rejected records. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final String metric;
    private final SerializableFunction<ParsedRecord, T> value;
    private transient Counter in;
    private transient Counter valid;
    private transient MetricGroup dlqGroup;
    private transient Map<String, Counter> dlqByReason;

    private RouteInvalid(String metric, SerializableFunction<ParsedRecord, T> value) {
        this.metric = metric;
        this.value = value;
    }

    /** For the transactions topic. */
    public static RouteInvalid<Transaction> transactions() {
        return new RouteInvalid<>("events", r -> r.transaction);
    }

    /** For the labels topic. */
    public static RouteInvalid<Label> labels() {
        return new RouteInvalid<>("labels", r -> r.label);
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
        MetricGroup g = JobMetrics.group(getRuntimeContext().getMetricGroup());
        in = g.counter(metric + "_in_total");
        valid = g.counter(metric + "_valid_total");
        dlqGroup = g.addGroup(metric + "_dlq");
        dlqByReason = new HashMap<>();
        // every reason's counter exists from the start at 0, so the first dead letter of a kind is an increase
        for (RejectReason reason : RejectReason.values()) {
            dlqByReason.put(reason.code(), dlqGroup.addGroup("reason", reason.code()).counter("total"));
        }
    }

    @Override
    public void processElement(ParsedRecord r, Context ctx, Collector<T> out) {
        in.inc();
        T v = value.apply(r);
        if (v != null) {
            valid.inc();
            out.collect(v);
        } else {
            dlqByReason.computeIfAbsent(r.deadLetter.reason,
                    reason -> dlqGroup.addGroup("reason", reason).counter("total")).inc();
            ctx.output(DEAD_LETTERS, r.deadLetter);
        }
    }
}
