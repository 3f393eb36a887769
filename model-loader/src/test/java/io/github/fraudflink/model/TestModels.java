package io.github.fraudflink.model;

import io.github.fraudflink.features.FeatureSchema;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/** Small real XGBoost models trained on seeded synthetic rows, and artifacts made from them. */
final class TestModels {
    static final int F = FeatureSchema.size();

    private TestModels() {}

    static float[] rows(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * F];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 3 + (i % F));
        }
        return x;
    }

    static Booster train(long seed) throws Exception {
        int n = 2000;
        float[] x = rows(seed, n);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = x[i * F] + x[i * F + 3] * 0.5 > 4 ? 1 : 0;
        }
        DMatrix d = new DMatrix(x, n, F, Float.NaN);
        d.setLabel(y);
        Map<String, Object> p = Map.of("objective", "binary:logistic", "max_depth", 4, "eta", 0.3, "nthread", 1, "seed", 0);
        Booster b = XGBoost.train(d, p, 30, Map.of(), null, null);
        d.dispose();
        return b;
    }

    /**
     * 40 rounds of depth-4 trees with the hist method on rows with missing values ({@code NaN}): the models of the
     * tests of missing values, whose rows have {@code features} columns.
     */
    static Booster trainHist(float[] x, float[] y, int n, int features) throws Exception {
        DMatrix d = new DMatrix(x, n, features, Float.NaN);
        d.setLabel(y);
        Map<String, Object> p = Map.of("objective", "binary:logistic", "max_depth", 4, "eta", 0.3, "nthread", 1,
                "seed", 0, "tree_method", "hist");
        Booster b = XGBoost.train(d, p, 40, Map.of(), null, null);
        d.dispose();
        return b;
    }

    static byte[] save(Booster b, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.saveModel(out, format);
        return out.toByteArray();
    }

    static double[] row(float[] x, int i) {
        double[] r = new double[F];
        for (int j = 0; j < F; j++) {
            r[j] = x[i * F + j];
        }
        return r;
    }

    /** Writes a valid xgboost-json artifact with a golden sample scored by xgboost4j itself. */
    static ModelManifest artifact(Path dir, Booster b, String version) throws Exception {
        float[] x = rows(99, 5);
        DMatrix d = new DMatrix(x, 5, F, Float.NaN);
        float[][] p = b.predict(d);
        d.dispose();
        List<ModelManifest.GoldenRow> golden = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            golden.add(new ModelManifest.GoldenRow(row(x, i), p[i][0]));
        }
        ModelManifest draft = new ModelManifest("test-model", version, ModelManifest.FORMAT_XGBOOST_JSON, "model.json",
                FeatureSchema.ID, FeatureSchema.NAMES, 0.5, null, "sha256:test", "2026-01-01T00:00:00Z", "test",
                new TreeMap<>(Map.of("auprc", 0.5)), null, golden, null);
        return ModelArtifactWriter.write(dir, draft, Map.of("model.json", save(b, "json")));
    }
}
