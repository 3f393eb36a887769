package io.github.fraudflink.job.records;

import io.github.fraudflink.model.ModelArtifact;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * The verified bytes of a live model in the scorer's broadcast state ({@code live-artifacts}, key: the role), so a
 * restore builds the model again from state, whether or not the artifact store is up. A Flink POJO.
 */
public class StoredArtifact {
    public String manifestUri;
    public byte[] manifest;
    public Map<String, byte[]> files;

    public StoredArtifact() {}

    public static StoredArtifact of(ModelArtifact a) {
        StoredArtifact s = new StoredArtifact();
        s.manifestUri = a.manifestUri().toString();
        s.manifest = a.manifest();
        s.files = new HashMap<>(a.files());
        return s;
    }

    public ModelArtifact artifact() {
        return new ModelArtifact(URI.create(manifestUri), manifest, files);
    }
}
