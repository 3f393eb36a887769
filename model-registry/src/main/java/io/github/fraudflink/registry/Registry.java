package io.github.fraudflink.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.sql.SchemaMigrator;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The model registry in PostgreSQL (tables {@code model_versions}, {@code model_alias_history},
 * {@code model_control_outbox}, migration V4): registers versions and changes their aliases. Every alias change
 * writes, in one transaction, the new aliases, a history row per version whose alias changed, and the model-control
 * event that makes the job follow (to the outbox, which {@link ControlOutbox} sends). Alias changes are serialised
 * by a table lock, so the outbox holds their events in the order of the changes.
 *
 * <p>Aliases mirror the job's roles: one {@code champion} (decides) and one {@code shadow} (scored beside it) in all,
 * whatever the models' names; {@code archived} (was live, is no more); {@code none} (registered, never live).
 */
public final class Registry implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

    private final Connection c;

    private Registry(Connection c) {
        this.c = c;
    }

    /** Migrates the database to the current schema (the registry's tables included) and connects. */
    public static Registry open(String jdbcUrl, String user) throws SQLException {
        SchemaMigrator.migrate(jdbcUrl, user, SchemaMigrator.passwordFromEnvironment());
        return new Registry(SchemaMigrator.connect(jdbcUrl, user));
    }

    /** The connection, for {@link ControlOutbox#drain}. */
    public Connection connection() {
        return c;
    }

    /**
     * Registers a verified model version (alias {@code none}). Registering the same version again with the same
     * manifest is a no-op that returns the row; with another manifest it is refused.
     */
    public ModelVersion register(ModelManifest m, String manifestUri, String manifestSha256, TrainingData data,
            JsonNode evaluation, String by) throws SQLException {
        Optional<ModelVersion> existing = version(m.name(), m.version());
        if (existing.isPresent()) {
            if (existing.get().manifestSha256().equalsIgnoreCase(manifestSha256)) {
                return existing.get();
            }
            throw new IllegalArgumentException(m.name() + " " + m.version() + " is already registered with another"
                    + " manifest (sha256 " + existing.get().manifestSha256() + "); a version is immutable: train or"
                    + " register it under a new version");
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + SchemaMigrator.MODEL_VERSIONS_TABLE
                + " (model, version, format, manifest_uri, manifest_sha256, files, feature_schema, feature_names,"
                + " threshold, training_data, offline_metrics, evaluation, registered_by)"
                + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?)"
                + " ON CONFLICT DO NOTHING")) {
            s.setString(1, m.name());
            s.setString(2, m.version());
            s.setString(3, m.format());
            s.setString(4, manifestUri);
            s.setString(5, manifestSha256);
            s.setString(6, json(m.files()));
            s.setString(7, m.featureSchemaId());
            s.setString(8, json(m.featureNames()));
            s.setDouble(9, m.threshold());
            s.setString(10, json(data));
            s.setString(11, json(m.metrics() == null ? Map.of() : m.metrics()));
            s.setString(12, evaluation == null ? null : json(evaluation));
            s.setString(13, by);
            if (s.executeUpdate() == 0) {
                return register(m, manifestUri, manifestSha256, data, evaluation, by); // registered concurrently
            }
        }
        return version(m.name(), m.version()).orElseThrow();
    }

    /** Records what retraining measured for a version (replacing an earlier evaluation). */
    public void recordEvaluation(String model, String version, JsonNode evaluation) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + SchemaMigrator.MODEL_VERSIONS_TABLE
                + " SET evaluation = ?::jsonb WHERE model = ? AND version = ?")) {
            s.setString(1, json(evaluation));
            s.setString(2, model);
            s.setString(3, version);
            if (s.executeUpdate() == 0) {
                throw notRegistered(model, version);
            }
        }
    }

    public Optional<ModelVersion> version(String model, String version) throws SQLException {
        List<ModelVersion> l = query(" WHERE model = ? AND version = ?", model, version);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** Every version of {@code model} (all models when null), newest registration first. */
    public List<ModelVersion> versions(String model) throws SQLException {
        return model == null ? query("") : query(" WHERE model = ?", model);
    }

    /** The version holding {@code alias} ({@code champion} or {@code shadow}): the job has one of each. */
    public Optional<ModelVersion> holder(String alias) throws SQLException {
        List<ModelVersion> l = query(" WHERE alias = ?", alias);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    /** The alias changes of {@code model} (all models when null), oldest first. */
    public List<AliasChange> history(String model) throws SQLException {
        String sql = "SELECT id, model, version, alias_from, alias_to, changed_by, changed_at, reason, forced FROM "
                + SchemaMigrator.ALIAS_HISTORY_TABLE + (model == null ? "" : " WHERE model = ?") + " ORDER BY id";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (model != null) {
                s.setString(1, model);
            }
            List<AliasChange> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new AliasChange(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                            r.getString(6), r.getTimestamp(7).toInstant(), r.getString(8), r.getBoolean(9)));
                }
            }
            return out;
        }
    }

    /** When {@code version} last took {@code alias}, or empty. */
    public Optional<Instant> since(String model, String version, String alias) throws SQLException {
        return history(model).stream().filter(h -> h.version().equals(version) && h.to().equals(alias))
                .reduce((a, b) -> b).map(AliasChange::at);
    }

    /**
     * Makes {@code version} of {@code model} the {@code champion} or the {@code shadow}; the version holding that
     * alias before (of any model: the job has one champion and one shadow) is archived. A shadow promoted to champion
     * leaves the shadow alias empty, as the job empties the role.
     *
     * @return the change of {@code version}
     */
    public AliasChange promote(String model, String version, String alias, String by, String reason, boolean forced)
            throws SQLException {
        if (!ModelVersion.CHAMPION.equals(alias) && !ModelVersion.SHADOW.equals(alias)) {
            throw new IllegalArgumentException("promote to champion or shadow, not " + alias
                    + " (to take a version out: retire)");
        }
        return inTransaction(() -> {
            ModelVersion target = version(model, version).orElseThrow(() -> notRegistered(model, version));
            if (alias.equals(target.alias())) {
                throw new IllegalArgumentException(model + " " + version + " is already the " + alias);
            }
            if (ModelVersion.SHADOW.equals(alias) && ModelVersion.CHAMPION.equals(target.alias())) {
                throw new IllegalArgumentException(model + " " + version + " is the champion: it cannot be its own"
                        + " shadow");
            }
            Optional<ModelVersion> before = holder(alias);
            if (before.isPresent()) {
                change(before.get(), ModelVersion.ARCHIVED, by, "replaced as " + alias + " by " + model + " " + version
                        + ": " + reason, forced);
            }
            AliasChange h = change(target, alias, by, reason, forced);
            if (ModelVersion.SHADOW.equals(h.from())) {
                // the shadow becomes champion: the job empties the shadow role itself, but the compacted topic's last
                // shadow record would still name it; a retirement first makes that record say what the job holds
                enqueue(new ModelControl(model, version, ModelControl.RETIRED, null, null), by, h.id());
            }
            String role = ModelVersion.CHAMPION.equals(alias) ? ModelControl.CHAMPION : ModelControl.SHADOW;
            enqueue(new ModelControl(model, version, role, target.manifestUri(), target.manifestSha256()), by, h.id());
            return h;
        });
    }

    /**
     * Archives {@code version} of {@code model}, or the shadow when both are null. The shadow is taken out of the job
     * (a {@code retired} event); the champion cannot be retired: promote or roll back another version first.
     */
    public AliasChange retire(String model, String version, String by, String reason) throws SQLException {
        return inTransaction(() -> {
            ModelVersion target = version != null ? version(model, version).orElseThrow(() -> notRegistered(model, version))
                    : holder(ModelVersion.SHADOW).filter(v -> model == null || v.model().equals(model))
                            .orElseThrow(() -> new IllegalArgumentException("no shadow to retire"
                                    + (model == null ? "" : " of model " + model)));
            switch (target.alias()) {
                case ModelVersion.CHAMPION -> throw new IllegalArgumentException(target.model() + " " + target.version()
                        + " is the champion, which cannot be retired: promote another version or roll back first");
                case ModelVersion.ARCHIVED -> throw new IllegalArgumentException(target.model() + " "
                        + target.version() + " is already archived");
                default -> { }
            }
            AliasChange h = change(target, ModelVersion.ARCHIVED, by, reason, false);
            if (ModelVersion.SHADOW.equals(h.from())) {
                enqueue(new ModelControl(target.model(), target.version(), ModelControl.RETIRED, null, null), by, h.id());
            }
            return h;
        });
    }

    /** Makes the version that was champion before the current one the champion again. */
    public AliasChange rollback(String by, String reason) throws SQLException {
        ModelVersion current = holder(ModelVersion.CHAMPION).orElseThrow(() -> new IllegalArgumentException(
                "the registry has no champion: nothing to roll back"));
        AliasChange previous = null;
        List<AliasChange> h = history(null);
        for (int i = h.size() - 1; i >= 0 && previous == null; i--) {
            AliasChange c = h.get(i);
            if (ModelVersion.CHAMPION.equals(c.to())
                    && !(c.model().equals(current.model()) && c.version().equals(current.version()))) {
                previous = c;
            }
        }
        if (previous == null) {
            throw new IllegalArgumentException(current.model() + " " + current.version() + " is the only version that"
                    + " was ever champion: nothing to roll back to");
        }
        return promote(previous.model(), previous.version(), ModelVersion.CHAMPION, by, "rollback from "
                + current.model() + " " + current.version() + ": " + reason, false);
    }

    /** Control events written and not yet sent to the topic. */
    public int pendingEvents() throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM "
                + SchemaMigrator.CONTROL_OUTBOX_TABLE + " WHERE published_at IS NULL")) {
            r.next();
            return r.getInt(1);
        }
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T inTransaction(Work<T> w) throws SQLException {
        c.setAutoCommit(false);
        try {
            // alias changes one at a time (registrations go on): the outbox's ids are then in the order of the
            // changes, which is the order the job must see their events in
            try (Statement s = c.createStatement()) {
                s.execute("LOCK TABLE " + SchemaMigrator.MODEL_VERSIONS_TABLE + " IN SHARE ROW EXCLUSIVE MODE");
            }
            T t = w.run();
            c.commit();
            Faults.crashIf(Faults.AFTER_COMMIT);
            return t;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private AliasChange change(ModelVersion v, String to, String by, String reason, boolean forced) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + SchemaMigrator.MODEL_VERSIONS_TABLE
                + " SET alias = ? WHERE model = ? AND version = ?")) {
            s.setString(1, to);
            s.setString(2, v.model());
            s.setString(3, v.version());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + SchemaMigrator.ALIAS_HISTORY_TABLE
                + " (model, version, alias_from, alias_to, changed_by, reason, forced) VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " RETURNING id, changed_at")) {
            s.setString(1, v.model());
            s.setString(2, v.version());
            s.setString(3, v.alias());
            s.setString(4, to);
            s.setString(5, by);
            s.setString(6, reason);
            s.setBoolean(7, forced);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new AliasChange(r.getLong(1), v.model(), v.version(), v.alias(), to, by,
                        r.getTimestamp(2).toInstant(), reason, forced);
            }
        }
    }

    private void enqueue(ModelControl event, String by, long historyId) throws SQLException {
        event.issuedAt = Instant.now().toString();
        event.issuedBy = by;
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + SchemaMigrator.CONTROL_OUTBOX_TABLE
                + " (record_key, event, history_id) VALUES (?, ?, ?)")) {
            s.setString(1, recordKey(event));
            s.setString(2, new String(ModelControlJson.write(event), StandardCharsets.UTF_8));
            s.setLong(3, historyId);
            s.executeUpdate();
        }
    }

    /**
     * The key of an event's record on the compacted control topic: the role it is about, so that compaction keeps the
     * last champion event and the last shadow event (a retirement is about the shadow), which replayed in offset order
     * give the job exactly the registry's champion and shadow.
     */
    static String recordKey(ModelControl event) {
        return ModelControl.CHAMPION.equals(event.role) ? ModelControl.CHAMPION : ModelControl.SHADOW;
    }

    private List<ModelVersion> query(String where, String... params) throws SQLException {
        String sql = "SELECT model, version, format, manifest_uri, manifest_sha256, files, feature_schema, feature_names,"
                + " threshold, training_data, offline_metrics, evaluation, alias, registered_by, registered_at FROM "
                + SchemaMigrator.MODEL_VERSIONS_TABLE + where
                + " ORDER BY registered_at DESC, model, version";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            List<ModelVersion> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String evaluation = r.getString(12);
                    out.add(new ModelVersion(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                            r.getString(5), read(r.getString(6), new TypeReference<TreeMap<String, String>>() {}),
                            r.getString(7), read(r.getString(8), new TypeReference<List<String>>() {}), r.getDouble(9),
                            read(r.getString(10), new TypeReference<TrainingData>() {}),
                            read(r.getString(11), new TypeReference<TreeMap<String, Double>>() {}),
                            evaluation == null ? null : read(evaluation, new TypeReference<JsonNode>() {}),
                            r.getString(13), r.getString(14), r.getTimestamp(15).toInstant()));
                }
            }
            return out;
        }
    }

    private static IllegalArgumentException notRegistered(String model, String version) {
        return new IllegalArgumentException(model + " " + version + " is not registered (see ./fraud model list --model "
                + model + "; register it with ./fraud model register --manifest ...)");
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable registry row: " + json, e);
        }
    }
}
