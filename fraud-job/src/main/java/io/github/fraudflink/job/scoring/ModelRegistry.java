package io.github.fraudflink.job.scoring;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelArtifact;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelRejectedException;
import java.net.URI;
import java.util.Map;

/**
 * The models of one scoring instance: the live champion and shadow, and what happens to them on a model-control
 * event. Plain Java (no operator), so every rule is a unit test; {@link ScoreOperator} wires it to broadcast state
 * and its side output.
 *
 * <p>Rules: a control event's model is loaded and verified ({@link ModelLoader}: checksums, feature schema, golden
 * sample; off the task thread, by {@link BackgroundLoads}) before it replaces anything, and must be the model and version the event names; a rejected one leaves the
 * current models as they are. Publishing the shadow's version as champion promotes it (the shadow role is emptied); a new
 * version of the champion's model can be its shadow, the champion's own version cannot. The champion cannot be
 * retired (publish another one first). Every outcome is reported as a {@link ModelStatus}.
 */
public final class ModelRegistry implements AutoCloseable {
    /** Where the wanted model per role is kept (the operator's broadcast state; a map in tests). */
    public interface RoleStore {
        ModelControl get(String role) throws Exception;

        /** The verified bytes of the role's live model, or null where none are kept (the state of an earlier release). */
        ModelArtifact artifact(String role) throws Exception;

        void put(String role, ModelControl event, ModelArtifact artifact) throws Exception;

        void remove(String role) throws Exception;

        Iterable<Map.Entry<String, ModelControl>> entries() throws Exception;
    }

    /** Receives every status: live, rejected, retired. */
    public interface Reports {
        void report(ModelStatus status);
    }

    private final ModelLoader loader;
    private final RoleStore roles;
    private final Reports reports;
    private final int instance;
    private final int instances;
    private LoadedModel champion;
    private LoadedModel shadow;

    public ModelRegistry(ModelLoader loader, RoleStore roles, Reports reports, int instance, int instances) {
        this.loader = loader;
        this.roles = roles;
        this.reports = reports;
        this.instance = instance;
        this.instances = instances;
    }

    /**
     * Builds the models the store names (after a restore) from the bytes it keeps, without the artifact store (state
     * of an earlier release, which kept no bytes: fetched again, within the loader's limits); then, if no champion
     * came of it, loads the default model, which must load: without it nothing can be scored, so that is a start-up
     * error.
     */
    public void start(String defaultUri, String defaultSha256) throws Exception {
        long t0 = System.nanoTime();
        LoadedModel m = loader.load(URI.create(defaultUri), defaultSha256);
        start(java.util.concurrent.CompletableFuture.completedFuture(m), defaultUri, t0);
    }

    /**
     * {@link #start(String, String)} with the default model loading already (started before the operator's sinks
     * initialize, so the two overlap): used if no champion is restored, else closed.
     *
     * @param defaultStartNanos when its load started
     */
    public void start(java.util.concurrent.Future<LoadedModel> defaultModel, String defaultUri, long defaultStartNanos)
            throws Exception {
        for (Map.Entry<String, ModelControl> e : roles.entries()) {
            long t0 = System.nanoTime();
            ModelControl c = e.getValue();
            ModelArtifact kept = roles.artifact(e.getKey());
            BackgroundLoads.Outcome o = kept != null ? build(c, kept, t0) : BackgroundLoads.load(loader, c);
            if (o.model() == null) {
                reject(c, o, "restore");
                continue;
            }
            install(e.getKey(), o.model());
            if (kept == null) {
                roles.put(e.getKey(), c, o.artifact()); // kept from now on
            }
            reportLive(e.getKey(), o.model(), c.manifestUri, "restore", t0);
        }
        LoadedModel fallback;
        try {
            fallback = defaultModel.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (champion != null) {
                return; // a restored champion scores: the default is not needed
            }
            throw e.getCause() instanceof Exception x ? x : e;
        }
        if (champion == null) {
            champion = fallback;
            reportLive(ModelControl.CHAMPION, champion, defaultUri, "startup", defaultStartNanos);
        } else {
            fallback.close();
        }
    }

