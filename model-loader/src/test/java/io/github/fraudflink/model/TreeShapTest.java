package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.Test;

/**
 * TreeSHAP on the pure-Java evaluator's trees, against two oracles: the contributions plus the bias sum to the
 * model's margin (the leaves the row reaches, summed in double; within 1e-6), and they are xgboost4j's own
 * {@code predictContrib} (within its float rounding), on the
 * shipped model's golden sample, on 100,000 generated rows around and beyond every split with ~10% missing values,
 * and on a model trained here whose missing values go both ways.
 */
class TreeShapTest {
    /** xgboost4j accumulates in float: its contributions differ from these (double) by float rounding. */
    static final double VS_XGBOOST = 2e-5;
    static final double VS_MARGIN = 1e-6;

    private record Check(double maxVsMargin, double maxVsXgboost, int rows, boolean tabulated) {}

    /**
     * The row's margin summed in double: the base margin plus the leaf each tree sends the row to (the scorer's own
     * {@code marginOf} adds in float, as XGBoost does, which is up to ~1e-5 off this sum over a few hundred trees).
     */
    static double exactMargin(JavaXgboostScorer s, double[] row) {
        double sum = s.baseMargin;
        for (int root : s.roots) {
            int node = root;
            int f;
            while ((f = s.feature[node]) >= 0) {
                float v = (float) row[f];
                int right = v >= s.value[node] ? 1 : (v != v ? s.missingRight[node] : 0);
                node = s.child[node] + right;
            }
            sum += s.value[node];
        }
        return sum;
    }

    private static Check check(byte[] modelJson, int features, double[][] rows) throws Exception {
        double maxMargin = 0;
        double maxXgb = 0;
        boolean tabulated;
        try (JavaXgboostScorer s = JavaXgboostScorer.load(modelJson, features)) {
            TreeShap shap = new TreeShap(s);
            float[] flat = new float[rows.length * features];
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < features; j++) {
                    flat[i * features + j] = (float) rows[i][j];
                }
            }
            Booster b = XGBoost.loadModel(modelJson);
            DMatrix d = new DMatrix(flat, rows.length, features, Float.NaN);
            float[][] contrib = b.predictContrib(d, 0);
            d.dispose();
            b.dispose();
            double[] phi = new double[features];
            for (int i = 0; i < rows.length; i++) {
                // both ways: the per-leaf tables (what explain uses when they fit) and the recursion
                for (int way = 0; way < 2; way++) {
                    double bias = way == 0 ? shap.explain(rows[i], phi) : shap.explainByRecursion(rows[i], phi);
                    double sum = bias;
                    for (int j = 0; j < features; j++) {
                        sum += phi[j];
                        maxXgb = Math.max(maxXgb, Math.abs(phi[j] - contrib[i][j]));
                    }
                    maxXgb = Math.max(maxXgb, Math.abs(bias - contrib[i][features]));
                    maxMargin = Math.max(maxMargin, Math.abs(sum - exactMargin(s, rows[i])));
                }
            }
            tabulated = shap.tabulated();
        }
        return new Check(maxMargin, maxXgb, rows.length, tabulated);
    }

    @Test
    void theShippedModelsContributionsSumToItsMarginAndAreXgboostsOnGeneratedRows() throws Exception {
        JavaXgboostScorerTest.setUp();
        Random r = new Random(JavaXgboostScorerTest.SEED + 7);
        double[][] rows = JavaXgboostScorerTest.randomRows(JavaXgboostScorerTest.JSON.readTree(
                JavaXgboostScorerTest.shippedModel), JavaXgboostScorerTest.shippedF, 100_000, r);
        Check c = check(JavaXgboostScorerTest.shippedModel, JavaXgboostScorerTest.shippedF, rows);
        System.out.printf("TreeShap, shipped model, %,d generated rows: largest |sum - margin| %.2e, largest |phi -"
                + " xgboost4j| %.2e%n", c.rows(), c.maxVsMargin(), c.maxVsXgboost());
        assertThat(c.maxVsMargin()).isLessThanOrEqualTo(VS_MARGIN);
        assertThat(c.maxVsXgboost()).isLessThanOrEqualTo(VS_XGBOOST);
        assertThat(c.tabulated()).as("the shipped model fits the per-leaf tables").isTrue();

        double[][] golden = JavaXgboostScorerTest.shippedManifest.goldenSample().stream()
                .map(ModelManifest.GoldenRow::features).toArray(double[][]::new);
        Check g = check(JavaXgboostScorerTest.shippedModel, JavaXgboostScorerTest.shippedF, golden);
        assertThat(g.maxVsMargin()).isLessThanOrEqualTo(VS_MARGIN);
        assertThat(g.maxVsXgboost()).isLessThanOrEqualTo(VS_XGBOOST);
    }

    @Test
    void aModelWhoseMissingValuesGoBothWaysIsExplainedLikeXgboostDoes() throws Exception {
        Booster b = JavaXgboostScorerTest.trainWithMissingValues(JavaXgboostScorerTest.SEED + 11);
        byte[] model = TestModels.save(b, "json");
        b.dispose();
        int f = JavaXgboostScorerTest.F;
        double[][] rows = JavaXgboostScorerTest.randomRows(JavaXgboostScorerTest.JSON.readTree(model), f, 20_000,
                new Random(JavaXgboostScorerTest.SEED + 13));
        Check c = check(model, f, rows);
        System.out.printf("TreeShap, model with missing values, %,d rows: largest |sum - margin| %.2e, largest |phi -"
                + " xgboost4j| %.2e%n", c.rows(), c.maxVsMargin(), c.maxVsXgboost());
        assertThat(c.maxVsMargin()).isLessThanOrEqualTo(VS_MARGIN);
        assertThat(c.maxVsXgboost()).isLessThanOrEqualTo(VS_XGBOOST);
    }

    @Test
    void aModelWithoutCoversStillScoresButIsNotExplained() throws Exception {
        JavaXgboostScorerTest.setUp();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                JavaXgboostScorerTest.JSON.readTree(JavaXgboostScorerTest.shippedModel);
        for (com.fasterxml.jackson.databind.JsonNode t : root.path("learner").path("gradient_booster").path("model")
                .path("trees")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("sum_hessian");
        }
        byte[] stripped = JavaXgboostScorerTest.JSON.writeValueAsBytes(root);
        double[] row = JavaXgboostScorerTest.shippedManifest.goldenSample().get(0).features();
        try (JavaXgboostScorer s = JavaXgboostScorer.load(stripped, JavaXgboostScorerTest.shippedF);
                JavaXgboostScorer full = JavaXgboostScorer.load(JavaXgboostScorerTest.shippedModel,
                        JavaXgboostScorerTest.shippedF)) {
            assertThat(s.score(row)).isEqualTo(full.score(row));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TreeShap(s))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sum_hessian");
        }
    }
}
