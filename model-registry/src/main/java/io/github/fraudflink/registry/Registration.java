package io.github.fraudflink.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelArtifact;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.ModelRejectedException;
import io.github.fraudflink.model.Sha256;
import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;

/**
 * Registers a model artifact: reads and verifies it as the job would (checksums, feature schema, golden sample), copies
 * it into the model store when one is given (else it is registered where it is, which must be a location every
 * TaskManager can read), and records it in the registry.
 */
public final class Registration {
    private final Registry registry;
    private final ArtifactStore store;
    private final ModelLoader loader;

    /** @param store the model store, or null to register artifacts where they are */
    public Registration(Registry registry, ArtifactStore store, ModelLoader loader) {
        this.registry = registry;
        this.store = store;
        this.loader = loader;
    }

    /**
     * Verifies and registers the artifact at {@code manifestUri}.
     *
     * @param data what it was trained on; null: what its manifest says ({@link TrainingData#of})
     */
    public ModelVersion register(URI manifestUri, TrainingData data, JsonNode evaluation, String by)
            throws IOException, SQLException {
        ModelArtifact a;
        try {
            a = loader.fetch(manifestUri, null, loader.deadline());
            try (LoadedModel m = loader.build(a)) {
                m.name(); // built and verified: the job would load it
            }
        } catch (ModelRejectedException e) {
            throw new IllegalArgumentException("the job would reject this model: " + e.getMessage(), e);
        }
        ModelManifest m = ModelManifest.read(a.manifest());
        URI where = store == null ? a.manifestUri() : store.put(m, a);
        if (store == null && "classpath".equals(where.getScheme())) {
            throw new IllegalArgumentException(where + " is inside a jar: give --store so it is copied where the"
                    + " TaskManagers can read it");
        }
        return registry.register(m, where.toString(), Sha256.of(a.manifest()),
                data != null ? data : TrainingData.of(m, manifestUri.toString()), evaluation, by);
    }
}
