package io.github.fraudflink.job;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelRejectedException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores featurized transactions (input 1) with the live champion model, and a shadow model alongside when
 * there is one; swaps models on model-control events (input 2, broadcast to every instance) without a restart.
 *
 * <p><b>Hot swap.</b> A control event is verified by {@link ModelLoader} (checksums, feature schema, golden
 * sample) before it replaces anything: a bad model is rejected, counted and reported on the status side output,
 * and the current one keeps scoring. Rows already waiting are scored with the model they arrived under. The
 * broadcast state keeps, per role, the control event whose model is live; the loaded models themselves live
 * outside state and are loaded again from it after a restore, in {@link #open()}, before the first row. Until a
 * champion arrives, the model configured at start-up ({@code fraud.model.uri}) scores.
 *
 * <p><b>Micro-batches.</b> A native xgboost4j call costs about the same for 1 row as for 64, so rows wait at
 * most {@code maxDelay} (or until {@code maxBatch} are there) and are scored together. The batch is flushed
 * before each checkpoint barrier, each watermark, each control event and at end of input, so nothing is
 * buffered across a checkpoint and exactly-once holds without keeping the buffer in state.
 */
public final class ScoreOperator extends AbstractStreamOperator<ScoredTransaction>
        implements TwoInputStreamOperator<FeaturizedTransaction, ModelControl, ScoredTransaction> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ScoreOperator.class);

    /** Broadcast state: role -> the control event whose model is live in that role. */
    public static final MapStateDescriptor<String, ModelControl> LIVE_MODELS = new MapStateDescriptor<>(
            "live-models", Types.STRING, TypeInformation.of(ModelControl.class));
    /** Side output of {@link ModelStatus} records. */
    public static final OutputTag<ModelStatus> STATUS = new OutputTag<>("model-status", TypeInformation.of(ModelStatus.class));

    private final String defaultModelUri;
    private final String defaultModelSha256;
    private final int maxBatch;
    private final long maxDelayMillis;

    private transient BroadcastState<String, ModelControl> live;
    private transient ModelLoader loader;
    private transient LoadedModel champion;
    private transient LoadedModel shadow;
    private transient FeaturizedTransaction[] pending;
    private transient long[] pendingTimestamps;
    private transient double[][] rows;
    private transient double[] scores;
    private transient double[] shadowScores;
    private transient int size;
    private transient boolean timerSet;
    private transient long[] pendingArrivalNanos;
    private transient Counter declined;
    private transient Counter approved;
    private transient Counter swaps;
    private transient MetricGroup metrics;
    private transient Map<String, Counter> rejectedByReason;
    private transient Histogram scoreLatencyMicros;
    private transient Histogram modelCallMicros;
    private transient Histogram ingestToScoreMillis;
    private transient Histogram eventToScoreMillis;
    private transient Histogram championScores;
    private transient Histogram shadowScoreDistribution;
    private transient Counter[] championBands;
    private transient Counter[] shadowBands;
    private transient Set<String> liveGauges;

    public ScoreOperator(String defaultModelUri, String defaultModelSha256, int maxBatch, Duration maxDelay) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + maxBatch);
        }
        this.defaultModelUri = defaultModelUri;
        this.defaultModelSha256 = defaultModelSha256;
        this.maxBatch = maxBatch;
        this.maxDelayMillis = maxDelay.toMillis();
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        live = context.getOperatorStateStore().getBroadcastState(LIVE_MODELS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        loader = new ModelLoader();
        pending = new FeaturizedTransaction[maxBatch];
        pendingTimestamps = new long[maxBatch];
        rows = new double[maxBatch][];
        scores = new double[maxBatch];
        shadowScores = new double[maxBatch];
        pendingArrivalNanos = new long[maxBatch];
        MetricGroup g = JobMetrics.group(getRuntimeContext().getMetricGroup());
        metrics = g;
        declined = g.addGroup("events_scored").addGroup("decision", ScoredTransaction.DECLINE).counter("total");
        approved = g.addGroup("events_scored").addGroup("decision", ScoredTransaction.APPROVE).counter("total");
        swaps = g.counter("model_swaps_total");
        rejectedByReason = new HashMap<>();
        // every reason's counter exists from the start at 0, so Prometheus sees the first rejection as an increase
        for (ModelRejectedException.Reason r : ModelRejectedException.Reason.values()) {
            rejections(r.code());
        }
        for (String r : new String[] {"invalid_control_event", "manifest_mismatch", "champion_retire", "not_live"}) {
            rejections(r);
        }
        scoreLatencyMicros = g.histogram("score_latency_us", JobMetrics.histogram());
        modelCallMicros = g.histogram("model_call_us", JobMetrics.histogram());
        ingestToScoreMillis = g.histogram("ingest_to_score_ms", JobMetrics.histogram());
        eventToScoreMillis = g.histogram("event_to_score_ms", JobMetrics.histogram());
        championScores = g.addGroup("score").addGroup("role", ModelControl.CHAMPION).histogram("permille", JobMetrics.histogram());
        shadowScoreDistribution = g.addGroup("score").addGroup("role", ModelControl.SHADOW).histogram("permille", JobMetrics.histogram());
        championBands = bands(g, ModelControl.CHAMPION);
        shadowBands = bands(g, ModelControl.SHADOW);
        liveGauges = new HashSet<>();

        // models named by restored broadcast state first, so they are live before the first row
        for (Map.Entry<String, ModelControl> e : live.entries()) {
            long t0 = System.nanoTime();
            LoadedModel m = tryLoad(e.getValue(), "restore");
            if (m != null) {
                install(e.getKey(), m);
                reportLive(e.getKey(), m, e.getValue().manifestUri, "restore", t0);
            }
        }
        if (champion == null) {
            // the default model must load: without it the job cannot score, so this is a start-up error
            long t0 = System.nanoTime();
            champion = loader.load(URI.create(defaultModelUri), defaultModelSha256);
            reportLive(ModelControl.CHAMPION, champion, defaultModelUri, "startup", t0);
        }
    }

    @Override
    public void processElement1(StreamRecord<FeaturizedTransaction> record) {
        pending[size] = record.getValue();
        pendingTimestamps[size] = record.hasTimestamp() ? record.getTimestamp() : Long.MIN_VALUE;
        pendingArrivalNanos[size] = System.nanoTime();
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
    public void processElement2(StreamRecord<ModelControl> record) throws Exception {
        flush(); // rows that came before the event are scored by the model they came under
        ModelControl c = record.getValue();
        if (c.error != null) {
            report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, "invalid_control_event", c.error, "control", 0);
            return;
        }
        if (ModelControl.RETIRED.equals(c.role)) {
            retire(c);
            return;
        }
        long t0 = System.nanoTime();
        LoadedModel m = tryLoad(c, "control");
        if (m == null) {
            return;
        }
        if (!c.model.equals(m.name()) || (c.version != null && !c.version.equals(m.version()))) {
            m.close();
            report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, "manifest_mismatch",
                    "the manifest is " + m.name() + " " + m.version() + ", not what the event names", "control", 0);
            return;
        }
        // one role per model name: promotion moves a shadow to champion
        for (String other : new String[] {ModelControl.CHAMPION, ModelControl.SHADOW}) {
            ModelControl held = live.get(other);
            if (!other.equals(c.role) && held != null && c.model.equals(held.model)) {
                clear(other);
            }
        }
        install(c.role, m);
        live.put(c.role, c);
        swaps.inc();
        reportLive(c.role, m, c.manifestUri, "control", t0);
    }

    /** The counter of rejected control events with this reason ({@code fraud_model_rejected_reason_total}). */
    private Counter rejections(String reason) {
        return rejectedByReason.computeIfAbsent(reason, r -> metrics.addGroup("model_rejected").addGroup("reason", r).counter("total"));
    }

    /** Counters of scores in ten bands of width 0.1 ({@code band} is the lower edge). */
    private static Counter[] bands(MetricGroup g, String role) {
        Counter[] c = new Counter[10];
        for (int i = 0; i < c.length; i++) {
            c[i] = g.addGroup("scores").addGroup("role", role).addGroup("band", String.format(java.util.Locale.ROOT, "%.1f", i / 10.0)).counter("total");
        }
        return c;
    }

    private static void record(double score, Histogram permille, Counter[] bands) {
        if (Double.isFinite(score)) {
            permille.update(Math.round(score * 1000));
            bands[(int) Math.max(0, Math.min(9, Math.floor(score * 10)))].inc();
        }
    }

    /**
     * A gauge per role, model and version that was ever live here: 1 while it is live in that role, else 0
     * ({@code fraud_model_live_role_model_version_info}).
     */
    private void registerLiveGauge(String role, LoadedModel m) {
        String name = m.name();
        String version = m.version();
        if (liveGauges.add(role + "/" + name + "/" + version)) {
            metrics.addGroup("model_live").addGroup("role", role).addGroup("model", name).addGroup("version", version)
                    .gauge("info", (Gauge<Integer>) () -> {
                        LoadedModel now = ModelControl.CHAMPION.equals(role) ? champion : shadow;
                        return now != null && now.name().equals(name) && now.version().equals(version) ? 1 : 0;
                    });
        }
    }

    private void reportLive(String role, LoadedModel m, String uri, String cause, long startNanos) {
        registerLiveGauge(role, m);
        report(ModelStatus.LIVE, role, m.name(), m.version(), uri, null, null, cause, (System.nanoTime() - startNanos) / 1_000_000);
    }

    /** Loads and verifies the model of a control event; on failure counts and reports it and returns null. */
    private LoadedModel tryLoad(ModelControl c, String cause) {
        long t0 = System.nanoTime();
        try {
            return loader.load(URI.create(c.manifestUri), c.manifestSha256);
        } catch (ModelRejectedException e) {
            report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, e.reason().code(), e.getMessage(),
                    cause, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, "invalid_control_event",
                    String.valueOf(e.getMessage()), cause, 0);
        }
        return null;
    }

    private void install(String role, LoadedModel m) {
        LoadedModel old;
        if (ModelControl.CHAMPION.equals(role)) {
            old = champion;
            champion = m;
        } else {
            old = shadow;
            shadow = m;
        }
        if (old != null) {
            old.close();
        }
    }

    private void retire(ModelControl c) throws Exception {
        for (String role : new String[] {ModelControl.SHADOW, ModelControl.CHAMPION}) {
            ModelControl held = live.get(role);
            boolean matches = held != null && c.model.equals(held.model) && (c.version == null || c.version.equals(held.version));
            if (!matches) {
                continue;
            }
            if (ModelControl.CHAMPION.equals(role)) {
                report(ModelStatus.REJECTED, role, c.model, c.version, held.manifestUri, "champion_retire",
                        "the champion cannot be retired: publish another champion (or roll back) first", "control", 0);
                return;
            }
            clear(role);
            report(ModelStatus.RETIRED, role, c.model, held.version, held.manifestUri, null, null, "control", 0);
            return;
        }
        report(ModelStatus.REJECTED, ModelControl.RETIRED, c.model, c.version, null, "not_live",
                c.model + " holds no role on this instance", "control", 0);
    }

    private void clear(String role) throws Exception {
        live.remove(role);
        if (ModelControl.SHADOW.equals(role) && shadow != null) {
            shadow.close();
            shadow = null;
        }
    }

    private void report(String status, String role, String model, String version, String uri, String reason,
            String message, String cause, long loadMillis) {
        ModelStatus s = new ModelStatus();
        s.instance = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        s.instances = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        s.status = status;
        s.role = role;
        s.model = model;
        s.version = version;
        s.manifestUri = uri;
        s.reason = reason;
        s.message = message;
        s.cause = cause;
        s.at = System.currentTimeMillis();
        s.loadMillis = loadMillis;
        if (ModelStatus.REJECTED.equals(status)) {
            rejections(reason).inc(); // every rejection is counted here, where it is reported
            LOG.warn("instance {} rejected {} {} as {}: {}", s.instance, model, version, role, message);
        } else {
            LOG.info("instance {}: {} {} {} as {} ({} ms)", s.instance, status, model, version, role, loadMillis);
        }
        output.collect(STATUS, new StreamRecord<>(s));
    }

    @Override
    public void processWatermark1(Watermark mark) {
        flush(); // records before a watermark leave before it
        output.emitWatermark(mark); // the control input carries no event time: only input 1 drives watermarks
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // control events have no event time
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
        long call = System.nanoTime();
        champion.scorer().scoreBatch(rows, size, scores);
        modelCallMicros.update((System.nanoTime() - call) / 1_000);
        if (shadow != null) {
            shadow.scorer().scoreBatch(rows, size, shadowScores);
        }
        long now = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        for (int i = 0; i < size; i++) {
            ScoredTransaction s = scored(pending[i], scores[i], now);
            scoreLatencyMicros.update((nowNanos - pendingArrivalNanos[i]) / 1_000); // batch wait and model call
            ingestToScoreMillis.update(now - s.ingestTime);
            eventToScoreMillis.update(now - s.eventTime);
            record(s.score, championScores, championBands);
            if (shadow != null) {
                s.shadowModel = shadow.name();
                s.shadowVersion = shadow.version();
                s.shadowScore = shadowScores[i];
                record(shadowScores[i], shadowScoreDistribution, shadowBands);
            }
            output.collect(pendingTimestamps[i] == Long.MIN_VALUE
                    ? new StreamRecord<>(s) : new StreamRecord<>(s, pendingTimestamps[i]));
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
        s.threshold = champion.threshold();
        boolean decline = score >= champion.threshold();
        s.decision = decline ? ScoredTransaction.DECLINE : ScoredTransaction.APPROVE;
        (decline ? declined : approved).inc();
        s.model = champion.name();
        s.modelVersion = champion.version();
        s.scoredTime = now;
        return s;
    }

    @Override
    public void close() throws Exception {
        if (champion != null) {
            champion.close();
        }
        if (shadow != null) {
            shadow.close();
        }
        super.close();
    }
}
