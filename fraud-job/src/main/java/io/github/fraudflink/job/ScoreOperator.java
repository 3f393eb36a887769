package io.github.fraudflink.job;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import java.net.URI;
import java.time.Duration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Scores featurized transactions with the embedded model, in micro-batches: a native xgboost4j call costs about
 * the same for 1 row as for 64, so rows wait at most {@code maxDelay} (or until {@code maxBatch} are there) and
 * are scored together.
 *
 * <p>Nothing waits across a checkpoint: the batch is flushed before each checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}), before each watermark and at end of input, so the buffer never needs to be
 * in state and exactly-once holds. Each parallel instance holds its own model in memory.
 */
public final class ScoreOperator extends AbstractStreamOperator<ScoredTransaction>
        implements OneInputStreamOperator<FeaturizedTransaction, ScoredTransaction> {
    private static final long serialVersionUID = 1L;

    private final String modelUri;
    private final String modelSha256;
    private final int maxBatch;
    private final long maxDelayMillis;

    private transient LoadedModel model;
    private transient FeaturizedTransaction[] pending;
    private transient long[] pendingTimestamps;
    private transient double[][] rows;
    private transient double[] scores;
    private transient int size;
    private transient boolean timerSet;
    private transient Counter declined;
    private transient Counter approved;

    public ScoreOperator(String modelUri, String modelSha256, int maxBatch, Duration maxDelay) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + maxBatch);
        }
        this.modelUri = modelUri;
        this.modelSha256 = modelSha256;
        this.maxBatch = maxBatch;
        this.maxDelayMillis = maxDelay.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        model = new ModelLoader().load(URI.create(modelUri), modelSha256);
        pending = new FeaturizedTransaction[maxBatch];
        pendingTimestamps = new long[maxBatch];
        rows = new double[maxBatch][];
        scores = new double[maxBatch];
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("fraud");
        declined = g.addGroup("decision", ScoredTransaction.DECLINE).counter("events_scored");
        approved = g.addGroup("decision", ScoredTransaction.APPROVE).counter("events_scored");
    }

    @Override
    public void processElement(StreamRecord<FeaturizedTransaction> record) throws Exception {
        pending[size] = record.getValue();
        pendingTimestamps[size] = record.hasTimestamp() ? record.getTimestamp() : Long.MIN_VALUE;
        size++;
        if (size == maxBatch) {
            flush();
        } else if (!timerSet) {
            timerSet = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + maxDelayMillis, t -> {
                timerSet = false;
                flush();
            });
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush(); // records before a watermark leave before it
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(); // nothing is buffered across a checkpoint barrier
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (size == 0) {
            return;
        }
        for (int i = 0; i < size; i++) {
            rows[i] = pending[i].features;
        }
        model.scorer().scoreBatch(rows, size, scores);
        long now = System.currentTimeMillis();
        for (int i = 0; i < size; i++) {
            ScoredTransaction s = scored(pending[i], scores[i], now);
            StreamRecord<ScoredTransaction> out = pendingTimestamps[i] == Long.MIN_VALUE
                    ? new StreamRecord<>(s) : new StreamRecord<>(s, pendingTimestamps[i]);
            output.collect(out);
            pending[i] = null;
            rows[i] = null;
        }
        size = 0;
    }

    private ScoredTransaction scored(FeaturizedTransaction f, double score, long now) {
        Transaction t = f.transaction;
        ScoredTransaction s = new ScoredTransaction();
        s.transactionId = t.transactionId;
        s.accountId = t.accountId;
        s.amount = t.amount;
        s.currency = t.currency;
        s.terminalId = t.terminalId;
        s.merchantId = t.merchantId;
        s.eventTime = t.eventTime;
        s.ingestTime = t.ingestTime;
        s.features = f.features;
        s.duplicate = f.duplicate;
        s.score = score;
        s.threshold = model.threshold();
        boolean decline = score >= model.threshold();
        s.decision = decline ? ScoredTransaction.DECLINE : ScoredTransaction.APPROVE;
        (decline ? declined : approved).inc();
        s.model = model.name();
        s.modelVersion = model.version();
        s.scoredTime = now;
        return s;
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
        super.close();
    }
}
