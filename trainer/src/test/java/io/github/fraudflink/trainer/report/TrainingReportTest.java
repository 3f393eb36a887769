package io.github.fraudflink.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.model.ModelManifest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report page and its charts, from figures made up for the test (no training). */
class TrainingReportTest {
    @TempDir
    Path tmp;

    private static ModelManifest manifest(TreeMap<String, Double> metrics) {
        TreeMap<String, String> training = new TreeMap<>();
        training.put("rounds", "42");
        training.put("xgboost.max_depth", "5");
        return new ModelManifest("test-<model>", "v1", ModelManifest.FORMAT_XGBOOST_JSON, "model.json", FeatureSchema.ID,
                FeatureSchema.NAMES, 0.6, new TreeMap<>(Map.of("model.json", "ab12")), "fp", "2026-01-01T00:00:00Z",
                "test", metrics, training, List.of(new ModelManifest.GoldenRow(new double[FeatureSchema.size()], 0.1)), null);
    }

    private static TrainingReport.Input input(double[] s, boolean[] y, List<Map<String, Double>> folds) {
        TreeMap<String, Double> metrics = new TreeMap<>(Map.of("auprc", 0.4321, "roc_auc", 0.8765,
                "card_precision_at_100", 0.1234, "precision_at_threshold", 0.5, "recall_at_threshold", 0.25,
                "f1_at_threshold", 1 / 3.0));
        if (folds.size() > 1) {
            metrics.put("prequential_auprc_mean", 0.41);
            metrics.put("prequential_auprc_std", 0.02);
        }
        return new TrainingReport.Input(manifest(metrics), "train 2018-05-01 .. 2018-05-07", List.of(
                new TrainingReport.Slice("all data", "2018-04-01 .. 2018-05-20", 30_000, 600),
                new TrainingReport.Slice("test", "2018-05-15 .. 2018-05-21", s.length, 40)),
                s, y, Map.of(FeatureSchema.AMOUNT, 25.5, FeatureSchema.TX_COUNT_1D, 3.25), "gain (average per split)",
                folds, List.of("2018-05-01", "2018-04-24").subList(0, folds.size()),
                new TrainingReport.PmmlAgreement("pmml/model.pmml", 2000, 3e-8, 1e-6), Map.of("xgboost", "model.json"));
    }

    @Test
    void writesAPageWithItsFourCharts() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        double[] s = new double[3_000];
        boolean[] y = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            y[i] = r.nextDouble() < 0.02;
            s[i] = Math.min(1, Math.max(0, r.nextGaussian() * 0.15 + (y[i] ? 0.6 : 0.1)));
        }
        Path report = TrainingReport.write(tmp, input(s, y, List.of(Map.of("auprc", 0.4321), Map.of("auprc", 0.39))));
        assertThat(report).isEqualTo(tmp.resolve("report.html"));
        String html = Files.readString(report);
        assertThat(html).contains("test-&lt;model&gt;").doesNotContain("test-<model>")
                .contains("0.432", "0.877", "0.123") // this model's figures, 3 decimals
                .contains("0.871", "0.606", "0.291", "0.658", "0.639", "0.273", "0.687", "0.303", "0.678", "0.299") // handbook
                .contains("0.410 &plusmn; 0.020") // prequential
                .contains("2018-04-24") // fold table
                .contains("3.00e-08"); // PMML agreement
        // the features the model never split on are listed with 0
        assertThat(html).contains("<code>is_night</code></td><td>0 (not used)");
        for (String c : List.of(TrainingReport.PR_CHART, TrainingReport.ROC_CHART, TrainingReport.HISTOGRAM_CHART,
                TrainingReport.IMPORTANCE_CHART)) {
            assertThat(html).contains("src=\"charts/" + c + "\"");
            BufferedImage img = ImageIO.read(tmp.resolve("charts").resolve(c).toFile());
            assertThat(img).as(c).isNotNull();
            assertThat(img.getWidth()).isEqualTo(ReportCharts.WIDTH);
            assertThat(img.getHeight()).isEqualTo(ReportCharts.HEIGHT);
        }
    }

    @Test
    void aTestPeriodWithoutFraudStillGivesAReport() throws Exception {
        double[] s = {0.1, 0.2, 0.05};
        boolean[] y = {false, false, false};
        Path report = TrainingReport.write(tmp, input(s, y, List.of(Map.of())));
        String html = Files.readString(report);
        assertThat(html).contains("no precision-recall curve", "no ROC curve")
                .contains("charts/" + TrainingReport.HISTOGRAM_CHART).doesNotContain("charts/" + TrainingReport.PR_CHART);
        assertThat(tmp.resolve("charts").resolve(TrainingReport.IMPORTANCE_CHART)).exists();
    }

    @Test
    void importanceListsEveryFeatureLargestFirst() {
        Map<String, Double> m = TrainingReport.byImportance(Map.of("b", 2.0, "c", 5.0), List.of("a", "b", "c", "d"));
        assertThat(m.keySet()).containsExactly("c", "b", "a", "d");
        assertThat(m.get("a")).isZero();
    }
}
