package io.github.fraudflink.job.features;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.features.TerminalHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.metrics.JobMetrics;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.records.RecordTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by terminal: joins the account-featurized transactions (input 1) with the labels (input 2) and appends the
 * terminal features of {@link TerminalFeatures}, the same code the trainer runs. Transactions without a terminal or
 * merchant get the empty-window values.
 *
 * <p><b>Deterministic.</b> The terminal's {@link TerminalHistory} holds the sets of its transactions and labels, and
 * the features of a transaction at {@code t} depend on those sets only: the transactions up to {@code t - d} and the
 * labels known by {@code t - L} ({@code known_at}: when a label entered the system, its Kafka record's timestamp unless
 * the message says otherwise; {@code labelled_at} only decides which of two verdicts holds). A transaction is computed
 * once this operator's event time says all of them are in. The labels source stamps a label
 * {@code known_at + L - d}, so the operator's watermark (the smaller of the two inputs') passing {@code t - d} means
 * both: every transaction up to {@code t - d} and every label known by {@code t - L} have arrived. Which of the two
 * topics an operator happens to read first changes nothing.
 *
 * <p><b>Fast in steady state.</b> A live label is known when it is sent, however late its verdict was made (a
 * chargeback feed hours behind), so the labels' watermark keeps up with the clock; and a silent labels input follows
 * the transactions ({@link TerminalStageClock}). A live transaction finds the watermark already past {@code t - d}
 * and is computed at once: one state read and one write. Only while the labels lag in the stream itself (a replay
 * catching up) is a transaction held, in keyed state, with an event-time timer at {@code t - d}. A label that arrives
 * after transactions that should have counted it (known earlier than its topic's out-of-orderness allows: a backfill)
 * still counts for the later ones, and is counted in {@code labels_late_total}.
 *
 * <p><b>Never stuck.</b> A watermark can stop for reasons outside the data: a Kafka partition that has not carried a
 * record since the job (re)started never reports itself idle, so after a restore with nothing new on a topic the
 * operator's watermark stays where it was. A terminal's held transactions therefore wait at most
 * {@code maxWait} (processing time, one timer per terminal): then they are computed with the labels that are in,
 * and counted in {@code terminal_released_unaligned_total}. Determinism holds for every transaction released by
 * the watermark; the counter says when it did not.
 *
 * <p><b>Sorted inputs (batch execution).</b> Flink's batch mode hands each terminal's transactions and labels over
 * merged in timestamp order, without watermarks: when a record at {@code ts} arrives, every record of the terminal
 * at an earlier timestamp has arrived, which is what a watermark of {@code ts - 1} says. With {@code sortedInput} the
 * function uses exactly that as its watermark, so (with a label delay {@code d} of at least 1 ms) a transaction is
 * computed when it arrives, and the history is expired as the stream's is.
 *
 * <p>State: the history (TTL {@code d + 30 days + slack}, bounded by {@code fraud.terminal.max-history} transactions
 * and as many labels), the held transactions and the hold's deadline. Output records carry no meaningful timestamp:
 * nothing downstream uses event time.
 */
public final class TerminalFeaturesFunction
        extends KeyedCoProcessFunction<String, FeaturizedTransaction, Label, FeaturizedTransaction> {
    private static final long serialVersionUID = 1L;
    /** Prefix of the keys of transactions and labels without a terminal: NUL never starts an accepted id. */
    static final String NO_TERMINAL = "\u0000";

    private final TerminalFeatures features;
    private final Duration ttl;
    private final long delayMillis;
    private final long lagMillis;
    private final long maxWaitMillis;
    private final boolean sortedInput;
    private transient ValueState<TerminalHistory> history;
    private transient MapState<Long, FeaturizedTransaction[]> held;
    private transient ValueState<Long> deadline;
    private transient Counter heldCount;
    private transient Counter releasedUnaligned;
    private transient Counter lateLabels;
    private transient Counter unattributedLabels;
    private transient Counter evicted;
    private transient Histogram latencyMicros;

    public TerminalFeaturesFunction(TerminalFeatures features, Duration ttl, Duration maxWait) {
        this(features, ttl, maxWait, false);
    }

    /** @param sortedInput true in Flink's batch execution mode (see the class comment); needs a label delay of 1 ms or more */
    public TerminalFeaturesFunction(TerminalFeatures features, Duration ttl, Duration maxWait, boolean sortedInput) {
        if (sortedInput && features.delay().toMillis() < 1) {
            throw new IllegalArgumentException("batch scoring needs a label delay (fraud.labels.delay) of at least 1 ms,"
                    + " got " + features.delay() + ": with none, a transaction's features would need the labels of its own"
                    + " instant, which a sorted input does not order before it");
        }
        this.sortedInput = sortedInput;
        this.features = features;
        this.ttl = ttl;
        this.maxWaitMillis = maxWait.toMillis();
        this.delayMillis = features.delay().toMillis();
        this.lagMillis = features.labelLag().toMillis();
    }

    /**
     * The event time a label carries into this operator: {@code known_at + L - d}, {@code known_at} when it entered
     * the system (see the class comment).
     */
    public static long labelTimestamp(Label l, Duration delay, Duration lag) {
        return knownAt(l) + lag.toMillis() - delay.toMillis();
    }

    /** When a label entered the system: its {@code knownAt}, never before it was made (0: not set, known when made). */
    static long knownAt(Label l) {
        return Math.max(l.knownAt, l.labelledAt);
    }

    /**
     * The history's state descriptor, public so tests and the state processor read the same state. The values are
     * written by {@link TerminalHistorySerializer}; state written before, by the POJO serializer, restores as
     * "compatible after migration".
     */
    public static ValueStateDescriptor<TerminalHistory> historyDescriptor(Duration ttl) {
        ValueStateDescriptor<TerminalHistory> d =
                new ValueStateDescriptor<>("terminal-history", TerminalHistorySerializer.INSTANCE);
        d.enableTimeToLive(AccountFeaturesFunction.idleTtl(ttl));
        return d;
    }

    /**
     * Transactions waiting for the labels, by event time (no TTL: a held transaction is never dropped). The values are
     * written by Flink's array serializer of {@link io.github.fraudflink.job.records.FeaturizedTransactionSerializer};
     * state written before, by the POJO serializer, restores as "compatible after migration".
     */
    public static MapStateDescriptor<Long, FeaturizedTransaction[]> heldDescriptor() {
        return new MapStateDescriptor<>("terminal-held", Types.LONG, RecordTypes.FEATURIZED_ARRAY);
    }

    @Override
    public void open(OpenContext ctx) {
        history = getRuntimeContext().getState(historyDescriptor(ttl));
        held = getRuntimeContext().getMapState(heldDescriptor());
        deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("terminal-hold-deadline", Types.LONG));
        MetricGroup g = JobMetrics.group(getRuntimeContext().getMetricGroup());
        heldCount = g.counter("terminal_held_total");
        releasedUnaligned = g.counter("terminal_released_unaligned_total");
        lateLabels = g.counter("labels_late_total");
        unattributedLabels = g.counter("labels_without_terminal_total");
        evicted = g.counter("terminal_history_evicted_total");
        latencyMicros = g.histogram("terminal_feature_latency_us", JobMetrics.histogram());
    }

    @Override
    public void processElement1(FeaturizedTransaction f, Context ctx, Collector<FeaturizedTransaction> out) throws Exception {
        long t0 = System.nanoTime();
        Transaction tx = f.transaction;
        if (ctx.getCurrentKey().startsWith(NO_TERMINAL)) {
            out.collect(withTerminal(f, TerminalFeatures.empty()));
            return;
        }
        long watermark = watermark(ctx);
        TerminalHistory h = value();
        features.addTransaction(h, tx.accountId, tx.transactionId, tx.eventTime);
        evicted.inc(features.expire(h, watermark));
        history.update(h);
        if (tx.eventTime - delayMillis <= watermark) {
            double[] terminal = features.compute(h, tx.eventTime);
            // state read, features, state write; not the hand-over, which waits for a network buffer under backpressure
            latencyMicros.update((System.nanoTime() - t0) / 1_000);
            out.collect(withTerminal(f, terminal));
        } else {
            FeaturizedTransaction[] waiting = held.get(tx.eventTime);
            FeaturizedTransaction[] now = waiting == null ? new FeaturizedTransaction[] {f} : append(waiting, f);
            held.put(tx.eventTime, now);
            ctx.timerService().registerEventTimeTimer(tx.eventTime - delayMillis);
            if (deadline.value() == null) {
                long at = ctx.timerService().currentProcessingTime() + maxWaitMillis;
                ctx.timerService().registerProcessingTimeTimer(at);
                deadline.update(at);
            }
            heldCount.inc();
        }
    }

    @Override
    public void processElement2(Label l, Context ctx, Collector<FeaturizedTransaction> out) throws Exception {
        if (ctx.getCurrentKey().startsWith(NO_TERMINAL)) {
            unattributedLabels.inc();
            return;
        }
        long watermark = watermark(ctx);
        long known = knownAt(l);
        if (known + lagMillis - delayMillis <= watermark) {
            lateLabels.inc(); // a transaction that should have counted it may have been computed without it
        }
        TerminalHistory h = value();
        features.addLabel(h, l.accountId, l.transactionId, l.eventTime, l.isFraud, l.labelledAt, known);
        evicted.inc(features.expire(h, watermark));
        history.update(h);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FeaturizedTransaction> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            // the watermark did not come in time: release everything held here, with the labels that are in
            List<Long> times = new ArrayList<>();
            held.keys().forEach(times::add);
            for (long t : times) {
                releaseAt(t, out);
                ctx.timerService().deleteEventTimeTimer(t - delayMillis);
                releasedUnaligned.inc();
            }
            deadline.clear();
            return;
        }
        releaseAt(timestamp + delayMillis, out);
        if (held.isEmpty() && deadline.value() != null) {
            ctx.timerService().deleteProcessingTimeTimer(deadline.value());
            deadline.clear();
        }
    }

    /** Emits the transactions held at {@code t}, with the terminal features at {@code t}. */
    private void releaseAt(long t, Collector<FeaturizedTransaction> out) throws Exception {
        FeaturizedTransaction[] waiting = held.get(t);
        if (waiting == null) {
            return;
        }
        double[] v = features.compute(value(), t);
        for (FeaturizedTransaction f : waiting) {
            out.collect(withTerminal(f, v.clone()));
        }
        held.remove(t);
    }

    /** The operator's watermark; with sorted inputs, just below the current record's timestamp (see the class comment). */
    private long watermark(Context ctx) {
        if (sortedInput) {
            Long ts = ctx.timestamp();
            return ts == null || ts == Long.MIN_VALUE ? Long.MIN_VALUE : ts - 1;
        }
        return ctx.timerService().currentWatermark();
    }

    private TerminalHistory value() throws Exception {
        TerminalHistory h = history.value();
        return h == null ? new TerminalHistory() : h;
    }

    private static FeaturizedTransaction[] append(FeaturizedTransaction[] a, FeaturizedTransaction f) {
        FeaturizedTransaction[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = f;
        return b;
    }

    /** The transaction with its account features followed by the terminal features. */
    private static FeaturizedTransaction withTerminal(FeaturizedTransaction f, double[] terminal) {
        double[] all = Arrays.copyOf(f.features, f.features.length + terminal.length);
        System.arraycopy(terminal, 0, all, f.features.length, terminal.length);
        return new FeaturizedTransaction(f.transaction, all, f.duplicate);
    }

    /** The key of a transaction: its terminal, else its merchant, else (no terminal features) its account. */
    public static final class TransactionKey implements KeySelector<FeaturizedTransaction, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(FeaturizedTransaction f) {
            Transaction t = f.transaction;
            return t.terminalId != null ? t.terminalId : t.merchantId != null ? t.merchantId : NO_TERMINAL + t.accountId;
        }
    }

    /** The key of a label: its transaction's terminal (else merchant), as the label names it. */
    public static final class LabelKey implements KeySelector<Label, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Label l) {
            return l.terminalId != null ? l.terminalId : NO_TERMINAL + l.accountId;
        }
    }
}
