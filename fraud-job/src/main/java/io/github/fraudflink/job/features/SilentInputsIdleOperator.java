package io.github.fraudflink.job.features;

import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * A keyed two-input process operator that treats an input silent for {@code silence} (no record, no watermark, no
 * status) as idle until it speaks again, so the other input alone drives event time.
 *
 * <p>Why: Flink's source idleness ({@code WatermarkStrategy.withIdleness}) works per split output, and a Kafka
 * partition that has not carried a record since the job (re)started has none: it never reports itself idle, and a
 * two-input operator behind it waits for its watermark for ever. After a restore with nothing new on the labels topic
 * (or on the transactions topic) that would hold every transaction. Silence here means the upstream has nothing to
 * say, the same judgement a source's idleness makes; a record or watermark makes the input active again first.
 */
public final class SilentInputsIdleOperator<K, IN1, IN2, OUT> extends KeyedCoProcessOperator<K, IN1, IN2, OUT> {
    private static final long serialVersionUID = 1L;

    private final long silenceMillis;
    private transient long[] lastHeard;
    /** Idle because this operator said so (not the upstream). */
    private transient boolean[] markedIdle;
    private transient boolean[] upstreamIdle;

    public SilentInputsIdleOperator(KeyedCoProcessFunction<K, IN1, IN2, OUT> function, java.time.Duration silence) {
        super(function);
        this.silenceMillis = silence.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        lastHeard = new long[] {now, now};
        markedIdle = new boolean[2];
        upstreamIdle = new boolean[2];
        long period = Math.max(1, silenceMillis / 2);
        getProcessingTimeService().scheduleWithFixedDelay(this::checkSilence, period, period);
    }

    private void checkSilence(long now) throws Exception {
        for (int i = 0; i < 2; i++) {
            if (!markedIdle[i] && !upstreamIdle[i] && now - lastHeard[i] >= silenceMillis) {
                markedIdle[i] = true;
                super.processWatermarkStatus(WatermarkStatus.IDLE, i);
            }
        }
    }

    private void heard(int input) throws Exception {
        lastHeard[input] = getProcessingTimeService().getCurrentProcessingTime();
        if (markedIdle[input]) {
            markedIdle[input] = false;
            super.processWatermarkStatus(WatermarkStatus.ACTIVE, input);
        }
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
        heard(0);
        super.processElement1(element);
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
        heard(1);
        super.processElement2(element);
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        heard(0);
        super.processWatermark1(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        heard(1);
        super.processWatermark2(mark);
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int index) throws Exception {
        upstreamIdle[index] = status.isIdle();
        markedIdle[index] = false;
        lastHeard[index] = getProcessingTimeService().getCurrentProcessingTime();
        super.processWatermarkStatus(status, index);
    }
}
