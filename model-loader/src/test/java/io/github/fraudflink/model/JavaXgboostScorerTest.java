package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.features.FeatureSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java evaluator gives xgboost4j's predictions (within 1e-7, in practice to the float) on the shipped model's
 * golden sample, on 100,000 random rows around and beyond every split condition with ~10% missing values, and on a
 * model trained here with missing values whose default directions go both ways; and it refuses what it does not do.
 *
 * <p>The random rows come from a seeded {@link Random}; the seed is printed and can be set with
 * {@code -Djavaxgb.seed=...}.
 */
class JavaXgboostScorerTest {
    /** Features of the model trained here (TestModels' width); the shipped model has its manifest's. */
    static final int F = FeatureSchema.size();
    static final double TOLERANCE = 1e-7;
    static final Path SHIPPED = Path.of("..", "fraud-job", "src", "main", "resources", "models", "default");
    static final ObjectMapper JSON = new ObjectMapper();
    static final long SEED = Long.getLong("javaxgb.seed", 20261130L);

    static byte[] shippedModel;
    static ModelManifest shippedManifest;
    static int shippedF;
    static byte[] trainedModel;

    @BeforeAll
    static void setUp() throws Exception {
        System.out.println("JavaXgboostScorerTest seed " + SEED + " (rerun with -Djavaxgb.seed=" + SEED + ")");
        shippedModel = Files.readAllBytes(SHIPPED.resolve("model.json"));
        shippedManifest = ModelManifest.read(SHIPPED.resolve(ModelManifest.FILE_NAME));
        shippedF = shippedManifest.featureNames().size();
        Booster b = trainWithMissingValues(SEED);
        trainedModel = TestModels.save(b, "json");
        b.dispose();
    }

    @AfterAll
    static void tearDown() {
        shippedModel = null;
        trainedModel = null;
    }

    @Test
    void shippedModelGoldenSampleEqualsXgboost4jAndTheManifest() throws Exception {
        double maxDiff = 0;
        try (JavaXgboostScorer java = JavaXgboostScorer.load(shippedModel, shippedF);
                XgboostScorer native4j = XgboostScorer.load(shippedModel, ModelManifest.FORMAT_XGBOOST_JSON, shippedF)) {
            assertThat(java.trees()).as("one tree per boosting round").isEqualTo(Integer.parseInt(shippedManifest.training().get("rounds")));
            List<ModelManifest.GoldenRow> golden = shippedManifest.goldenSample();
            assertThat(golden).isNotEmpty();
            for (int i = 0; i < golden.size(); i++) {
                double[] row = golden.get(i).features();
                double got = java.score(row);
                assertThat(got).as("golden row %d vs xgboost4j", i).isCloseTo(native4j.score(row), within(TOLERANCE));
                assertThat(got).as("golden row %d vs manifest", i)
                        .isCloseTo(golden.get(i).expectedScore(), within(TOLERANCE));
                maxDiff = Math.max(maxDiff, Math.abs(got - native4j.score(row)));
            }
        }
        System.out.printf("shipped model, golden sample: max |java - xgboost4j| = %.3g%n", maxDiff);
    }

    @Test
    void shippedModelRandomRowsEqualXgboost4j() throws Exception {
        Comparison c = compare(shippedModel, shippedF, 100_000, SEED);
        System.out.println("shipped model, " + c);
        assertThat(c.maxDiff).isLessThanOrEqualTo(TOLERANCE);
        assertThat(c.defaults[1]).as("missing values took default-right paths").isPositive();
        assertThat(c.positives).as("both classes are scored").isBetween(1L, c.rows - 1L);
    }

    @Test
    void trainedModelWithMissingValuesEqualsXgboost4jOnBothDefaultDirections() throws Exception {
        JsonNode model = JSON.readTree(trainedModel);
        int left = 0;
        int right = 0;
        for (JsonNode t : model.at("/learner/gradient_booster/model/trees")) {
            for (int i = 0; i < t.get("left_children").size(); i++) {
                if (t.get("left_children").get(i).asInt() != -1) {
                    if (t.get("default_left").get(i).asInt() != 0) {
                        left++;
                    } else {
                        right++;
                    }
                }
            }
        }
        assertThat(left).as("splits with default-left").isPositive();
        assertThat(right).as("splits with default-right").isPositive();
        assertThat(model.at("/learner/learner_model_param/base_score").asText())
                .as("a base_score other than 0.5 tests the logit").isNotIn("5E-1", "[5E-1]");

        Comparison c = compare(trainedModel, F, 100_000, SEED + 1);
        System.out.println("trained model (" + left + " default-left, " + right + " default-right splits), " + c);
        assertThat(c.maxDiff).isLessThanOrEqualTo(TOLERANCE);
        assertThat(c.defaults[0]).as("rows took default-left paths").isPositive();
        assertThat(c.defaults[1]).as("rows took default-right paths").isPositive();
        assertThat(c.positives).as("both classes are scored").isBetween(1L, c.rows - 1L);
    }

