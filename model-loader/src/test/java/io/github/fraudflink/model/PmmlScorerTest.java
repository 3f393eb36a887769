package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.fraudflink.features.FeatureSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.dmg.pmml.PMML;
import org.jpmml.model.PMMLUtil;
import org.jpmml.xgboost.FeatureMap;
import org.jpmml.xgboost.HasXGBoostOptions;
import org.jpmml.xgboost.XGBoostUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An xgboost model converted to PMML by pmml-xgboost (feature map = the schema's names, 'i' for the 0/1 flags,
 * 'q' for the rest) scores like xgboost4j, directly and through the loader.
 */
class PmmlScorerTest {
    private static final int F = FeatureSchema.size();
    private static final Set<String> INDICATORS = Set.of(FeatureSchema.IS_WEEKEND, FeatureSchema.IS_NIGHT);
    private static Booster booster;

    @TempDir
    Path tmp;

    /** Rows as the job computes them: doubles (not float-exact), the flags 0 or 1. */
    private static double[][] rows(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][F];
        for (double[] row : x) {
            for (int j = 0; j < F; j++) {
                row[j] = INDICATORS.contains(FeatureSchema.NAMES.get(j)) ? r.nextInt(2) : r.nextGaussian() * 3 + j;
            }
        }
        return x;
    }

    private static float[] flat(double[][] x) {
        float[] f = new float[x.length * F];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < F; j++) {
                f[i * F + j] = (float) x[i][j];
            }
        }
        return f;
    }

    private static float[] xgboostPredict(double[][] x) throws Exception {
        DMatrix d = new DMatrix(flat(x), x.length, F, Float.NaN);
        float[][] p = booster.predict(d);
        d.dispose();
        float[] out = new float[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = p[i][0];
        }
        return out;
    }

    @BeforeAll
    static void train() throws Exception {
        int n = 2000;
        double[][] x = rows(11, n);
        float[] y = new float[n];
        int weekend = FeatureSchema.indexOf(FeatureSchema.IS_WEEKEND);
        for (int i = 0; i < n; i++) {
            y[i] = x[i][0] + 0.5 * x[i][3] + 2 * x[i][weekend] > 5 ? 1 : 0;
        }
        DMatrix d = new DMatrix(flat(x), n, F, Float.NaN);
        d.setLabel(y);
        booster = XGBoost.train(d, Map.of("objective", "binary:logistic", "max_depth", 4, "eta", 0.3, "nthread", 1,
                "seed", 0), 30, Map.of(), null, null);
        d.dispose();
    }

    @AfterAll
    static void dispose() {
        booster.dispose();
    }

    /** Converts an xgboost model file to PMML with the schema's names as the feature map. */
    static byte[] toPmml(byte[] xgboostModel) throws Exception {
        FeatureMap fmap = new FeatureMap();
        for (String name : FeatureSchema.NAMES) {
            fmap.addEntry(name, INDICATORS.contains(name) ? "i" : "q");
        }
        // input_float: compare features as float32, as xgboost does, so doubles near a split go the same way
        PMML pmml = XGBoostUtil.loadLearner(new ByteArrayInputStream(xgboostModel))
                .encodePMML(Map.of(HasXGBoostOptions.OPTION_INPUT_FLOAT, true), null, null, fmap);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PMMLUtil.marshal(pmml, out);
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"json", "ubj"})
    void convertedModelScoresLikeXgboost(String format) throws Exception {
        byte[] pmml = toPmml(TestModels.save(booster, format));
        assertThat(new String(pmml, StandardCharsets.UTF_8)).contains("name=\"" + FeatureSchema.AMOUNT + "\"")
                .doesNotContain("name=\"f0\"");
        double[][] x = rows(12, 200);
        float[] want = xgboostPredict(x);
        int positives = 0;
        try (PmmlScorer s = PmmlScorer.load(pmml, FeatureSchema.NAMES)) {
            assertThat(s.format()).isEqualTo(ModelManifest.FORMAT_PMML);
            for (int i = 0; i < x.length; i++) {
                double got = s.score(x[i]);
                assertThat(got).as("row %d", i).isCloseTo(want[i], within(1e-6));
                positives += got >= 0.5 ? 1 : 0;
            }
        }
        assertThat(positives).as("the sample has both classes").isBetween(10, x.length - 10);
    }

    @Test
    void refusesAPmmlWhoseInputsAreNotSchemaNames() throws Exception {
        byte[] pmml = toPmml(TestModels.save(booster, "json"));
        List<String> renamed = new ArrayList<>(FeatureSchema.NAMES);
        renamed.set(0, "amount_eur");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> PmmlScorer.load(pmml, renamed)))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("'amount'");
    }

    @Test
    void loaderAcceptsAPmmlArtifactWithXgboostGoldenScores() throws Exception {
        double[][] golden = rows(13, 8);
        float[] expected = xgboostPredict(golden);
        List<ModelManifest.GoldenRow> rows = new ArrayList<>();
        for (int i = 0; i < golden.length; i++) {
            rows.add(new ModelManifest.GoldenRow(golden[i], expected[i]));
        }
        ModelManifest draft = new ModelManifest("pmml-model", "1", ModelManifest.FORMAT_PMML, "model.pmml",
                FeatureSchema.ID, FeatureSchema.NAMES, 0.4, null, "sha256:test", "2026-01-01T00:00:00Z", "test",
                null, null, rows, null);
        Path dir = tmp.resolve("pmml");
        ModelArtifactWriter.write(dir, draft, Map.of("model.pmml", toPmml(TestModels.save(booster, "ubj"))));
        try (LoadedModel m = new ModelLoader().load(dir.resolve("manifest.json").toUri(), null)) {
            assertThat(m.scorer()).isInstanceOf(PmmlScorer.class);
            assertThat(m.threshold()).isEqualTo(0.4);
            assertThat(m.scorer().score(golden[3])).isCloseTo(expected[3], within(1e-6));
        }
    }
}
