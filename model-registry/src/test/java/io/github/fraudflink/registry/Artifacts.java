package io.github.fraudflink.registry;

import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** Model artifacts for tests: the model shipped in the job jar under another name and version (checksums recomputed). */
final class Artifacts {
    private Artifacts() {}

    static URI variant(Path dir, String name, String version) throws IOException {
        ModelManifest m = ModelManifest.read(resource("models/default/manifest.json"));
        byte[] model = resource("models/default/model.json");
        ModelArtifactWriter.write(dir, new ModelManifest(name, version, m.format(), m.modelFile(), m.featureSchemaId(),
                m.featureNames(), m.threshold(), null, m.trainingDataFingerprint(), m.createdAt(), m.createdBy(),
                m.metrics(), m.training(), m.goldenSample(), m.referenceDistributions()), Map.of(m.modelFile(), model));
        return dir.resolve(ModelManifest.FILE_NAME).toUri();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Artifacts.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is not on the class path");
            }
            return in.readAllBytes();
        }
    }
}
