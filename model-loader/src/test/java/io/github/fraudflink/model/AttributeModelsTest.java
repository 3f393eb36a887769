package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.ModelInputs;
import io.github.fraudflink.features.Transaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model of {@code attributes-v1} (amount, time_of_day, attributes, some of them missing in training) through the
 * loader as the job runs it: rows made by {@link LoadedModel#select(double[], Transaction)} with random attributes
 * missing score what xgboost4j's own {@code Booster.predict} (a {@code DMatrix} with NaN as missing, the trainer's
 * call) gives the same rows; a golden sample with missing values survives the manifest; names the job cannot feed are
 * refused; and models of the computed sets are fed exactly as before. A failure prints its seed; {@code QT_SEED=N}
 * replays it.
 */
class AttributeModelsTest {
    static final List<String> ATTRIBUTES = List.of("V1", "V2", "V10", "amount", "é");
    static final FeatureCatalog.FeatureSet SET = FeatureCatalog.attributes(ATTRIBUTES);
    static final int F = SET.size();
    static final Path SHIPPED = Path.of("..", "fraud-job", "src", "main", "resources", "models", "default");

    @TempDir
    static Path tmp;
    static Booster booster;
    static Path artifact;

    @BeforeAll
    static void train() throws Exception {
        booster = trainWithMissingAttributes(11);
        artifact = tmp.resolve("attributes");
        float[] x = rows(12, 30, 0.3);
        DMatrix d = new DMatrix(x, 30, F, Float.NaN);
        float[][] p = booster.predict(d);
        d.dispose();
        List<ModelManifest.GoldenRow> golden = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            golden.add(new ModelManifest.GoldenRow(row(x, i), p[i][0]));
        }
        ModelManifest draft = new ModelManifest("attr-model", "1", ModelManifest.FORMAT_XGBOOST_JSON, "model.json",
                SET.id(), SET.names(), 0.5, null, "sha256:test", "2026-01-01T00:00:00Z", "test",
                new TreeMap<>(Map.of("auprc", 0.5)), null, golden, null);
        ModelArtifactWriter.write(artifact, draft, Map.of("model.json", TestModels.save(booster, "json")));
    }

    @AfterAll
    static void dispose() {
        booster.dispose();
    }

    @Test
    void theJobsRowsWithMissingAttributesScoreAsXgboost4jPredicts() throws Exception {
        try (LoadedModel m = new ModelLoader().load(artifact.toUri(), null)) {
            assertThat(m.scorer()).isInstanceOf(JavaXgboostScorer.class);
            assertThat(m.needsTransaction()).isTrue();
            assertThat(m.featureNames()).containsExactly("amount", "time_of_day", "attribute.V1", "attribute.V2",
                    "attribute.V10", "attribute.amount", "attribute.é");
            assertThat(m.manifest().goldenSample()).anySatisfy(g -> assertThat(g.features()).contains(Double.NaN));
            int[] missing = new int[1];
            int[] flagged = new int[1];
            qt().withExamples(3_000).forAll(longs().all(), doubles().between(0, 1)).checkAssert((seed, share) -> {
                Random r = new Random(seed);
                double[] computed = r.doubles(FeatureCatalog.SERVED.size(), 0, 50).toArray();
                Transaction tx = new Transaction("t", "a", 1_378_080_000_000L + (long) (r.nextDouble() * 2 * 86_400_000L),
                        computed[0]);
                Map<String, Double> attrs = new HashMap<>();
                for (String a : ATTRIBUTES) {
                    if (r.nextDouble() >= share) {
                        attrs.put(a, r.nextGaussian() * 3);
                    }
                }
                attrs.put("V3", 1.0); // not the model's: ignored
                tx.attributes = r.nextBoolean() ? attrs : null;
                double[] row = m.select(computed, tx);
                assertThat(row[0]).isEqualTo(computed[0]);
                assertThat(row[1]).isEqualTo(ModelInputs.timeOfDay(tx.eventTime));
                for (int j = 0; j < ATTRIBUTES.size(); j++) {
                    Double want = tx.attributes == null ? null : tx.attributes.get(ATTRIBUTES.get(j));
                    assertThat(Double.doubleToLongBits(row[2 + j])).as("attribute %s", ATTRIBUTES.get(j))
                            .isEqualTo(Double.doubleToLongBits(want == null ? Double.NaN : want));
                    missing[0] += want == null ? 1 : 0;
                }
                double oracle = predict(row);
                assertThat(m.scorer().score(row)).as("row %s", java.util.Arrays.toString(row))
                        .isCloseTo(oracle, within(JavaXgboostScorerTest.TOLERANCE));
                flagged[0] += oracle >= 0.5 ? 1 : 0;
            });
            assertThat(missing[0]).as("missing attributes were scored").isPositive();
            assertThat(flagged[0]).as("both classes are scored").isBetween(1, 2_999);
        }
    }

    /** JavaXgboostScorer against {@code Booster.predict} on rows with random NaNs anywhere, around every split. */
    @Test
    void javaScorerTreatsNaNAsXgboost4jPredictDoes() throws Exception {
        byte[] model = TestModels.save(booster, "json");
        double[][] rows = JavaXgboostScorerTest.randomRows(JavaXgboostScorerTest.JSON.readTree(model), F, 20_000,
                new Random(JavaXgboostScorerTest.SEED + 7));
        Random r = new Random(JavaXgboostScorerTest.SEED + 8);
        for (double[] row : rows) { // more missing values than randomRows' 10%: each row its own share
            double share = r.nextDouble() * 0.6;
            for (int j = 0; j < F; j++) {
                row[j] = r.nextDouble() < share ? Double.NaN : row[j];
            }
        }
        float[] flat = new float[rows.length * F];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < F; j++) {
                flat[i * F + j] = (float) rows[i][j];
            }
        }
        DMatrix d = new DMatrix(flat, rows.length, F, Float.NaN);
        float[][] want = booster.predict(d);
        d.dispose();
        long[] defaults = new long[2];
        double max = 0;
        int exact = 0;
        try (JavaXgboostScorer java = JavaXgboostScorer.load(model, F)) {
            for (int i = 0; i < rows.length; i++) {
                double got = java.score(rows[i]);
                java.countDefaultPaths(rows[i], defaults);
                max = Math.max(max, Math.abs(got - want[i][0]));
                exact += (float) got == want[i][0] ? 1 : 0;
            }
        }
        System.out.printf("attributes model, %,d rows with NaNs: max |java - Booster.predict| = %.3g, %,d equal as floats,"
                + " missing values sent default-left %,d times, default-right %,d%n", rows.length, max, exact,
                defaults[0], defaults[1]);
        assertThat(max).isLessThanOrEqualTo(JavaXgboostScorerTest.TOLERANCE);
        assertThat(defaults[0]).as("default-left paths taken").isPositive();
        assertThat(defaults[1]).as("default-right paths taken").isPositive();
    }

    @Test
    void namesTheJobCannotFeedAreRefusedWithTheirCause() throws Exception {
        for (String bad : List.of("attribute.", "attribute.V\u0000", "colour")) {
            Path dir = tmp.resolve("bad-" + Math.abs(bad.hashCode()));
            List<String> names = new ArrayList<>(SET.names());
            names.set(3, bad);
            ModelManifest good = ModelManifest.read(artifact.resolve(ModelManifest.FILE_NAME));
            ModelArtifactWriter.write(dir, new ModelManifest(good.name(), good.version(), good.format(), good.modelFile(),
                    good.featureSchemaId(), names, good.threshold(), null, good.trainingDataFingerprint(),
                    good.createdAt(), good.createdBy(), good.metrics(), good.training(), good.goldenSample(), null),
                    Map.of("model.json", TestModels.save(booster, "json")));
            ModelRejectedException e = catchThrowableOfType(ModelRejectedException.class,
                    () -> new ModelLoader().load(dir.toUri(), null));
            assertThat(e.reason()).as(bad).isEqualTo(ModelRejectedException.Reason.SCHEMA_MISMATCH);
            assertThat(e.getMessage()).contains(bad.equals("colour") ? "does not compute: [colour]"
                    : "is not a valid attribute feature");
        }
    }

    /** The shipped model and a model of account-v1: rows and scores as FeatureCatalog.indexOf selected them before. */
    @Test
    void modelsOfTheComputedSetsAreFedAsBefore() throws Exception {
        Path accountModel = tmp.resolve("account");
        Booster account = TestModels.train(3);
        TestModels.artifact(accountModel, account, "1");
        account.dispose();
        for (Path dir : List.of(SHIPPED, accountModel)) {
            try (LoadedModel m = new ModelLoader().load(dir.toUri(), null)) {
                assertThat(m.needsTransaction()).isFalse();
                int[] index = FeatureCatalog.indexOf(FeatureCatalog.SERVED.names(), m.featureSchema(),
                        m.manifest().featureNames());
                SplittableRandom r = new SplittableRandom(5);
                for (int k = 0; k < 500; k++) {
                    double[] computed = r.doubles(FeatureCatalog.SERVED.size(), 0, 100).toArray();
                    Transaction tx = new Transaction("t", "a", r.nextLong(1_500_000_000_000L, 1_600_000_000_000L), 5);
                    tx.attributes = Map.of("V1", 3.0, "amount", 1e6);
                    double[] before = IntStream.of(index).mapToDouble(i -> computed[i]).toArray();
                    assertThat(m.select(computed, tx)).containsExactly(before);
                    assertThat(m.select(computed)).containsExactly(before);
                    assertThat(m.scorer().score(m.select(computed, tx))).isEqualTo(m.scorer().score(before));
                }
            }
        }
    }

    private static double predict(double[] row) {
        float[] x = new float[row.length];
        for (int j = 0; j < row.length; j++) {
            x[j] = (float) row[j];
        }
        try {
            DMatrix d = new DMatrix(x, 1, row.length, Float.NaN);
            try {
                return booster.predict(d)[0][0];
            } finally {
                d.dispose();
            }
        } catch (ml.dmlc.xgboost4j.java.XGBoostError e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of {@link #SET}: amount, time of day, attributes; each value missing with probability {@code missing}. */
    static float[] rows(long seed, int n, double missing) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * F];
        for (int i = 0; i < n; i++) {
            x[i * F] = (float) Math.exp(r.nextDouble() * 6);
            x[i * F + 1] = (float) (r.nextDouble() * 24);
            for (int j = 2; j < F; j++) {
                x[i * F + j] = r.nextDouble() < missing ? Float.NaN : (float) (r.nextGaussian() * 3);
            }
        }
        return x;
    }

    static double[] row(float[] x, int i) {
        double[] r = new double[F];
        for (int j = 0; j < F; j++) {
            r[j] = x[i * F + j];
        }
        return r;
    }

    /**
     * Fraud when V1 is high or V2 is missing with a large amount; V10 missing mostly on genuine rows: splits whose
     * default directions go both ways.
     */
    static Booster trainWithMissingAttributes(long seed) throws Exception {
        int n = 5000;
        float[] x = rows(seed, n, 0.15);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            boolean v2Missing = Float.isNaN(x[i * F + 3]);
            y[i] = x[i * F + 2] > 3 || (v2Missing && x[i * F] > 100) || (x[i * F + 1] < 5 && x[i * F + 4] > 2) ? 1 : 0;
        }
        return TestModels.trainHist(x, y, n, F);
    }
}
