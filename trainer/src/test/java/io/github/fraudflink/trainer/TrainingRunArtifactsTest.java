package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.PmmlScorer;
import io.github.fraudflink.model.XgboostScorer;
import io.github.fraudflink.trainer.report.TrainingReport;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run on a small simulation writes the xgboost artifact, the same model as PMML and the report; both
 * artifacts pass the loader, and the PMML scores like xgboost4j on the feature rows.
 */
class TrainingRunArtifactsTest {
    @TempDir
    static Path tmp;

    private static List<LabelledTransaction> data;
    private static TrainingRun.Outcome outcome;
    private static Path out;
    private static final List<String> log = new ArrayList<>();

    @BeforeAll
    static void train() throws Exception {
        SimulatorConfig sim = SimulatorConfig.defaults().withCustomers(300).withTerminals(600).withDays(50);
        data = new ArrayList<>();
        new TransactionSimulator(sim).forEach(data::add);
        // the simulation runs 2018-04-01..05-20: train 04-20..05-03, 7 days of delay, test 05-11..05-17
        HandbookProtocol protocol = new HandbookProtocol(LocalDate.of(2018, 4, 20), 14, 7, 7);
        out = tmp.resolve("model");
        outcome = TrainingRun.run(data, "sim-300-600-50", new TrainingRun.Options("sim-xgb", "t1", protocol, 1, 0.25,
                XgbTrainer.Params.defaults(), "2026-01-01T00:00:00Z", "test"), out, log::add);
    }

    @Test
    void writesBothArtifactsAndTheReport() {
        assertThat(out.resolve("manifest.json")).exists();
        assertThat(out.resolve("model.json")).exists();
        assertThat(out.resolve("pmml/manifest.json")).exists();
        assertThat(out.resolve("pmml/model.pmml")).exists();
        assertThat(outcome.report()).isEqualTo(out.resolve("report.html")).exists();
        for (String c : List.of(TrainingReport.PR_CHART, TrainingReport.ROC_CHART, TrainingReport.HISTOGRAM_CHART,
                TrainingReport.IMPORTANCE_CHART)) {
            assertThat(out.resolve("charts").resolve(c)).exists();
        }
        assertThat(log).anyMatch(l -> l.startsWith("PMML of the same model written"))
                .noneMatch(l -> l.startsWith("WARNING"));
    }

    @Test
    void thePmmlManifestIsTheXgboostOneWithAnotherModelFile() {
        ModelManifest x = outcome.manifest();
        ModelManifest p = outcome.pmmlManifest();
        assertThat(p.format()).isEqualTo(ModelManifest.FORMAT_PMML);
        assertThat(p.modelFile()).isEqualTo("model.pmml");
        assertThat(p.files()).containsOnlyKeys("model.pmml");
        assertThat(p.name()).isEqualTo(x.name());
        assertThat(p.version()).isEqualTo(x.version());
        assertThat(p.threshold()).isEqualTo(x.threshold());
        assertThat(p.metrics()).isEqualTo(x.metrics());
        assertThat(p.goldenSample()).isEqualTo(x.goldenSample()); // xgboost4j's expected scores
        assertThat(p.training()).isEqualTo(x.training());
        assertThat(p.referenceDistributions()).isEqualTo(x.referenceDistributions());
        assertThat(p.featureNames()).isEqualTo(FeatureSchema.NAMES);
    }

    @Test
    void bothArtifactsLoadAndScoreAlikeOnTheFeatureRows() throws Exception {
        FeatureTable t = FeatureTable.compute(data, new AccountFeatures(), data.size());
        int n = 2_000;
        assertThat(t.rows).isGreaterThan(n);
        ModelLoader loader = new ModelLoader();
        try (LoadedModel x = loader.load(out.resolve("manifest.json").toUri(), null);
                LoadedModel p = loader.load(out.resolve("pmml/manifest.json").toUri(), null)) {
            assertThat(x.scorer()).isInstanceOf(io.github.fraudflink.model.JavaXgboostScorer.class); // the loader evaluates JSON models in Java
            assertThat(p.scorer()).isInstanceOf(PmmlScorer.class);
            int flagged = 0;
            double maxDiff = 0;
            for (int k = 0; k < n; k++) {
                double[] row = t.features[(int) ((long) k * t.rows / n)]; // spread over the whole simulation
                double xs = x.scorer().score(row);
                double ps = p.scorer().score(row);
                assertThat(ps).as("row %d", k).isCloseTo(xs, within(ModelLoader.GOLDEN_TOLERANCE));
                maxDiff = Math.max(maxDiff, Math.abs(ps - xs));
                flagged += xs >= x.threshold() ? 1 : 0;
            }
            assertThat(flagged).as("the rows reach both sides of the threshold").isBetween(1, n - 1);
            assertThat(maxDiff).isLessThanOrEqualTo(ModelLoader.GOLDEN_TOLERANCE);
        }
    }

    @Test
    void thePmmlIsDeterministicAndNamesTheSchemaFeatures() throws Exception {
        byte[] json = Files.readAllBytes(out.resolve("model.json"));
        byte[] a = PmmlExport.toPmml(json);
        byte[] b = PmmlExport.toPmml(json);
        assertThat(a).isEqualTo(b).isEqualTo(Files.readAllBytes(out.resolve("pmml/model.pmml")));
        String text = new String(a, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("<Timestamp").contains("name=\"amount\"").doesNotContain("name=\"f0\"");
        assertThat(catchThrowable(() -> PmmlExport.toPmml(json, FeatureSchema.NAMES.subList(0, 5))))
                .isInstanceOf(IOException.class).hasMessageContaining("features");
    }
}