    @Test
    void batchEqualsSingleRows() throws Exception {
        try (JavaXgboostScorer java = JavaXgboostScorer.load(trainedModel, F)) {
            double[][] rows = randomRows(JSON.readTree(trainedModel), F, 100, new Random(SEED + 2));
            double[] out = new double[rows.length];
            java.scoreBatch(rows, 64, out);
            for (int i = 0; i < 64; i++) {
                assertThat(out[i]).isEqualTo(java.score(rows[i]));
            }
        }
    }

    @Test
    void bracketedBaseScoreIsReadLikeAScalar() throws Exception {
        byte[] bracketed = edit(trainedModel, m -> {
            ObjectNode p = (ObjectNode) m.at("/learner/learner_model_param");
            p.put("base_score", "[" + p.get("base_score").asText() + "]");
        });
        double[] row = randomRows(JSON.readTree(trainedModel), F, 1, new Random(SEED + 3))[0];
        try (JavaXgboostScorer a = JavaXgboostScorer.load(trainedModel, F);
                JavaXgboostScorer b = JavaXgboostScorer.load(bracketed, F)) {
            assertThat(b.score(row)).isEqualTo(a.score(row));
        }
    }

    @Test
    void refusesWhatItDoesNotSupport() throws Exception {
        assertRefused(edit(shippedModel, m -> ((ObjectNode) m.at("/learner/objective")).put("name", "reg:squarederror")),
                "unsupported objective reg:squarederror");
        assertRefused(edit(shippedModel, m -> ((ObjectNode) m.at("/learner/gradient_booster")).put("name", "dart")),
                "unsupported booster dart");
        assertRefused(edit(shippedModel, m -> ((ObjectNode) m.at("/learner/learner_model_param")).put("num_class", "3")),
                "unsupported multi-output model");
        assertRefused(edit(shippedModel, m -> ((ArrayNode) m.at("/learner/gradient_booster/model/trees/3/split_type"))
                .set(0, 1)), "unsupported categorical split in tree 3");
        assertRefused(edit(shippedModel, m -> ((ArrayNode) m.at("/learner/gradient_booster/model/trees/0/split_indices"))
                .set(0, 40)), "splits on feature 40");
        assertRefused("{\"not\": \"a model\"}".getBytes(), "no field learner");
        assertRefused("garbage".getBytes(), "not an XGBoost JSON model");
    }

    private static void assertRefused(byte[] model, String message) {
        java.io.IOException e = catchThrowableOfType(() -> JavaXgboostScorer.load(model, shippedF),
                java.io.IOException.class);
        assertThat(e).as("refused: %s", message).isNotNull();
        assertThat(e.getMessage()).contains(message);
    }

    private static byte[] edit(byte[] model, Consumer<JsonNode> change) throws Exception {
        JsonNode m = JSON.readTree(model);
        change.accept(m);
        return JSON.writeValueAsBytes(m);
    }

