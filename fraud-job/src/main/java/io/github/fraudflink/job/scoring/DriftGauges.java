package io.github.fraudflink.job.scoring;

import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.drift.DriftWindow;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The drift windows of the models live in each role, and their metrics: {@code fraud_drift_psi{role, model, version,
 * feature}} per feature the model uses and for {@code score}, and {@code fraud_drift_window_events{role, model,
 * version}}. A model's gauges are NaN once it has left the role, so an alert never fires on a model no longer
 * scoring. A model that comes back to a role starts a new window. Used on the task thread; gauges are read by the
 * metric reporter's.
 */
final class DriftGauges {
    private final MetricGroup group;
    private final DriftSettings settings;
    private final Map<String, Entry> byKey = new HashMap<>();
    private final Map<String, Entry> liveByRole = new HashMap<>();

    /** One role, model and version: its gauges, and the window of the instance live now. */
    private static final class Entry {
        LoadedModel model;
        volatile DriftWindow window;
        volatile boolean live;
    }

    DriftGauges(MetricGroup group, DriftSettings settings) {
        this.group = group;
        this.settings = settings;
    }

    /** The window to count {@code m}'s rows in, as the model live in {@code role} (null: none, or no reference). */
    DriftWindow live(String role, LoadedModel m) {
        Entry current = liveByRole.get(role);
        if (current != null && current.model == m) {
            return current.window;
        }
        if (current != null) {
            current.live = false;
            liveByRole.remove(role);
        }
        if (m == null) {
            return null;
        }
        String key = role + '\u0000' + m.name() + '\u0000' + m.version();
        Entry e = byKey.get(key);
        if (e == null) {
            e = new Entry();
            e.window = settings.windowOf(m);
            byKey.put(key, e);
            register(e, role, m);
        } else {
            e.window = settings.windowOf(m);
        }
        e.model = m;
        e.live = true;
        liveByRole.put(role, e);
        return e.window;
    }

    private void register(Entry e, String role, LoadedModel m) {
        DriftWindow w = e.window;
        if (w == null) {
            return;
        }
        MetricGroup g = group.addGroup("drift").addGroup("role", role).addGroup("model", m.name())
                .addGroup("version", m.version());
        String[] columns = w.columns();
        for (int c = 0; c < columns.length; c++) {
            int column = c;
            g.addGroup("feature", columns[c]).gauge("psi", (Gauge<Double>) () -> {
                DriftWindow now = e.window;
                return e.live && now != null ? now.psi()[column] : Double.NaN;
            });
        }
        g.gauge("window_events", (Gauge<Long>) () -> {
            DriftWindow now = e.window;
            return e.live && now != null ? now.publishedEvents() : 0L;
        });
    }
}
