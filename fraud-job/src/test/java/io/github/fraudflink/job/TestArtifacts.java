package io.github.fraudflink.job;

import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.Sha256;
import io.github.fraudflink.model.XgboostScorer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Model artifacts for swap tests, derived from the shipped default model: real XGBoost models that score
 * differently (another base score), and broken ones of each kind a publisher can get wrong.
 */
public final class TestArtifacts {
    private TestArtifacts() {}

    public static byte[] resource(String name) throws IOException {
        try (InputStream in = TestArtifacts.class.getClassLoader().getResourceAsStream("models/default/" + name)) {
            return in.readAllBytes();
        }
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    public static ModelManifest defaultManifest() throws IOException {
        return ModelManifest.read(resource("manifest.json"));
    }

    /**
     * The default model with another base score (so other scores), as {@code name} {@code version}, golden sample
     * rescored. {@code baseScore} moves the shipped base score as it would move 0.5: its log-odds are added to the
     * shipped ones, so "4E-1" scores a little lower than the shipped model and "9E-1" higher, whatever base score the
     * shipped model was trained to.
     */
    public static URI variant(Path dir, String name, String version, String baseScore) throws Exception {
        String shipped = new String(resource("model.json"), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"base_score\":\"([^\"]*)\"").matcher(shipped);
        if (!m.find()) {
            throw new IllegalStateException("the shipped model.json has no base_score to move");
        }
        double margin = logit(Double.parseDouble(m.group(1))) + logit(Double.parseDouble(baseScore));
        String moved = Float.toString((float) (1 / (1 + Math.exp(-margin))));
        String json = shipped.substring(0, m.start(1)) + moved + shipped.substring(m.end(1));
        byte[] model = json.getBytes(StandardCharsets.UTF_8);
        ModelManifest base = defaultManifest();
        List<ModelManifest.GoldenRow> golden = new ArrayList<>();
        try (XgboostScorer s = XgboostScorer.load(model, ModelManifest.FORMAT_XGBOOST_JSON, base.featureNames().size())) {
            for (ModelManifest.GoldenRow r : base.goldenSample()) {
                golden.add(new ModelManifest.GoldenRow(r.features(), s.score(r.features())));
            }
        }
        ModelManifest draft = new ModelManifest(name, version, base.format(), base.modelFile(), base.featureSchemaId(),
                base.featureNames(), base.threshold(), null, base.trainingDataFingerprint(), base.createdAt(),
                base.createdBy(), base.metrics(), base.training(), golden, base.referenceDistributions());
        ModelArtifactWriter.write(dir, draft, Map.of("model.json", model));
        return dir.resolve("manifest.json").toUri();
    }

    /**
     * The default model as XGBoost's binary UBJ format (converted by xgboost4j, same trees and scores): a model the
     * pure-Java evaluator does not read, so xgboost4j scores it, in micro-batches.
     */
    public static URI nativeScored(Path dir) throws Exception {
        ml.dmlc.xgboost4j.java.Booster booster = ml.dmlc.xgboost4j.java.XGBoost.loadModel(resource("model.json"));
        byte[] ubj;
        try {
            ubj = booster.toByteArray("ubj");
        } finally {
            booster.dispose();
        }
        ModelManifest base = defaultManifest();
        ModelManifest draft = new ModelManifest(base.name(), base.version() + "-ubj", ModelManifest.FORMAT_XGBOOST_UBJ, "model.ubj",
                base.featureSchemaId(), base.featureNames(), base.threshold(), null, base.trainingDataFingerprint(),
                base.createdAt(), base.createdBy(), base.metrics(), base.training(), base.goldenSample(),
                base.referenceDistributions());
        ModelArtifactWriter.write(dir, draft, Map.of("model.ubj", ubj));
        return dir.resolve("manifest.json").toUri();
    }

    public static String sha(URI manifest) throws IOException {
        return Sha256.of(Path.of(manifest));
    }

    /** A well-formed artifact (checksums match) that names a feature the job does not compute. */
    public static URI wrongFeatures(Path dir) throws Exception {
        URI uri = variant(dir, "demo-xgb", "wrong-features", "4E-1");
        Path f = Path.of(uri);
        ModelManifest m = ModelManifest.read(f);
        List<String> names = new ArrayList<>(m.featureNames());
        names.set(1, "tx_count_5m_v9"); // a feature this job does not compute
        new ModelManifest(m.name(), m.version(), m.format(), m.modelFile(), m.featureSchemaId(), names, m.threshold(),
                m.files(), m.trainingDataFingerprint(), m.createdAt(), m.createdBy(), m.metrics(), m.training(),
                m.goldenSample(), m.referenceDistributions()).write(f);
        return uri;
    }

    /** A model file that is not a model, with a matching checksum. */
    public static URI corrupt(Path dir) throws Exception {
        ModelManifest base = defaultManifest();
        ModelArtifactWriter.write(dir, base, Map.of("model.json", "{\"learner\":{\"gradient_booster\":".getBytes(StandardCharsets.UTF_8)));
        return dir.resolve("manifest.json").toUri();
    }

    /** A model whose scores are NaN (every split condition and leaf value NaN), checksums matching. */
    public static URI nanScores(Path dir) throws Exception {
        String json = new String(resource("model.json"), StandardCharsets.UTF_8);
        String nan = java.util.regex.Pattern.compile("\"split_conditions\":\\[[^\\]]*\\]").matcher(json).replaceAll(m ->
                "\"split_conditions\":[" + String.join(",", Collections.nCopies(m.group().split(",").length, "NaN")) + "]");
        ModelArtifactWriter.write(dir, defaultManifest(), Map.of("model.json", nan.getBytes(StandardCharsets.UTF_8)));
        return dir.resolve("manifest.json").toUri();
    }

    /** A model file changed after its manifest was written. */
    public static URI tampered(Path dir) throws Exception {
        URI uri = variant(dir, "demo-xgb", "tampered", "4E-1");
        Path model = Path.of(uri).resolveSibling("model.json");
        String json = Files.readString(model);
        String changed = json.replaceFirst("\"base_score\":\"[^\"]*\"", "\"base_score\":\"3E-1\"");
        if (changed.equals(json)) {
            throw new IllegalStateException("the model's base_score could not be changed");
        }
        Files.writeString(model, changed);
        return uri;
    }
}