    private BackgroundLoads.Outcome build(ModelControl c, ModelArtifact kept, long t0) {
        try {
            return new BackgroundLoads.Outcome(c, loader.build(kept), kept, null, (System.nanoTime() - t0) / 1_000_000);
        } catch (ModelRejectedException e) {
            return new BackgroundLoads.Outcome(c, null, null, e, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** Applies an event that loads no model: one that could not be read, or a retirement. */
    public void applyWithoutModel(ModelControl c) throws Exception {
        if (c.error != null) {
            report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, "invalid_control_event", c.error, "control", 0);
        } else if (ModelControl.RETIRED.equals(c.role)) {
            retire(c);
        } else {
            throw new IllegalArgumentException(c + " loads a model: apply its load's outcome");
        }
    }

    /**
     * Applies a control event on the calling thread, loading its model there (for tools that replay the control
     * topic, such as a check that the registry and the job agree; the operator loads in the background instead).
     * Returns whether a model went live.
     */
    public boolean applyInline(ModelControl c) throws Exception {
        if (c.error != null || ModelControl.RETIRED.equals(c.role)) {
            applyWithoutModel(c);
            return false;
        }
        return apply(BackgroundLoads.load(loader, c));
    }

    /** Refuses a control event that never got to load, with a reason code and a message. */
    public void refuse(ModelControl c, String reason, String message) {
        report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, reason, message, "control", 0);
    }

    /** Applies the outcome of loading a control event's model; returns whether a model went live (a swap). */
    public boolean apply(BackgroundLoads.Outcome o) throws Exception {
        ModelControl c = o.event();
        LoadedModel m = o.model();
        if (m == null) {
            reject(c, o, "control");
            return false;
        }
        if (!c.model.equals(m.name()) || (c.version != null && !c.version.equals(m.version()))) {
            m.close();
            report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, "manifest_mismatch",
                    "the manifest is " + m.name() + " " + m.version() + ", not what the event names", "control", 0);
            return false;
        }
        ModelControl champion = roles.get(ModelControl.CHAMPION);
        if (ModelControl.SHADOW.equals(c.role) && champion != null && c.model.equals(champion.model)
                && m.version().equals(champion.version)) {
            m.close();
            report(ModelStatus.REJECTED, c.role, c.model, m.version(), c.manifestUri, "already_champion",
                    "this version already scores as champion: a shadow of it would compare it with itself", "control", 0);
            return false;
        }
        // promotion: the shadow's version published as champion leaves the shadow role (another version of the
        // shadow's model as champion, e.g. a rollback, leaves the shadow where it is; a new version of the champion's
        // model published as shadow leaves the champion where it is)
        ModelControl shadowHeld = roles.get(ModelControl.SHADOW);
        if (ModelControl.CHAMPION.equals(c.role) && shadowHeld != null && c.model.equals(shadowHeld.model)
                && (shadowHeld.version == null || shadowHeld.version.equals(m.version()))) {
            clear(ModelControl.SHADOW);
        }
        install(c.role, m);
        roles.put(c.role, c, o.artifact());
        report(ModelStatus.LIVE, c.role, m.name(), m.version(), c.manifestUri, null, null, "control", o.millis());
        return true;
    }

    private void reject(ModelControl c, BackgroundLoads.Outcome o, String cause) {
        report(ModelStatus.REJECTED, c.role, c.model, c.version, c.manifestUri, o.error().reason().code(),
                o.error().getMessage(), cause, o.millis());
    }

    public LoadedModel champion() {
        return champion;
    }

    /** The shadow, or null. */
    public LoadedModel shadow() {
        return shadow;
    }

    /** The model live in {@code role} now, or null. */
    public LoadedModel live(String role) {
        return ModelControl.CHAMPION.equals(role) ? champion : shadow;
    }

    private void reportLive(String role, LoadedModel m, String uri, String cause, long startNanos) {
        report(ModelStatus.LIVE, role, m.name(), m.version(), uri, null, null, cause, (System.nanoTime() - startNanos) / 1_000_000);
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
            ModelControl held = roles.get(role);
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
        roles.remove(role);
        if (ModelControl.SHADOW.equals(role) && shadow != null) {
            shadow.close();
            shadow = null;
        }
    }

    private void report(String status, String role, String model, String version, String uri, String reason,
            String message, String cause, long loadMillis) {
        ModelStatus s = new ModelStatus();
        s.instance = instance;
        s.instances = instances;
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
        reports.report(s);
    }

    @Override
    public void close() {
        if (champion != null) {
            champion.close();
            champion = null;
        }
        if (shadow != null) {
            shadow.close();
            shadow = null;
        }
    }
}
