package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.FeatureSchema;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.Booster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading verifies everything before a model may score, and says why it refuses one. */
class ModelLoaderTest {
    private static Booster booster;
    @TempDir
    Path tmp;

    @BeforeAll
    static void train() throws Exception {
        booster = TestModels.train(3);
    }

    @AfterAll
    static void dispose() {
        booster.dispose();
    }

    private ModelRejectedException.Reason rejection(URI uri, String sha) {
        ModelRejectedException e = catchThrowableOfType(ModelRejectedException.class, () -> new ModelLoader().load(uri, sha));
        assertThat(e).as("expected a rejection of " + uri).isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e.reason();
    }

    private Path artifact() throws Exception {
        Path dir = tmp.resolve("model");
        TestModels.artifact(dir, booster, "1");
        return dir;
    }

    private static void rewriteManifest(Path dir, java.util.function.UnaryOperator<ModelManifest> change) throws Exception {
        Path f = dir.resolve("manifest.json");
        change.apply(ModelManifest.read(f)).write(f);
    }

    @Test
    void loadsAGoodArtifactFromADirectoryAndVerifiesTheManifestChecksum() throws Exception {
        Path dir = artifact();
        String sha = Sha256.of(dir.resolve("manifest.json"));
        try (LoadedModel m = new ModelLoader().load(dir.toUri(), sha)) {
            assertThat(m.name()).isEqualTo("test-model");
            assertThat(m.version()).isEqualTo("1");
            assertThat(m.threshold()).isEqualTo(0.5);
            assertThat(m.manifestSha256()).isEqualTo(sha);
            double[] row = m.manifest().goldenSample().get(0).features();
            assertThat(m.scorer().score(row)).isEqualTo(m.manifest().goldenSample().get(0).expectedScore(), org.assertj.core.api.Assertions.within(1e-7));
        }
    }

    @Test
    void loadsFromTheClasspath() throws Exception {
        Path root = tmp.resolve("cp");
        TestModels.artifact(root.resolve("models/t"), booster, "2");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (var cl = new java.net.URLClassLoader(new java.net.URL[] {root.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(cl);
            try (LoadedModel m = new ModelLoader().load(URI.create("classpath:models/t/manifest.json"), null)) {
                assertThat(m.version()).isEqualTo("2");
            }
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }

    @Test
    void loadsOverHttpAndReportsAnUnreachableServer() throws Exception {
        Path dir = artifact();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            Path f = dir.resolve(ex.getRequestURI().getPath().substring("/m/".length()));
            byte[] body = Files.exists(f) ? Files.readAllBytes(f) : new byte[0];
            ex.sendResponseHeaders(Files.exists(f) ? 200 : 404, body.length == 0 ? -1 : body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/m/";
            try (LoadedModel m = new ModelLoader().load(URI.create(base + "manifest.json"), null)) {
                assertThat(m.name()).isEqualTo("test-model");
            }
            assertThat(rejection(URI.create(base + "nothing.json"), null)).isEqualTo(ModelRejectedException.Reason.UNREACHABLE);
        } finally {
            server.stop(0);
        }
        assertThat(rejection(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/m/manifest.json"), null))
                .isEqualTo(ModelRejectedException.Reason.UNREACHABLE);
    }

    @Test
    void rejectsAManifestWithAnotherChecksum() throws Exception {
        assertThat(rejection(artifact().toUri(), "00".repeat(32)))
                .isEqualTo(ModelRejectedException.Reason.MANIFEST_CHECKSUM_MISMATCH);
    }

    @Test
    void rejectsATamperedModelFile() throws Exception {
        Path dir = artifact();
        Path model = dir.resolve("model.json");
        Files.writeString(model, Files.readString(model).replaceFirst("\"base_score\":\"[^\"]*\"", "\"base_score\":\"9E-1\""));
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.FILE_CHECKSUM_MISMATCH);
    }

    @Test
    void rejectsAMissingFile() throws Exception {
        Path dir = artifact();
        Files.delete(dir.resolve("model.json"));
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.UNREACHABLE);
    }

    @Test
    void feedsAModelItsFeaturesByNameAndRejectsOneThatNeedsAnUncomputedFeature() throws Exception {
        Path dir = artifact();
        try (LoadedModel m = new ModelLoader().load(dir.toUri(), null)) {
            double[] computed = java.util.stream.IntStream.range(0, FeatureCatalog.SERVED.size()).asDoubleStream().toArray();
            assertThat(m.select(computed)).hasSize(FeatureSchema.size())
                    .containsExactly(java.util.Arrays.copyOf(computed, FeatureSchema.size()));
            assertThat(m.featureNames()).containsExactly(FeatureSchema.NAMES.toArray(new String[0]));
        }
        // a loader of a job that computes only part of what the model names refuses it
        List<String> fewer = FeatureSchema.NAMES.subList(0, FeatureSchema.size() - 1);
        ModelRejectedException e = catchThrowableOfType(ModelRejectedException.class,
                () -> new ModelLoader(fewer).load(dir.toUri(), null));
        assertThat(e.reason()).isEqualTo(ModelRejectedException.Reason.SCHEMA_MISMATCH);
        assertThat(e.getMessage()).contains(FeatureSchema.NAMES.get(FeatureSchema.size() - 1), "does not compute");

        Path other = tmp.resolve("other");
        TestModels.artifact(other, booster, "1");
        List<String> renamed = new ArrayList<>(FeatureSchema.NAMES);
        renamed.set(3, "tx_count_1d_v9");
        rewriteManifest(other, m -> new ModelManifest(m.name(), m.version(), m.format(), m.modelFile(), "account-v9",
                renamed, m.threshold(), m.files(), m.trainingDataFingerprint(), m.createdAt(), m.createdBy(),
                m.metrics(), m.training(), m.goldenSample(), m.referenceDistributions()));
        assertThat(rejection(other.toUri(), null)).isEqualTo(ModelRejectedException.Reason.SCHEMA_MISMATCH);
    }

    @Test
    void aReviewThresholdAboveTheDeclineThresholdIsRefused() throws Exception {
        Path dir = artifact();
        rewriteManifest(dir, m -> m.withReviewThreshold(m.threshold() + 0.01));
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.MANIFEST_INVALID);
        rewriteManifest(dir, m -> m.withReviewThreshold(m.threshold() / 2));
        try (LoadedModel m = new ModelLoader().load(dir.toUri(), null)) {
            assertThat(m.reviewThreshold()).isEqualTo(m.threshold() / 2);
            assertThat(m.decide(m.threshold() / 2)).isEqualTo(Decision.REVIEW);
            assertThat(m.decide(m.threshold())).isEqualTo(Decision.DECLINE);
        }
    }

    @Test
    void rejectsAModelThatDoesNotGiveTheGoldenScores() throws Exception {
        Path dir = artifact();
        rewriteManifest(dir, m -> {
            List<ModelManifest.GoldenRow> rows = new ArrayList<>(m.goldenSample());
            ModelManifest.GoldenRow r = rows.get(2);
            rows.set(2, new ModelManifest.GoldenRow(r.features(), r.expectedScore() + 0.01));
            return m.withGoldenSample(rows);
        });
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.GOLDEN_SAMPLE_MISMATCH);
    }

    @Test
    void rejectsCorruptModelBytesEvenWithAMatchingChecksum() throws Exception {
        Path dir = tmp.resolve("corrupt");
        ModelManifest good = TestModels.artifact(tmp.resolve("good"), booster, "1");
        ModelArtifactWriter.write(dir, good, Map.of("model.json", "{\"learner\": [1, 2".getBytes(StandardCharsets.UTF_8)));
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.CORRUPT_MODEL);
    }

