package io.github.fraudflink.job.scoring;

import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.metrics.JobMetrics;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.RecordTypes;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ScoredTransaction;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.records.StoredArtifact;
import io.github.fraudflink.model.Decision;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelArtifact;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelRejectedException;
import io.github.fraudflink.model.drift.DriftWindow;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.operators.MailboxExecutor;
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
 * <p><b>Hot swap.</b> A control event's model is fetched and verified by {@link ModelLoader} (checksums, feature
 * schema, golden sample; within a byte limit and a deadline) on a thread of its own ({@link BackgroundLoads}), while
 * this operator goes on scoring with the models it has; the outcome comes back through the task's mailbox, between
 * two rows. A bad model is rejected, counted and reported on the status side output, and the current one keeps
 * scoring. When a new model starts: rows that arrived before its control event are always scored by the model they
 * came under; rows that arrive while it loads too (tens of milliseconds for the shipped model, at most
 * {@code fraud.model.load-timeout}); the first row processed after its load is done is scored by it. Control events
 * apply in arrival order, one load at a time; a newer event for a role replaces one still waiting
 * ({@link PendingControls}).
 *
 * <p><b>State.</b> Broadcast state keeps, per role, the control event whose model is live ({@code live-models}) and
 * that model's verified bytes ({@code live-artifacts}), and the events not yet applied ({@code pending-models}). After
 * a restore, {@link #open()} builds the live models from the kept bytes, without the artifact store, before the
 * first row, and loads the pending events again. Until a champion arrives, the model configured at start-up
 * ({@code fraud.model.uri}) scores.
 *
 * <p><b>Micro-batches.</b> A native xgboost4j call costs about the same for 1 row as for 64, so with a scorer that
 * {@linkplain io.github.fraudflink.model.Scorer#prefersBatches prefers batches} rows wait at most {@code maxDelay} (or
 * until {@code maxBatch} are there) and are scored together; other scorers (the pure-Java XGBoost evaluator, PMML)
 * score each row as it comes. The batch is flushed
 * before each checkpoint barrier, each watermark, each control event and at end of input, so nothing is
 * buffered across a checkpoint and exactly-once holds without keeping the buffer in state.
 */
public final class ScoreOperator extends AbstractStreamOperator<ScoredTransaction>
        implements TwoInputStreamOperator<FeaturizedTransaction, ModelControl, ScoredTransaction> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ScoreOperator.class);

    /** Broadcast state: role -> the control event whose model is live in that role. */
    public static final MapStateDescriptor<String, ModelControl> LIVE_MODELS = new MapStateDescriptor<>(
            "live-models", Types.STRING, RecordTypes.MODEL_CONTROL_STATE);
    /** Broadcast state: role -> the verified bytes of the model live in that role. */
    public static final MapStateDescriptor<String, StoredArtifact> LIVE_ARTIFACTS = new MapStateDescriptor<>(
            "live-artifacts", Types.STRING, RecordTypes.STORED_ARTIFACT_STATE);
    /** Broadcast state: arrival number -> a control event not yet applied (waiting, or its model loading). */
    public static final MapStateDescriptor<String, ModelControl> PENDING_MODELS = new MapStateDescriptor<>(
            "pending-models", Types.STRING, RecordTypes.MODEL_CONTROL_STATE);
    /** Side output of {@link ModelStatus} records. */
    public static final OutputTag<ModelStatus> STATUS = new OutputTag<>("model-status", TypeInformation.of(ModelStatus.class));

    private final String defaultModelUri;
    private final String defaultModelSha256;
    private final int maxBatch;
    private final long maxDelayMillis;
    private final long maxModelBytes;
    private final Duration loadTimeout;
    private final DriftSettings drift;

    private transient BroadcastState<String, ModelControl> live;
    private transient BroadcastState<String, StoredArtifact> liveArtifacts;
    private transient BroadcastState<String, ModelControl> pendingState;
    private transient ModelRegistry models;
    private transient PendingControls controls;
    private transient BackgroundLoads loads;
    private transient FeaturizedTransaction[] pending;
    private transient long[] pendingTimestamps;
    private transient double[][] rows;
    private transient double[][] shadowRows;
    private transient double[] scores;
    private transient double[] shadowScores;
    private transient int size;
    private transient boolean timerSet;
    private transient long[] pendingArrivalNanos;
    private transient Counter[] byDecision;
    private transient Map<String, Counter[]> bandCounters;
    /** The decision counters of the models that decided last, per role: looked up again only when a model changes. */
    private transient LoadedModel countedChampion;
    private transient LoadedModel countedShadow;
    private transient Counter[] championCounters;
    private transient Counter[] shadowCounters;
    private transient Counter explainedChampion;
    private transient Counter explainedShadow;
    private transient DecisionExplainer explainer;
    private transient DriftGauges driftGauges;
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
    private transient MailboxExecutor mailbox;
    private transient ModelLoader loader;
    private transient java.util.concurrent.FutureTask<LoadedModel> defaultModel;
    private transient long defaultStart;

    /** A scorer with the default limits of model loads ({@link ModelLoader#DEFAULT_MAX_BYTES}, {@link ModelLoader#DEFAULT_TIMEOUT}). */
    public ScoreOperator(String defaultModelUri, String defaultModelSha256, int maxBatch, Duration maxDelay) {
        this(defaultModelUri, defaultModelSha256, maxBatch, maxDelay, ModelLoader.DEFAULT_MAX_BYTES, ModelLoader.DEFAULT_TIMEOUT);
    }

    /**
     * @param maxModelBytes most bytes of one model artifact (manifest and files)
     * @param loadTimeout deadline of one model load, from the first byte requested to the verified scorer
     */
    public ScoreOperator(String defaultModelUri, String defaultModelSha256, int maxBatch, Duration maxDelay,
            long maxModelBytes, Duration loadTimeout) {
        this(defaultModelUri, defaultModelSha256, maxBatch, maxDelay, maxModelBytes, loadTimeout, DriftSettings.DEFAULT);
    }

    /** @param drift the drift windows of the live models ({@code fraud.drift.*}) */
    public ScoreOperator(String defaultModelUri, String defaultModelSha256, int maxBatch, Duration maxDelay,
            long maxModelBytes, Duration loadTimeout, DriftSettings drift) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + maxBatch);
        }
        new ModelLoader(maxModelBytes, loadTimeout); // checks the limits where the job is built
        this.defaultModelUri = defaultModelUri;
        this.defaultModelSha256 = defaultModelSha256;
        this.maxBatch = maxBatch;
        this.maxDelayMillis = maxDelay.toMillis();
        this.maxModelBytes = maxModelBytes;
        this.loadTimeout = loadTimeout;
        this.drift = drift;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        live = context.getOperatorStateStore().getBroadcastState(LIVE_MODELS);
        liveArtifacts = context.getOperatorStateStore().getBroadcastState(LIVE_ARTIFACTS);
        pendingState = context.getOperatorStateStore().getBroadcastState(PENDING_MODELS);
    }

    /**
     * Starts loading the default model at once, on a thread of its own: the sinks chained after this operator
     * initialize first (aborting a lost run's Kafka transactions takes seconds after a failover), and the two overlap.
     */
    @Override
    protected void setup(org.apache.flink.streaming.runtime.tasks.StreamTask<?, ?> containingTask,
            org.apache.flink.streaming.api.graph.StreamConfig config,
            org.apache.flink.streaming.api.operators.Output<StreamRecord<ScoredTransaction>> output) {
        super.setup(containingTask, config, output);
        loader = new ModelLoader(maxModelBytes, loadTimeout);
        defaultStart = System.nanoTime();
        defaultModel = new java.util.concurrent.FutureTask<>(() -> loader.load(java.net.URI.create(defaultModelUri), defaultModelSha256));
        Thread t = new Thread(defaultModel, "default-model-loader");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new FeaturizedTransaction[maxBatch];
        pendingTimestamps = new long[maxBatch];
        rows = new double[maxBatch][];
        shadowRows = new double[maxBatch][];
        scores = new double[maxBatch];
        shadowScores = new double[maxBatch];
        pendingArrivalNanos = new long[maxBatch];
        MetricGroup g = JobMetrics.group(getRuntimeContext().getMetricGroup());
        metrics = g;
        byDecision = new Counter[Decision.values().length];
        for (Decision d : Decision.values()) {
            byDecision[d.ordinal()] = g.addGroup("events_scored").addGroup("decision", d.code()).counter("total");
        }
        bandCounters = new HashMap<>();
        explainedChampion = g.addGroup("decisions_explained").addGroup("role", ModelControl.CHAMPION).counter("total");
        explainedShadow = g.addGroup("decisions_explained").addGroup("role", ModelControl.SHADOW).counter("total");
        explainer = new DecisionExplainer();
        driftGauges = new DriftGauges(g, drift);
        swaps = g.counter("model_swaps_total");
        rejectedByReason = new HashMap<>();
        // every reason's counter exists from the start at 0, so Prometheus sees the first rejection as an increase
        for (ModelRejectedException.Reason r : ModelRejectedException.Reason.values()) {
            rejections(r.code());
        }
        for (String r : new String[] {"invalid_control_event", "manifest_mismatch", "champion_retire", "not_live", "already_champion",
                "superseded", "control_queue_full"}) {
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
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        models = new ModelRegistry(loader, new BroadcastRoles(live, liveArtifacts), this::report, subtask,
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
        models.start(defaultModel, defaultModelUri, defaultStart);
        MailboxExecutor mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
        this.mailbox = mailbox;
        loads = new BackgroundLoads(loader, mailbox, "model-loader-" + subtask);
        controls = new PendingControls(new BroadcastPending(pendingState));
        g.gauge("model_loads_pending", (Gauge<Integer>) this::pendingControls);
        pump(); // events that were waiting or loading at the checkpoint load again
    }

    @Override
    public void processElement1(StreamRecord<FeaturizedTransaction> record) {
        pending[size] = record.getValue();
        pendingTimestamps[size] = record.hasTimestamp() ? record.getTimestamp() : Long.MIN_VALUE;
        pendingArrivalNanos[size] = System.nanoTime();
        size++;
        if (size == maxBatch || !batching()) {
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

    /**
     * Whether rows wait for a batch: only when a live model's scorer prefers batches (xgboost4j's native call); the
     * pure-Java evaluator and PMML score each row at once, with no batch delay.
     */
    private boolean batching() {
        LoadedModel champion = models.champion();
        LoadedModel shadow = models.shadow();
        return champion.scorer().prefersBatches() || (shadow != null && shadow.scorer().prefersBatches());
    }

    @Override
    public void processElement2(StreamRecord<ModelControl> record) throws Exception {
        flush(); // rows that came before the event are scored by the model they came under
        ModelControl c = record.getValue();
        try {
            for (ModelControl replaced : controls.add(c, loads.busy())) {
                models.refuse(replaced, "superseded", "a newer control event for the " + replaced.role
                        + " role arrived before this one's model was loaded: " + c);
            }
        } catch (IllegalStateException full) {
            models.refuse(c, "control_queue_full", full.getMessage() + " (models loading one at a time):"
                    + " publish again once model-control-status shows them applied");
            return;
        }
        pump();
    }

    /** Control events received and not yet applied: waiting, or their model loading ({@code fraud_model_loads_pending}). */
    int pendingControls() {
        return controls.size();
    }

    /** Applies waiting control events in order: retirements at once, a model load started in the background. */
    private void pump() throws Exception {
        while (!loads.busy() && !controls.isEmpty()) {
            ModelControl c = controls.peek();
            if (PendingControls.loads(c)) {
                loads.start(c, this::loaded);
            } else {
                controls.poll();
                models.applyWithoutModel(c);
            }
        }
    }

    /** A background load is done (on the task thread, between rows): the model goes live or is rejected. */
    private void loaded(BackgroundLoads.Outcome o) throws Exception {
        controls.poll();
        flush(); // rows that came before the swap are scored by the model they came under
        if (models.apply(o)) {
            swaps.inc();
        }
        pump();
    }

    /** The counter of rejected control events with this reason ({@code fraud_model_rejected_reason_total}). */
    private Counter rejections(String reason) {
        return rejectedByReason.computeIfAbsent(reason, r -> metrics.addGroup("model_rejected").addGroup("reason", r).counter("total"));
    }

    /**
     * The decision counters of a live model in a role, by {@link Decision} ordinal
     * ({@code fraud_decisions_total{role, model, version, decision}}), created when it first decides in that role.
     */
    private Counter[] bands(String role, LoadedModel m) {
        return bandCounters.computeIfAbsent(role + '\u0000' + m.name() + '\u0000' + m.version(), k -> {
            Counter[] c = new Counter[Decision.values().length];
            MetricGroup g = metrics.addGroup("decisions").addGroup("role", role).addGroup("model", m.name())
                    .addGroup("version", m.version());
            for (Decision d : Decision.values()) {
                c[d.ordinal()] = g.addGroup("decision", d.code()).counter("total");
            }
            return c;
        });
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
                        LoadedModel now = models.live(role);
                        return now != null && now.name().equals(name) && now.version().equals(version) ? 1 : 0;
                    });
        }
    }

    /** A model's status from the registry: counted when rejected, logged, sent to the status side output. */
    private void report(ModelStatus s) {
        if (ModelStatus.REJECTED.equals(s.status)) {
            rejections(s.reason).inc(); // every rejection is counted here, where it is reported
            LOG.warn("instance {} rejected {} {} as {}: {}", s.instance, s.model, s.version, s.role, s.message);
        } else {
            if (ModelStatus.LIVE.equals(s.status)) {
                registerLiveGauge(s.role, models.live(s.role));
            }
            LOG.info("instance {}: {} {} {} as {} ({} ms)", s.instance, s.status, s.model, s.version, s.role, s.loadMillis);
        }
        output.collect(STATUS, new StreamRecord<>(s));
    }

    /** The registry's role store: this operator's broadcast state. */
    private static final class BroadcastRoles implements ModelRegistry.RoleStore {
        private final BroadcastState<String, ModelControl> state;
        private final BroadcastState<String, StoredArtifact> artifacts;

        BroadcastRoles(BroadcastState<String, ModelControl> state, BroadcastState<String, StoredArtifact> artifacts) {
            this.state = state;
            this.artifacts = artifacts;
        }

        @Override
        public ModelControl get(String role) throws Exception {
            return state.get(role);
        }

        @Override
        public ModelArtifact artifact(String role) throws Exception {
            StoredArtifact a = artifacts.get(role);
            return a == null ? null : a.artifact();
        }

        @Override
        public void put(String role, ModelControl event, ModelArtifact artifact) throws Exception {
            state.put(role, event);
            artifacts.put(role, StoredArtifact.of(artifact));
        }

        @Override
        public void remove(String role) throws Exception {
            state.remove(role);
            artifacts.remove(role);
        }

        @Override
        public Iterable<Map.Entry<String, ModelControl>> entries() throws Exception {
            return state.entries();
        }
    }

    /** The pending queue's store: this operator's broadcast state. */
    private static final class BroadcastPending implements PendingControls.Store {
        private final BroadcastState<String, ModelControl> state;

        BroadcastPending(BroadcastState<String, ModelControl> state) {
            this.state = state;
        }

        @Override
        public void put(String key, ModelControl event) throws Exception {
            state.put(key, event);
        }

        @Override
        public void remove(String key) throws Exception {
            state.remove(key);
        }

        @Override
        public Iterable<Map.Entry<String, ModelControl>> entries() throws Exception {
            return state.entries();
        }
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

    /** At the end of input: the rows out, then the control events still loading applied (each within its deadline). */
    @Override
    public void finish() throws Exception {
        flush();
        while (!controls.isEmpty()) {
            mailbox.yield();
        }
        super.finish();
    }

    private void flush() {
        if (size == 0) {
            return;
        }
        LoadedModel champion = models.champion();
        LoadedModel shadow = models.shadow();
        for (int i = 0; i < size; i++) {
            // the features the model names, in its order: computed ones, and the transaction's own (time, attributes)
            rows[i] = champion.select(pending[i].features, pending[i].transaction);
        }
        long call = System.nanoTime();
        champion.scorer().scoreBatch(rows, size, scores);
        modelCallMicros.update((System.nanoTime() - call) / 1_000);
        if (shadow != null) {
            for (int i = 0; i < size; i++) {
                shadowRows[i] = shadow.select(pending[i].features, pending[i].transaction);
            }
            shadow.scorer().scoreBatch(shadowRows, size, shadowScores);
        }
        long now = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        if (champion != countedChampion) {
            championCounters = bands(ModelControl.CHAMPION, champion);
            countedChampion = champion;
        }
        if (shadow != countedShadow) {
            shadowCounters = shadow == null ? null : bands(ModelControl.SHADOW, shadow);
            countedShadow = shadow;
        }
        Counter[] championDecisions = championCounters;
        Counter[] shadowDecisions = shadowCounters;
        DriftWindow championDrift = driftGauges.live(ModelControl.CHAMPION, champion);
        DriftWindow shadowDrift = driftGauges.live(ModelControl.SHADOW, shadow);
        for (int i = 0; i < size; i++) {
            ScoredTransaction s = scored(pending[i], rows[i], champion, scores[i], now);
            scoreLatencyMicros.update((nowNanos - pendingArrivalNanos[i]) / 1_000); // batch wait and model call
            ingestToScoreMillis.update(now - s.ingestTime);
            eventToScoreMillis.update(now - s.eventTime);
            record(s.score, championScores, championBands);
            if (championDrift != null) {
                championDrift.add(s.eventTime, rows[i], s.score);
            }
            Decision decided = champion.decide(s.score);
            byDecision[decided.ordinal()].inc();
            championDecisions[decided.ordinal()].inc();
            if (decided != Decision.APPROVE) { // approvals pay nothing for explanations
                s.reasons = explainer.explain(champion, rows[i]);
                if (s.reasons != null) {
                    explainedChampion.inc();
                }
            }
            if (shadow != null) {
                s.shadowModel = shadow.name();
                s.shadowVersion = shadow.version();
                s.shadowScore = shadowScores[i];
                s.shadowThreshold = shadow.threshold();
                s.shadowReviewThreshold = shadow.reviewThreshold();
                Decision shadowDecided = shadow.decide(shadowScores[i]);
                s.shadowDecision = shadowDecided.code();
                shadowDecisions[shadowDecided.ordinal()].inc();
                if (shadowDecided != decided && shadowDecided != Decision.APPROVE) {
                    s.shadowReasons = explainer.explain(shadow, shadowRows[i]);
                    if (s.shadowReasons != null) {
                        explainedShadow.inc();
                    }
                }
                record(shadowScores[i], shadowScoreDistribution, shadowBands);
                if (shadowDrift != null) {
                    shadowDrift.add(s.eventTime, shadowRows[i], shadowScores[i]);
                }
            }
            shadowRows[i] = null;
            output.collect(pendingTimestamps[i] == Long.MIN_VALUE
                    ? new StreamRecord<>(s) : new StreamRecord<>(s, pendingTimestamps[i]));
            pending[i] = null;
            rows[i] = null;
        }
        size = 0;
    }

    private ScoredTransaction scored(FeaturizedTransaction f, double[] row, LoadedModel champion, double score, long now) {
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
        s.features = row;
        s.featureNames = champion.featureNames();
        s.featureSchema = champion.featureSchema();
        s.duplicate = f.duplicate;
        s.score = score;
        s.threshold = champion.threshold();
        s.reviewThreshold = champion.reviewThreshold();
        s.decision = champion.decide(score).code();
        s.model = champion.name();
        s.modelVersion = champion.version();
        s.scoredTime = now;
        return s;
    }

    @Override
    public void close() throws Exception {
        if (loads != null) {
            loads.close();
        }
        if (models != null) {
            models.close();
        } else if (defaultModel != null) { // closed before open(): the default model, once loaded, has no owner
            Thread t = new Thread(() -> {
                try {
                    defaultModel.get().close();
                } catch (Exception | Error notLoaded) {
                    // nothing to close
                }
            }, "default-model-closer");
            t.setDaemon(true);
            t.start();
        }
        super.close();
    }
}
