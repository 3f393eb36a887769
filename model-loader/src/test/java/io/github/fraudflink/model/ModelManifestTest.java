package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.FeatureSchema;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** manifest.json: every field survives a write and a read, the bytes are reproducible, unknown fields are ignored. */
class ModelManifestTest {
    @TempDir
    Path tmp;

    private static ModelManifest full() {
        TreeMap<String, ModelManifest.Histogram> hist = new TreeMap<>();
        hist.put("score", new ModelManifest.Histogram(new double[] {0, 0.5, 1}, new long[] {90, 10}));
        hist.put(FeatureSchema.AMOUNT, new ModelManifest.Histogram(new double[] {0, 10, 100, 1e4}, new long[] {5, 7, 1}));
        return new ModelManifest("handbook-xgb", "2026-11-23.1", ModelManifest.FORMAT_XGBOOST_UBJ, "model.ubj",
                FeatureSchema.ID, FeatureSchema.NAMES, 0.37,
                new TreeMap<>(Map.of("model.ubj", "ab".repeat(32), "notes.txt", "cd".repeat(32))),
                "sha256:" + "ef".repeat(32), "2026-11-23T10:00:00Z", "trainer 0.1.0",
                new TreeMap<>(Map.of("roc_auc", 0.87, "auprc", 0.69, "precision_at_threshold", 0.8,
                        "recall_at_threshold", 0.6, "f1_at_threshold", 0.6857142857142857)),
                new TreeMap<>(Map.of("eta", "0.1", "max_depth", "6", "rounds", "300")),
                List.of(new ModelManifest.GoldenRow(new double[] {1.5, 0.1, -3e-7}, 0.123456789012345),
                        new ModelManifest.GoldenRow(new double[] {Double.MIN_VALUE, 1e300, 0}, 1.0)),
                hist);
    }

    @Test
    void writeReadEqualsAndTheSecondWriteIsByteIdentical() throws Exception {
        ModelManifest m = full();
        Path a = tmp.resolve("a.json");
        Path b = tmp.resolve("b.json");
        m.write(a);
        ModelManifest back = ModelManifest.read(a);
        assertThat(back).isEqualTo(m);
        assertThat(back.goldenSample().get(0).features()).containsExactly(1.5, 0.1, -3e-7);
        assertThat(back.referenceDistributions().get("score").counts()).containsExactly(90, 10);
        back.write(b);
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
        assertThat(ModelManifest.read(new ByteArrayInputStream(Files.readAllBytes(a)))).isEqualTo(m);
    }

    @Test
    void theReviewThresholdIsReadBackAndAManifestWithoutOneHasNoReviewBand() throws Exception {
        ModelManifest banded = full().withReviewThreshold(0.05);
        ModelManifest back = ModelManifest.read(banded.toJson());
        assertThat(back.reviewThreshold()).isEqualTo(0.05);
        assertThat(back.reviewEdge()).isEqualTo(0.05);
        assertThat(new String(banded.toJson(), StandardCharsets.UTF_8)).contains("\"review_threshold\" : 0.05");
        // written before decision bands: no field, no band
        ModelManifest old = ModelManifest.read(full().toJson());
        assertThat(old.reviewThreshold()).isNull();
        assertThat(old.reviewEdge()).isEqualTo(old.threshold());
        assertThat(new String(full().toJson(), StandardCharsets.UTF_8)).doesNotContain("review_threshold");
        assertThat(Decision.of(old.threshold() - 1e-9, old.reviewEdge(), old.threshold())).isEqualTo(Decision.APPROVE);
        assertThat(Decision.of(0.05, 0.05, 0.5)).isEqualTo(Decision.REVIEW);
        assertThat(Decision.of(0.5, 0.05, 0.5)).isEqualTo(Decision.DECLINE);
    }

    @Test
    void jsonIsSnakeCaseAndUnknownFieldsAreIgnored() throws Exception {
        String json = new String(full().toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"model_file\"", "\"feature_schema_id\"", "\"training_data_fingerprint\"",
                "\"golden_sample\"", "\"expected_score\"", "\"reference_distributions\"", "\"created_at\"")
                .doesNotContain("modelFile");
        String extended = json.replaceFirst("\\{", "{\n  \"added_in_a_later_version\" : {\"x\" : [1, 2]},");
        assertThat(ModelManifest.read(extended.getBytes(StandardCharsets.UTF_8))).isEqualTo(full());
    }

    @Test
    void differentGoldenScoresAreNotEqual() {
        ModelManifest m = full();
        ModelManifest other = m.withGoldenSample(List.of(new ModelManifest.GoldenRow(new double[] {1.5, 0.1, -3e-7}, 0.5)));
        assertThat(other).isNotEqualTo(m);
    }

    @Test
    void artifactWriterIsDeterministic() throws Exception {
        ModelManifest draft = full().withFiles(null);
        Map<String, byte[]> files = Map.of("model.ubj", new byte[] {1, 2, 3}, "notes.txt", "n".getBytes(StandardCharsets.UTF_8));
        ModelManifest first = ModelArtifactWriter.write(tmp.resolve("x"), draft, files);
        ModelManifest second = ModelArtifactWriter.write(tmp.resolve("y"), draft, files);
        assertThat(first.files()).containsEntry("model.ubj", Sha256.of(new byte[] {1, 2, 3}));
        assertThat(first).isEqualTo(second);
        assertThat(Files.readAllBytes(tmp.resolve("x/manifest.json"))).isEqualTo(Files.readAllBytes(tmp.resolve("y/manifest.json")));
        assertThat(Sha256.of(tmp.resolve("x/model.ubj"))).isEqualTo(first.files().get("model.ubj"));
    }

    @Test
    void sha256IsLowercaseHex() {
        assertThat(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
