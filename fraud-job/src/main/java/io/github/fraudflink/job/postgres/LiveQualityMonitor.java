package io.github.fraudflink.job.postgres;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.job.metrics.JobMetrics;
import io.github.fraudflink.sql.SchemaMigrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live model quality from labels, as Flink metrics (so Prometheus, Grafana and the alerts see it): per model, version
 * and role, over the labelled transactions whose label reached PostgreSQL in the last {@code window}, the counts and
 * the precision and recall at the model's threshold, from the view {@code live_model_scores} (the same rows as
 * {@code live_model_quality}); and {@code below_floor}, 1 while precision or recall is under its floor with enough
 * labels to say so. The database is queried every {@code refresh} on a thread of its own, never on the task's.
 * The labels it receives only count: it runs at parallelism 1 beside the labels sink.
 */
public final class LiveQualityMonitor extends AbstractStreamOperator<Void> implements OneInputStreamOperator<Label, Void> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LiveQualityMonitor.class);
    static final String QUERY = "SELECT role, model, model_version, count(*),"
            + " count(*) FILTER (WHERE is_fraud),"
            + " count(*) FILTER (WHERE score >= threshold),"
            + " count(*) FILTER (WHERE score >= threshold AND is_fraud)"
            + " FROM " + SchemaMigrator.MODEL_SCORES_VIEW
            + " WHERE written_at > now() - make_interval(secs => ?) AND threshold IS NOT NULL"
            + " GROUP BY role, model, model_version";

    /** The floors and how much evidence they need. */
    public record Floors(double minPrecision, double minRecall, long minLabelled) implements java.io.Serializable {}

    /** One group's counts. */
    record Quality(long labelled, long frauds, long flagged, long truePositives) {
        double precision() {
            return flagged == 0 ? Double.NaN : (double) truePositives / flagged;
        }

        double recall() {
            return frauds == 0 ? Double.NaN : (double) truePositives / frauds;
        }

        boolean belowFloor(Floors f) {
            return labelled >= f.minLabelled()
                    && ((flagged > 0 && precision() < f.minPrecision()) || (frauds > 0 && recall() < f.minRecall()));
        }
    }

    private final String url;
    private final String user;
    private final Duration window;
    private final Duration refresh;
    private final Floors floors;
    private transient ScheduledExecutorService executor;
    private transient volatile Map<String, Quality> latest;
    private transient Set<String> registered;
    private transient MetricGroup group;
    private transient Counter labels;
    private transient Counter failures;

    public LiveQualityMonitor(String url, String user, Duration window, Duration refresh, Floors floors) {
        this.url = url;
        this.user = user;
        this.window = window;
        this.refresh = refresh;
        this.floors = floors;
    }

    @Override
    public void open() throws Exception {
        super.open();
        latest = Map.of();
        registered = ConcurrentHashMap.newKeySet();
        group = JobMetrics.group(getMetricGroup());
        labels = group.counter("live_quality_labels_total");
        failures = group.counter("live_quality_refresh_failures_total");
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-quality");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void processElement(StreamRecord<Label> element) {
        labels.inc();
    }

    /** Reads the groups' counts and registers the gauges of groups seen for the first time. */
    private void refresh() {
        try {
            Map<String, Quality> now = query(url, user, window);
            latest = now;
            for (String key : now.keySet()) {
                if (registered.add(key)) {
                    register(key);
                }
            }
        } catch (SQLException | RuntimeException e) {
            failures.inc();
            LOG.warn("live quality: reading {} failed (retrying in {}): {}", SchemaMigrator.MODEL_SCORES_VIEW, refresh, e.toString());
        }
    }

    /** A read waits this long at most for a lock (it takes none of its own). */
    private static final long QUERY_LOCK_TIMEOUT_MS = 10_000;

    /** The counts per "role/model/version" over the labels that reached the database in the last {@code window}. */
    static Map<String, Quality> query(String url, String user, Duration window) throws SQLException {
        Map<String, Quality> out = new HashMap<>();
        // through the driver itself: on a cluster DriverManager does not see it ("No suitable driver found")
        try (Connection c = PostgresSessions.connect(url, user, QUERY_LOCK_TIMEOUT_MS); PreparedStatement s = c.prepareStatement(QUERY)) {
            s.setDouble(1, window.toMillis() / 1000.0);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.put(r.getString(1) + "/" + r.getString(2) + "/" + r.getString(3),
                            new Quality(r.getLong(4), r.getLong(5), r.getLong(6), r.getLong(7)));
                }
            }
        }
        return out;
    }

    private void register(String key) {
        String[] k = key.split("/", 3);
        MetricGroup g = group.addGroup("live").addGroup("role", k[0]).addGroup("model", k[1]).addGroup("version", k[2]);
        g.gauge("labelled", (Gauge<Long>) () -> quality(key).labelled());
        g.gauge("frauds", (Gauge<Long>) () -> quality(key).frauds());
        g.gauge("precision", (Gauge<Double>) () -> quality(key).precision());
        g.gauge("recall", (Gauge<Double>) () -> quality(key).recall());
        g.gauge("below_floor", (Gauge<Integer>) () -> quality(key).belowFloor(floors) ? 1 : 0);
    }

    /** A group no longer in the window reads as empty. */
    private Quality quality(String key) {
        return latest.getOrDefault(key, new Quality(0, 0, 0, 0));
    }

    @Override
    public void close() throws Exception {
        if (executor != null) {
            executor.shutdownNow();
        }
        super.close();
    }
}
