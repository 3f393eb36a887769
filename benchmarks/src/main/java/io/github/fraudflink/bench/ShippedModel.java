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

    /** Its number of input features. */
    int features() {
        return manifest.featureNames().size();
    }

    /** {@code n} feature rows: the manifest's golden sample (real feature vectors), cycled, each a copy. */
    double[][] goldenRows(int n) {
        java.util.List<ModelManifest.GoldenRow> golden = manifest.goldenSample();
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = golden.get(i % golden.size()).features().clone();
        }
        return rows;
    }

    private static InputStream resource(String name) {
        InputStream in = ShippedModel.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("no resource " + name + " (it ships in the fraud-job jar)");
        }
        return in;
    }
}
