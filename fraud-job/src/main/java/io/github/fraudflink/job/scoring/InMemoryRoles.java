package io.github.fraudflink.job.scoring;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.model.ModelArtifact;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The role store of a {@link ModelRegistry} in plain maps: for tools that apply control events outside an operator
 * (what a scoring instance would hold after them), and for tests. The operator keeps its roles in broadcast state.
 */
public final class InMemoryRoles implements ModelRegistry.RoleStore {
    private final Map<String, ModelControl> events = new LinkedHashMap<>();
    private final Map<String, ModelArtifact> artifacts = new LinkedHashMap<>();

    /** The event of the live model per role. */
    public Map<String, ModelControl> events() {
        return events;
    }

    @Override
    public ModelControl get(String role) {
        return events.get(role);
    }

    @Override
    public ModelArtifact artifact(String role) {
        return artifacts.get(role);
    }

    @Override
    public void put(String role, ModelControl event, ModelArtifact artifact) {
        events.put(role, event);
        artifacts.put(role, artifact);
    }

    @Override
    public void remove(String role) {
        events.remove(role);
        artifacts.remove(role);
    }

    @Override
    public Iterable<Map.Entry<String, ModelControl>> entries() {
        return new ArrayList<>(events.entrySet());
    }
}
