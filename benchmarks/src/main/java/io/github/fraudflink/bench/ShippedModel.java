package io.github.fraudflink.bench;

import io.github.fraudflink.model.ModelManifest;
import java.io.IOException;
import java.io.InputStream;

/** The model shipped in the job jar (manifest and XGBoost JSON file), which the scoring benchmarks run. */
record ShippedModel(ModelManifest manifest, byte[] model) {
    static ShippedModel load() throws IOException {
        try (InputStream m = resource("models/default/manifest.json"); InputStream b = resource("models/default/model.json")) {
            return new ShippedModel(ModelManifest.read(m.readAllBytes()), b.readAllBytes());
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ShippedModel.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("no resource " + name + " (it ships in the fraud-job jar)");
        }
        return in;
    }
}
