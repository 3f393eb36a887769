package io.github.fraudflink.job.features;

import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.metrics.JobMetrics;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.FeatureResult;
import io.github.fraudflink.features.Transaction;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by account: keeps the account's {@link AccountHistory} in one value state and computes the
 * features with {@link AccountFeatures}, the same code the trainer runs.
 *
 * <p>The history is stored with {@link AccountHistorySerializer} (compact, exact; under 1 KB at ~60 transactions).
 *
 * <p>Per event: one state read, and one state write unless the event is a duplicate. No timers: old
 * entries are pruned by event time inside the history; an idle account's state expires by TTL.
 *
 * <p><b>Sorted inputs (batch execution).</b> Flink's batch mode hands each account's records over sorted by
 * timestamp, and in no defined order within one timestamp, while the features of two transactions at the same instant
 * depend on which came first ("ties in arrival order"). With {@code sortedInput} the function keeps the account's
 * transactions of one timestamp until Flink's end-of-key timers fire (in timestamp order), then computes them in the
 * order of their {@link Transaction#ingestTime} (the line of the file): the order a stream replayed from the file in
 * event-time order delivers them. The memory this takes is the account's transactions in the file, no more.
 */
public final class AccountFeaturesFunction extends KeyedProcessFunction<String, Transaction, FeaturizedTransaction> {
    private static final long serialVersionUID = 1L;

    private final AccountFeatures features;
    private final Duration ttl;
    private final boolean sortedInput;
    private transient ValueState<AccountHistory> history;
    /** Sorted inputs: the current account's transactions not yet computed, in timestamp order. */
    private transient java.util.ArrayDeque<Transaction> waiting;
    private transient Counter duplicates;
    private transient Counter late;
    private transient Counter evicted;
    private transient Histogram latencyMicros;

    public AccountFeaturesFunction(AccountFeatures features, Duration ttl) {
        this(features, ttl, false);
    }

    /** @param sortedInput true in Flink's batch execution mode (see the class comment) */
    public AccountFeaturesFunction(AccountFeatures features, Duration ttl, boolean sortedInput) {
        this.features = features;
        this.ttl = ttl;
        this.sortedInput = sortedInput;
    }

    /** The state descriptor, public so tests and the state processor can read the same state. */
    public static ValueStateDescriptor<AccountHistory> historyDescriptor(Duration ttl) {
        ValueStateDescriptor<AccountHistory> d =
                new ValueStateDescriptor<>("account-history", AccountHistorySerializer.INSTANCE);
        d.enableTimeToLive(idleTtl(ttl));
        return d;
    }

    /**
     * The TTL of a key's history: it expires {@code ttl} after its last write (processing time), never read back once
     * expired, cleaned up by RocksDB's compaction filter. No timers.
     */
    static StateTtlConfig idleTtl(Duration ttl) {
        return StateTtlConfig.newBuilder(ttl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupInRocksdbCompactFilter(1000)
                .build();
    }

    @Override
    public void open(OpenContext ctx) {
        history = getRuntimeContext().getState(historyDescriptor(ttl));
        MetricGroup g = JobMetrics.group(getRuntimeContext().getMetricGroup());
        duplicates = g.counter("events_duplicate_total");
        late = g.counter("events_late_total");
        evicted = g.counter("history_evicted_total");
        latencyMicros = g.histogram("feature_latency_us", JobMetrics.histogram());
        waiting = new java.util.ArrayDeque<>();
    }

    @Override
    public void processElement(Transaction tx, Context ctx, Collector<FeaturizedTransaction> out) throws Exception {
        if (sortedInput) {
            waiting.add(tx);
            ctx.timerService().registerEventTimeTimer(tx.eventTime); // fires at the end of the account's records
            return;
        }
        apply(tx, ctx.timerService().currentWatermark(), out);
    }

    /** Sorted inputs: computes the account's transactions at {@code timestamp}, in file order. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeaturizedTransaction> out) throws Exception {
        java.util.List<Transaction> tied = new java.util.ArrayList<>();
        while (!waiting.isEmpty() && waiting.peek().eventTime == timestamp) {
            tied.add(waiting.poll());
        }
        tied.sort(java.util.Comparator.comparingLong((Transaction t) -> t.ingestTime));
        for (Transaction tx : tied) {
            apply(tx, Long.MIN_VALUE, out);
        }
    }

    private void apply(Transaction tx, long watermark, Collector<FeaturizedTransaction> out) throws Exception {
        long t0 = System.nanoTime();
        if (tx.eventTime < watermark) {
            late.inc();
        }
        AccountHistory h = history.value();
        if (h == null) {
            h = new AccountHistory();
        }
        FeatureResult r = features.apply(h, tx);
        if (r.evicted() > 0) {
            evicted.inc(r.evicted());
        }
        if (r.duplicate()) {
            duplicates.inc();
        } else {
            history.update(h);
        }
        latencyMicros.update((System.nanoTime() - t0) / 1_000); // state read, features, state write
        out.collect(new FeaturizedTransaction(tx, r.values(), r.duplicate()));
    }
}