    /** Scores {@code n} random rows with both evaluators (xgboost4j in batches of 1,000) and compares. */
    private static Comparison compare(byte[] model, int features, int n, long seed) throws Exception {
        double[][] rows = randomRows(JSON.readTree(model), features, n, new Random(seed));
        double[] want = new double[n];
        double[] got = new double[n];
        Comparison c = new Comparison(n, features);
        try (JavaXgboostScorer java = JavaXgboostScorer.load(model, features);
                XgboostScorer native4j = XgboostScorer.load(model, ModelManifest.FORMAT_XGBOOST_JSON, features)) {
            double[][] chunk = new double[1000][];
            double[] out = new double[1000];
            for (int from = 0; from < n; from += chunk.length) {
                int k = Math.min(chunk.length, n - from);
                System.arraycopy(rows, from, chunk, 0, k);
                native4j.scoreBatch(chunk, k, out);
                System.arraycopy(out, 0, want, from, k);
            }
            for (int i = 0; i < n; i++) {
                got[i] = java.score(rows[i]);
                java.countDefaultPaths(rows[i], c.defaults);
            }
        }
        for (int i = 0; i < n; i++) {
            double d = Math.abs(got[i] - want[i]);
            if (d > c.maxDiff) {
                c.maxDiff = d;
                c.worstRow = i;
            }
            c.exact += got[i] == want[i] ? 1 : 0;
            c.positives += want[i] > 0.5 ? 1 : 0;
            for (double v : rows[i]) {
                c.missing += Double.isNaN(v) ? 1 : 0;
            }
        }
        if (c.maxDiff > TOLERANCE) {
            System.out.println("worst row " + c.worstRow + ": java " + got[c.worstRow] + ", xgboost4j "
                    + want[c.worstRow] + ", features " + java.util.Arrays.toString(rows[c.worstRow]));
        }
        return c;
    }

    static final class Comparison {
        final int rows;
        final int features;
        final long[] defaults = new long[2];
        double maxDiff;
        int worstRow = -1;
        long exact;
        long positives;
        long missing;

        Comparison(int rows, int features) {
            this.rows = rows;
            this.features = features;
        }

        @Override
        public String toString() {
            return String.format("%,d random rows (%.1f%% of values missing): max |java - xgboost4j| = %.3g, "
                    + "%,d identical, %,d scored > 0.5, missing values sent default-left %,d times, default-right %,d",
                    rows, 100.0 * missing / ((long) rows * features), maxDiff, exact, positives, defaults[0], defaults[1]);
        }
    }

    /**
     * Rows whose values sit on, just beside (one float ulp), near and far beyond the model's split conditions of each
     * feature, and ~10% NaN. A feature no split uses gets a wide uniform value.
     */
    static double[][] randomRows(JsonNode model, int features, int n, Random r) {
        List<List<Float>> conditions = new ArrayList<>();
        for (int j = 0; j < features; j++) {
            conditions.add(new ArrayList<>());
        }
        for (JsonNode t : model.at("/learner/gradient_booster/model/trees")) {
            for (int i = 0; i < t.get("left_children").size(); i++) {
                if (t.get("left_children").get(i).asInt() != -1) {
                    conditions.get(t.get("split_indices").get(i).asInt())
                            .add(t.get("split_conditions").get(i).floatValue());
                }
            }
        }
        double[][] rows = new double[n][features];
        for (double[] row : rows) {
            for (int j = 0; j < features; j++) {
                List<Float> cs = conditions.get(j);
                if (r.nextDouble() < 0.1) {
                    row[j] = Double.NaN;
                } else if (cs.isEmpty()) {
                    row[j] = (r.nextDouble() - 0.5) * 2e4;
                } else {
                    float c = cs.get(r.nextInt(cs.size()));
                    double scale = Math.max(1e-3, Math.abs(c));
                    row[j] = switch (r.nextInt(6)) {
                        case 0 -> c; // exactly on the split: goes right
                        case 1 -> Math.nextDown(c);
                        case 2 -> Math.nextUp(c);
                        case 3 -> c + r.nextGaussian() * 0.01 * scale; // near, as a double: the float cast decides
                        case 4 -> c + r.nextGaussian() * scale;
                        default -> c + (r.nextBoolean() ? 1 : -1) * scale * Math.exp(r.nextDouble() * 8); // far beyond
                    };
                }
            }
        }
        return rows;
    }

    /**
     * An xgboost4j model with missing values in training: feature 0 is missing for rows that are all fraud (high
     * values of feature 0 mean fraud, so its splits learn default-right), feature 3 for rows that are all legitimate
     * (default-left), feature 5 at random; the base score is fitted from the data (not 0.5).
     */
    static Booster trainWithMissingValues(long seed) throws Exception {
        int n = 4000;
        float[] x = TestModels.rows(seed, n);
        float[] y = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            if (u < 0.12) {
                x[i * F] = Float.NaN;
                y[i] = 1;
            } else if (u < 0.24) {
                x[i * F + 3] = Float.NaN;
                y[i] = 0;
            } else {
                y[i] = x[i * F] + x[i * F + 3] * 0.5 > 4 ? 1 : 0;
            }
            if (r.nextDouble() < 0.1) {
                x[i * F + 5] = Float.NaN;
            }
        }
        return TestModels.trainHist(x, y, n, F);
    }
}
