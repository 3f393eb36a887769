package io.github.fraudflink.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.cli.CliRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fraud train --format kaggle} on the trainer's Kaggle slice (216 real rows of creditcard.csv), in-process: the
 * bad rows reported with their reasons, a model of attributes-v1 on the Kaggle split, its AUPRC and ROC AUC printed.
 */
class TrainKaggleTest {
    static final Path SLICE = Path.of("..", "trainer", "src", "test", "resources", "kaggle-creditcard-sample-slice.csv.gz");

    @TempDir
    Path tmp;

    @Test
    void trainsAttributesV1OnTheFirstDayAndTestsOnTheSecond() throws Exception {
        Path out = tmp.resolve("model");
        CliRun r = CliRun.of("train", "--data", SLICE.toString(), "--format", "kaggle", "--out", out.toString(),
                "--created-at", "2026-01-01T00:00:00Z", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("6 bad rows", "bad row: line ", "non_positive_amount: 'amount' must be > 0, got 0.0",
                "features attributes-v1: 30 of them (amount, ..., attribute.V28)");
        assertThat(r.out()).contains("model kaggle-xgb 2013-09-02-handbook-baseline written to",
                "test period 2013-09-03 + 1 days", "card precision@100 is transaction precision@100");
        JsonNode j = r.lastJson();
        assertThat(j.get("auprc").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("roc_auc").asDouble()).isBetween(0.0, 1.0);
        JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.path("feature_schema_id").asText()).isEqualTo("attributes-v1");
        List<String> names = new ArrayList<>();
        manifest.path("feature_names").forEach(n -> names.add(n.asText()));
        assertThat(names).hasSize(30).startsWith("amount", "time_of_day", "attribute.V1", "attribute.V2")
                .containsSequence("attribute.V9", "attribute.V10", "attribute.V11").endsWith("attribute.V27", "attribute.V28");
        // the figures printed are the manifest's, which KaggleTrainingTest recomputes from the job's scores
        assertThat(j.get("auprc").asDouble()).isEqualTo(manifest.path("metrics").path("auprc").asDouble());
        assertThat(j.get("roc_auc").asDouble()).isEqualTo(manifest.path("metrics").path("roc_auc").asDouble());
    }
}
