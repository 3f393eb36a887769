package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.fraudflink.data.Dataset;
import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.ModelInputs;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kaggle's {@code creditcard.csv} end to end in the trainer: the import, a model of {@code attributes-v1} (amount,
 * time_of_day, V1..V28) on the Kaggle split (train 2013-09-02, no delay, test 2013-09-03), its manifest's features and
 * golden sample, and its test figures recomputed from the scores the job's loader gives the rows the job builds
 * ({@link ModelInputs} on the job's computed vector). On the shipped slice always; on the shared 1,722-row sample and
 * on the full 284,807-row file when {@code ../shared/data} has them (skipped, saying why, otherwise).
 */
class KaggleTrainingTest {
    static final String SLICE = "kaggle-creditcard-sample-slice.csv.gz";
    static final String SAMPLE = "kaggle-creditcard-sample-1722.csv.gz";
    static final List<String> FULL = List.of("creditcard.csv.gz", "creditcard.csv");
    static final long DAY = AccountFeatures.DAY;
    static final long EPOCH = DatasetReader.KAGGLE_EPOCH.toEpochMilli();

    @TempDir
    Path tmp;

    /** The options of {@code ./fraud train --format kaggle}: the recipe, attributes-v1 from the data. */
    public static TrainingRun.Options options(List<LabelledTransaction> rows) {
        return new TrainingRun.Options("kaggle-xgb", "test", HandbookProtocol.kaggle(), 1, 0.25, XgbTrainer.Params.recipe(1),
                "2026-01-01T00:00:00Z", "test", TrainingRun.featureSet(FeatureCatalog.ATTRIBUTES_ID, rows), false,
                DecisionRule.DEFAULT);
    }

    @Test
    void theKaggleSplitIsTheFirstDayThenTheSecond() {
        assertThat(HandbookProtocol.kaggle()).isEqualTo(new HandbookProtocol(java.time.LocalDate.of(2013, 9, 2), 1, 0, 1));
    }

    @Test
    void theSliceTrainsAnAttributesModelThatTheJobsLoaderFeedsAndScoresAsTheTrainer() throws Exception {
        Dataset ds = DatasetReader.read(SharedData.resource(SLICE), DatasetReader.Format.KAGGLE);
        // a row the import rejects carries its reason, and is in no part of the split
        assertThat(ds.badRows()).hasSize(6).allSatisfy(b ->
                assertThat(b.reason()).isEqualTo("non_positive_amount: 'amount' must be > 0, got 0.0"));
        Set<String> ids = new HashSet<>();
        ds.rows().forEach(r -> ids.add(r.tx().transactionId));
        ds.badRows().forEach(b -> assertThat(ids).doesNotContain(DatasetReader.KAGGLE_ID_PREFIX + b.line()));

        Result r = trainAndCheck(ds, tmp.resolve("slice"));
        assertThat(r.outcome.test().get("test_transactions")).isEqualTo(r.testRows);
    }

    @Test
    void theAttributesAreTheSameWhateverTheOrderOfTheRows() throws Exception {
        Dataset ds = DatasetReader.read(SharedData.resource(SLICE), DatasetReader.Format.KAGGLE);
        List<LabelledTransaction> shuffled = new ArrayList<>(ds.rows());
        Collections.shuffle(shuffled, new Random(3));
        assertThat(TrainingRun.featureSet(FeatureCatalog.ATTRIBUTES_ID, shuffled))
                .isEqualTo(TrainingRun.featureSet(FeatureCatalog.ATTRIBUTES_ID, ds.rows()));
        assertThatThrownBy(() -> TrainingRun.featureSet(FeatureCatalog.ATTRIBUTES_ID,
                ds.rows().stream().map(lt -> { // the same rows without attributes
                    io.github.fraudflink.features.Transaction t = new io.github.fraudflink.features.Transaction(
                            lt.tx().transactionId, lt.tx().accountId, lt.tx().eventTime, lt.tx().amount);
                    return new LabelledTransaction(t, lt.fraud(), lt.scenario());
                }).toList()))
                .hasMessageContaining("have none").hasMessageContaining("--format kaggle");
    }

    /** The shared 1,722-row sample (all 492 frauds, 28.6% fraud): a fixture, not a benchmark. */
    @Test
    void theSharedSample() throws Exception {
        Path sample = SharedData.require(SAMPLE, "attributes-v1 trained on the 1,722-row Kaggle sample");
        Result r = trainAndCheck(DatasetReader.read(sample, DatasetReader.Format.KAGGLE), tmp.resolve("sample"));
        System.out.printf("Kaggle 1,722-row sample (a fixture: undersampled, 28.6%% fraud): AUPRC %.4f, ROC AUC %.4f on"
                + " %,.0f test rows%n", r.outcome.test().get("auprc"), r.outcome.test().get("roc_auc"), r.testRows);
    }

    /** The full {@code creditcard.csv}: 284,807 rows, 492 frauds (Kaggle's mlg-ulb/creditcardfraud; docs/kaggle.md). */
    @Test
    void theFullFile() throws Exception {
        Path file = FULL.stream().map(n -> SharedData.dir().resolve(n)).filter(Files::isRegularFile).findFirst().orElse(null);
        Assumptions.assumeTrue(file != null, () -> "SKIPPED full-data check (attributes-v1 on the full Kaggle"
                + " creditcard.csv): neither " + FULL + " is in " + SharedData.dir() + "; only the 1,722-row sample is"
                + " shared. To run it, download Kaggle's mlg-ulb/creditcardfraud (docs/kaggle.md) into ../shared/data or"
                + " run with -D" + SharedData.PROPERTY + "=/path/to/the/folder");
        Dataset ds = DatasetReader.read(file, DatasetReader.Format.KAGGLE);
        assertThat(ds.rows().size() + ds.badRows().size()).isEqualTo(284_807);
        Result r = trainAndCheck(ds, tmp.resolve("full"));
        System.out.printf("Kaggle creditcard.csv (%,d rows): AUPRC %.4f, ROC AUC %.4f on %,.0f test rows%n",
                ds.rows().size(), r.outcome.test().get("auprc"), r.outcome.test().get("roc_auc"), r.testRows);
    }

    record Result(TrainingRun.Outcome outcome, double testRows) {}

    /**
     * Trains as {@code ./fraud train --format kaggle} does and checks the artifact against the job's own path: the
     * loader (ModelLoader, as the job), rows by LoadedModel.select from the job's computed vector
     * ({@link FeatureCatalog#SERVED}) and the transaction.
     */
    static Result trainAndCheck(Dataset ds, Path out) throws Exception {
        List<LabelledTransaction> rows = ds.rows();
        TrainingRun.Outcome o = TrainingRun.run(rows, ds.fingerprint(), options(rows), out, line -> { });
        ModelManifest m = o.manifest();

        List<String> expected = new ArrayList<>(List.of("amount", "time_of_day"));
        IntStream.rangeClosed(1, 28).forEach(v -> expected.add("attribute.V" + v));
        assertThat(m.featureSchemaId()).isEqualTo("attributes-v1");
        assertThat(m.featureNames()).containsExactlyElementsOf(expected);
        assertThat(ModelManifest.read(out.resolve(ModelManifest.FILE_NAME))).isEqualTo(m);
        assertThat(m.referenceDistributions()).containsKeys(expected.toArray(new String[0]));

        // the job's computed vector of every row (all served features; no labels), and its model rows
        FeatureTable served = FeatureTable.compute(rows, new AccountFeatures(), new TerminalFeatures(Duration.ofDays(7),
                TerminalFeatures.DEFAULT_LABEL_LAG, TerminalFeatures.DEFAULT_MAX_HISTORY), List.of(), rows.size());
        assertThat(served.featureSet).isEqualTo(FeatureCatalog.SERVED);
        try (LoadedModel model = new ModelLoader().load(out.toUri(), null)) { // verifies checksums, golden sample
            double[][] jobRows = new double[rows.size()][];
            Map<String, Integer> byRow = new HashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                LabelledTransaction lt = rows.get(i);
                jobRows[i] = model.select(served.features[i], lt.tx());
                assertThat(jobRows[i][0]).isEqualTo(lt.tx().amount);
                assertThat(jobRows[i][1]).isEqualTo(((lt.tx().eventTime - EPOCH) % DAY) / 3_600_000.0);
                for (int v = 1; v <= 28; v++) {
                    assertThat(jobRows[i][1 + v]).isEqualTo(lt.tx().attributes.get("V" + v));
                }
                if (lt.tx().eventTime >= EPOCH + DAY) { // the golden rows are test rows
                    byRow.put(java.util.Arrays.toString(jobRows[i]), i);
                }
            }
            // the golden sample: rows the job builds for test-day transactions, with the loader's scores
            assertThat(m.goldenSample()).isNotEmpty().allSatisfy(g -> {
                Integer i = byRow.get(java.util.Arrays.toString(g.features()));
                assertThat(i).as("golden row %s is a row the job builds", java.util.Arrays.toString(g.features())).isNotNull();
                assertThat(rows.get(i).tx().eventTime).isBetween(EPOCH + DAY, EPOCH + 2 * DAY - 1);
                assertThat(model.scorer().score(g.features())).isCloseTo(g.expectedScore(), within(ModelLoader.GOLDEN_TOLERANCE));
            });
            assertThat(m.goldenSample()).anyMatch(g -> rows.get(byRow.get(java.util.Arrays.toString(g.features()))).fraud())
                    .anyMatch(g -> !rows.get(byRow.get(java.util.Arrays.toString(g.features()))).fraud());

            // the test part is the whole second day; its figures from the job's scores (as floats, as xgboost4j gives)
            List<Integer> test = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                long t = rows.get(i).tx().eventTime;
                if (t >= EPOCH + DAY && t < EPOCH + 2 * DAY) {
                    test.add(i);
                }
            }
            double[] scores = new double[test.size()];
            boolean[] labels = new boolean[test.size()];
            for (int k = 0; k < scores.length; k++) {
                scores[k] = (float) model.scorer().score(jobRows[test.get(k)]);
                labels[k] = rows.get(test.get(k)).fraud();
            }
            assertThat(o.testRows()).isEqualTo(test.size());
            assertThat(m.metric("auprc")).isEqualTo(Metrics.averagePrecision(scores, labels), within(1e-12));
            assertThat(m.metric("roc_auc")).isEqualTo(Metrics.rocAuc(scores, labels), within(1e-12));
            assertThat(m.metric("auprc")).isBetween(0.0, 1.0);
            assertThat(m.metric("roc_auc")).isBetween(0.0, 1.0);
            assertThat(m.metric("test_frauds")).isEqualTo(IntStream.range(0, labels.length).filter(k -> labels[k]).count());
            assertThat(m.training().get("protocol")).contains("trainStart=2013-09-02", "trainDays=1", "delayDays=0",
                    "testDays=1");
            return new Result(o, test.size());
        }
    }
}
