package io.github.fraudflink.job.features;

import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The event time of the terminal stage, a keyed two-input operator of transactions (input 1) and labels (input 2):
 * what each input's silence means.
 *
 * <p><b>Labels silent: they follow the transactions.</b> A labels input that has said nothing for {@code silence} (no
 * record, no watermark; or its source reports it idle) has caught up: every label already sent has arrived. A label
 * sent from now on enters the system now, so its {@code known_at} is at least the transactions' frontier (their
 * watermark plus their out-of-orderness: the newest event time of the slowest partition). So, while silent, the
 * labels input's watermark follows the transactions' watermark, shifted by {@code followOffset} (the frontier less
 * the labels' out-of-orderness, in the labels' time domain {@code known_at + L - d}). Live transactions are then never
 * held by a quiet, bursty or paused labels feed; when labels come back, those that arrive on time count on time (the
 * labels' own watermark takes over where it is not behind the one followed), and only labels really known too late
 * are late. Flink's own idleness would instead drop the labels input from the minimum: the operator's watermark would
 * jump to the transactions' (seven days ahead of the labels' domain) and every later label would count as late, for
 * good.
 *
 * <p><b>Transactions silent: idle.</b> A transactions input silent for {@code silence} is marked idle until it speaks
 * again, so the labels alone drive event time (a Kafka partition without records since a restart never reports itself
 * idle, and would hold every held transaction for ever).
 *
 * <p>A watermark never goes back: a label watermark below one already given (followed) is not passed on.
 *
 * <p><b>After a restore</b> the labels input follows at once if every instance's was following at the checkpoint
 * (the labels had caught up then; operator state {@code labels-following}), instead of waiting {@code silence} again
 * with every transaction of the restart's backlog held: a job that recovers from a lost TaskManager scores again as
 * soon as it runs. A fresh start, or a checkpoint taken while labels flowed, waits for the labels as before.
 */
public final class TerminalStageClock<K, IN1, IN2, OUT> extends KeyedCoProcessOperator<K, IN1, IN2, OUT> {
    private static final long serialVersionUID = 1L;

    private final long silenceMillis;
    private final long followOffsetMillis;
    private transient long[] lastHeard;
    /** Transactions idle because this operator said so (not the upstream). */
    private transient boolean transactionsMarkedIdle;
    private transient boolean transactionsUpstreamIdle;
    /** Labels following the transactions (silent, or idle upstream). */
    private transient boolean labelsFollow;
    private transient long transactionsWatermark;
    private transient long labelsWatermark;
    private transient org.apache.flink.api.common.state.ListState<Boolean> following;
    private transient boolean restoredFollowing;

    /** Operator state: whether the labels input was following at the checkpoint (one entry per instance, union). */
    static final org.apache.flink.api.common.state.ListStateDescriptor<Boolean> FOLLOWING =
            new org.apache.flink.api.common.state.ListStateDescriptor<>("labels-following",
                    org.apache.flink.api.common.typeinfo.Types.BOOLEAN);

    /**
     * @param silence how long an input says nothing before its silence counts
     * @param followOffset added to the transactions' watermark to give a silent labels input's watermark
     */
    public TerminalStageClock(KeyedCoProcessFunction<K, IN1, IN2, OUT> function, java.time.Duration silence,
            java.time.Duration followOffset) {
        super(function);
        this.silenceMillis = silence.toMillis();
        this.followOffsetMillis = followOffset.toMillis();
    }

    @Override
    public void initializeState(org.apache.flink.runtime.state.StateInitializationContext context) throws Exception {
        super.initializeState(context);
        following = context.getOperatorStateStore().getUnionListState(FOLLOWING);
        if (context.isRestored()) {
            boolean all = true;
            boolean any = false;
            for (Boolean f : following.get()) {
                any = true;
                all &= Boolean.TRUE.equals(f);
            }
            restoredFollowing = any && all;
        }
    }

    @Override
    public void snapshotState(org.apache.flink.runtime.state.StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        following.update(java.util.List.of(labelsFollow));
    }

    @Override
    public void open() throws Exception {
        super.open();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        lastHeard = new long[] {now, now};
        transactionsWatermark = Long.MIN_VALUE;
        labelsWatermark = Long.MIN_VALUE;
        labelsFollow = restoredFollowing;
        long period = Math.max(1, silenceMillis / 2);
        getProcessingTimeService().scheduleWithFixedDelay(this::checkSilence, period, period);
    }

    private void checkSilence(long now) throws Exception {
        if (!transactionsMarkedIdle && !transactionsUpstreamIdle && now - lastHeard[0] >= silenceMillis) {
            transactionsMarkedIdle = true;
            super.processWatermarkStatus(WatermarkStatus.IDLE, 0);
        }
        if (!labelsFollow && now - lastHeard[1] >= silenceMillis) {
            labelsFollow = true;
            follow();
        }
    }

    /** Moves a following labels input's watermark to the transactions' watermark plus the offset. */
    private void follow() throws Exception {
        if (labelsFollow && transactionsWatermark != Long.MIN_VALUE) {
            long followed = transactionsWatermark == Long.MAX_VALUE ? Long.MAX_VALUE
                    : saturatedAdd(transactionsWatermark, followOffsetMillis);
            labelsWatermark(followed);
        }
    }

    private void labelsWatermark(long w) throws Exception {
        if (w > labelsWatermark) {
            labelsWatermark = w;
            super.processWatermark2(new Watermark(w));
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private void heardTransactions() throws Exception {
        lastHeard[0] = getProcessingTimeService().getCurrentProcessingTime();
        if (transactionsMarkedIdle) {
            transactionsMarkedIdle = false;
            super.processWatermarkStatus(WatermarkStatus.ACTIVE, 0);
        }
    }

    private void heardLabels() {
        lastHeard[1] = getProcessingTimeService().getCurrentProcessingTime();
        labelsFollow = false;
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
        heardTransactions();
        super.processElement1(element);
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
        heardLabels();
        super.processElement2(element);
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        heardTransactions();
        transactionsWatermark = Math.max(transactionsWatermark, mark.getTimestamp());
        super.processWatermark1(mark);
        follow();
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        heardLabels();
        labelsWatermark(mark.getTimestamp());
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int index) throws Exception {
        if (index == 1) {
            // an idle labels source has caught up: it follows the transactions (never idle here, see above)
            lastHeard[1] = getProcessingTimeService().getCurrentProcessingTime();
            labelsFollow = status.isIdle();
            follow();
            return;
        }
        transactionsUpstreamIdle = status.isIdle();
        transactionsMarkedIdle = false;
        lastHeard[0] = getProcessingTimeService().getCurrentProcessingTime();
        super.processWatermarkStatus(status, index);
    }
}