    @Test
    void rejectsAnInvalidManifest() throws Exception {
        Path dir = artifact();
        Files.writeString(dir.resolve("manifest.json"), "{\"name\": \"x\"");
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.MANIFEST_INVALID);
        rewriteManifestRaw(dir, "{\"name\":\"x\",\"version\":\"1\",\"format\":\"onnx\",\"model_file\":\"m\","
                + "\"feature_names\":[],\"files\":{}}");
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.MANIFEST_INVALID);
    }

    @Test
    void rejectsAThresholdOutsideZeroToOne() throws Exception {
        for (double t : new double[] {0, 1, Double.NaN}) {
            Path dir = artifact();
            rewriteManifest(dir, m -> new ModelManifest(m.name(), m.version(), m.format(), m.modelFile(),
                    m.featureSchemaId(), m.featureNames(), t, m.files(), m.trainingDataFingerprint(), m.createdAt(),
                    m.createdBy(), m.metrics(), m.training(), m.goldenSample(), m.referenceDistributions()));
            assertThat(rejection(dir.toUri(), null)).as("threshold %s", t).isEqualTo(ModelRejectedException.Reason.MANIFEST_INVALID);
        }
    }

    @Test
    void rejectsAModelWhoseScoresAreNotProbabilities() throws Exception {
        // a regression model on labels 0/5: scores above 1, recorded as the golden scores themselves
        int n = 1000;
        float[] x = TestModels.rows(5, n);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = x[i * TestModels.F] > 0 ? 5 : 0;
        }
        ml.dmlc.xgboost4j.java.DMatrix d = new ml.dmlc.xgboost4j.java.DMatrix(x, n, TestModels.F, Float.NaN);
        d.setLabel(y);
        Booster reg = ml.dmlc.xgboost4j.java.XGBoost.train(d,
                Map.of("objective", "reg:squarederror", "max_depth", 3, "nthread", 1, "seed", 0), 10, Map.of(), null, null);
        float[][] p = reg.predict(d);
        d.dispose();
        List<ModelManifest.GoldenRow> golden = new ArrayList<>();
        for (int i = 0; i < n && golden.size() < 3; i++) {
            if (p[i][0] > 1) {
                golden.add(new ModelManifest.GoldenRow(TestModels.row(x, i), p[i][0]));
            }
        }
        assertThat(golden).hasSize(3);
        ModelManifest good = TestModels.artifact(tmp.resolve("good"), booster, "1");
        Path dir = tmp.resolve("regression");
        ModelArtifactWriter.write(dir, good.withGoldenSample(golden), Map.of("model.json", TestModels.save(reg, "json")));
        reg.dispose();
        assertThat(rejection(dir.toUri(), null)).isEqualTo(ModelRejectedException.Reason.INVALID_SCORE);
    }

    private static void rewriteManifestRaw(Path dir, String json) throws Exception {
        Files.writeString(dir.resolve("manifest.json"), json);
    }

    @Test
    void manifestRoundTripsToTheSameBytes() throws Exception {
        Path dir = artifact();
        byte[] first = Files.readAllBytes(dir.resolve("manifest.json"));
        ModelManifest m = ModelManifest.read(first);
        assertThat(m.toJson()).isEqualTo(first);
        assertThat(m.featureNames()).isEqualTo(FeatureSchema.NAMES);
        assertThat(m.files()).containsOnlyKeys("model.json");
        assertThat(m.metrics()).isEqualTo(new TreeMap<>(Map.of("auprc", 0.5)));
        assertThat(new String(first, StandardCharsets.UTF_8)).contains("\"feature_schema_id\" : \"account-v1\"");
    }
}
