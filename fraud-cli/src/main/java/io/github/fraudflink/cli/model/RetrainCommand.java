package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.cli.common.GateOptions;
import io.github.fraudflink.cli.common.ModelQuality;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.ModelRejectedException;
import io.github.fraudflink.registry.ArtifactStore;
import io.github.fraudflink.registry.Gates;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registration;
import io.github.fraudflink.registry.Registry;
import io.github.fraudflink.registry.TrainingData;
import io.github.fraudflink.trainer.Challenger;
import io.github.fraudflink.trainer.DecisionRule;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.trainer.TrainingRun;
import io.github.fraudflink.trainer.XgbTrainer;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud retrain}: a challenger trained on what the job served (features exactly as scored, labels known by a
 * cut-off), judged against the champion on a later labelled window, registered with both results, and made the shadow
 * when the gates pass.
 */
@Command(name = "retrain", sortOptions = false,
        description = {"Train a challenger from the features the job served and the labels known by a cut-off, judge it"
                + " against the champion on a later labelled window, register it with both results, and make it the"
                + " shadow when the gates pass.",
            "Training rows: scored_transactions with event time in [--train-from, --train-to) that had a label by"
                + " --labels-known-by (the label that held then); the last --validation-share of them (by time) choose"
                + " the rounds and the threshold, then the model is refit on all (the shipped recipe: unweighted"
                + " classes, 4096 bins). Evaluation rows: the same for [--train-to, --eval-to).",
            "Gates: the challenger's AP and recall at its threshold not below the champion's on the evaluation rows, its"
                + " false-positive rate at most --max-false-positive-rate, enough labels, its golden sample verified"
                + " as the job loads it, and every feature one the job computes.",
            "Exit status: 0 registered (and made the shadow when the gates passed), or nothing to do under"
                + " --when-labels; 3 registered, gates failed; 5 as 0, but the control event waits in the outbox."})
public final class RetrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RegistryAccess registry;
    @Mixin
    GateOptions gateOptions;

    @Option(names = "--train-from", required = true, description = "First event time of the training rows (ISO-8601 instant).")
    Instant trainFrom;

    @Option(names = "--train-to", required = true, description = "End of the training rows, start of the evaluation rows.")
    Instant trainTo;

    @Option(names = "--eval-to", required = true, description = "End of the evaluation rows.")
    Instant evalTo;

    @Option(names = "--labels-known-by", description = "Count only the labels received by then (default: now).")
    Instant labelsKnownBy;

    @Option(names = "--when-labels", description = "Train only once this many labels arrived after the champion's"
            + " labels cut-off (else say how many are missing and exit 0): for a cron line or a scheduler.")
    Long whenLabels;

    @Option(names = "--features", description = "Feature set to train on (default: the champion's; without one, "
            + "the served catalog's).")
    String features;

    @Option(names = "--name", description = "Model name (default: the champion's, else fraud-xgb).")
    String name;

    @Option(names = "--model-version", description = "Version (default: r<cut-off as yyyyMMdd-HHmmss>).")
    String version;

    @Option(names = "--validation-share", defaultValue = "0.25",
            description = "Share of the training rows, the latest, that choose rounds and threshold (default: ${DEFAULT-VALUE}).")
    double validationShare;

    @Mixin
    io.github.fraudflink.cli.common.DecisionOptions decisions = new io.github.fraudflink.cli.common.DecisionOptions();

    @Option(names = "--threads", defaultValue = "2", description = "XGBoost threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", description = "Where the artifact is written (default: .fraud/retrain/<version>).")
    Path out;

    @Option(names = "--store", defaultValue = "${env:FRAUD_MODEL_STORE}",
            description = "The model store the artifact is copied into (default: FRAUD_MODEL_STORE; none: registered in --out).")
    Path store;

    @Option(names = "--no-shadow", description = "Register only, even when the gates pass.")
    boolean noShadow;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Instant cutoff = labelsKnownBy != null ? labelsKnownBy : Instant.now();
        if (!(trainFrom.isBefore(trainTo) && trainTo.isBefore(evalTo))) {
            throw new IllegalArgumentException("the windows must be in order: --train-from < --train-to < --eval-to");
        }
        if (!(validationShare > 0 && validationShare < 1)) {
            throw new IllegalArgumentException("--validation-share must be between 0 and 1");
        }
        Gates gates = gateOptions.gates();
        try (Registry r = registry.open()) {
            int pending = registry.publishPending(r, o, spec.commandLine().getErr());
            Optional<ModelVersion> champion = r.holder(ModelVersion.CHAMPION);
            if (whenLabels != null) {
                Instant since = champion.map(c -> c.trainingData().labelsKnownBy()).map(Instant::parse)
                        .orElse(Instant.EPOCH);
                long arrived = ServedRows.labelsBetween(r.connection(), since, cutoff);
                if (arrived < whenLabels) {
                    o.printf("%,d labels arrived after the champion's cut-off %s, %,d more needed: not retraining%n",
                            arrived, since, whenLabels - arrived);
                    return pending;
                }
                o.printf("%,d labels arrived after the champion's cut-off %s (at least %,d): retraining%n", arrived,
                        since, whenLabels);
            }
            FeatureCatalog.FeatureSet set = FeatureCatalog.byId(features != null ? features
                    : champion.map(ModelVersion::featureSchema).orElse(FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS.id()));
            String model = name != null ? name : champion.map(ModelVersion::model).orElse("fraud-xgb");
            String v = version != null ? version
                    : "r" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(cutoff);
            Path dir = out != null ? out : Path.of(".fraud", "retrain", v);

            long t0 = System.nanoTime();
            ServedRows train = ServedRows.read(r.connection(), set, trainFrom, trainTo, cutoff);
            ServedRows eval = ServedRows.read(r.connection(), set, trainTo, evalTo, cutoff);
            o.printf("served rows with a label by %s: %,d for training (%s .. %s), %,d for evaluation (.. %s), read in"
                    + " %.1f s%n", cutoff, train.table().rows, trainFrom, trainTo, eval.table().rows, evalTo,
                    (System.nanoTime() - t0) / 1e9);
            if (train.table().rows == 0 || eval.table().rows == 0) {
                throw new IllegalArgumentException("no labelled served rows in the " + (train.table().rows == 0
                        ? "training" : "evaluation") + " window: pick windows the job scored, with labels by "
                        + cutoff);
            }

            long t1 = System.nanoTime();
            Retrained c = retrain(train.table(), validationShare, XgbTrainer.Params.recipe(threads), decisions.rule());
            double[] challengerScores = XgbTrainer.predict(c.trained().booster(), eval.table(), all(eval.table()));
            boolean[] y = eval.table().labels;
            Gates.Quality challengerQ = ModelQuality.of(challengerScores, y, c.trained().threshold());
            Gates.Quality championQ = champion.isPresent() ? championQuality(champion.get(), eval.table(), y) : null;
            List<Gates.Verdict> verdicts = new ArrayList<>(gates.judge(challengerQ, championQ));
            verdicts.add(catalogVerdict(set));

            TreeMap<String, Double> metrics = new TreeMap<>();
            metrics.put("auprc", challengerQ.averagePrecision());
            metrics.put("recall_at_threshold", challengerQ.recall());
            metrics.put("precision_at_threshold", challengerQ.precision());
            metrics.put("false_positive_rate", challengerQ.falsePositiveRate());
            metrics.put("validation_auprc", c.trained().validationAuprc());
            TreeMap<String, String> training = new TreeMap<>();
            training.put("source", "served");
            training.put("train_rows", Integer.toString(train.table().rows));
            training.put("rounds", Integer.toString(c.trained().rounds()));
            training.put("validation_share", Double.toString(validationShare));
            training.put("threshold_rule", decisions.rule().declineDescription());
            training.put("review_threshold_rule", decisions.rule().reviewDescription());
            training.put("labels_known_by", cutoff.toString());
            c.trained().params().forEach((k, x) -> training.put("xgboost." + k, String.valueOf(x)));
            double[] trainScores = XgbTrainer.predict(c.trained().booster(), train.table(), c.trained().fit());
            ModelManifest m = TrainingRun.writeArtifact(dir, train.table(), c.modelJson(), model, v,
                    c.trained().threshold(), c.trained().reviewThreshold(), train.hash(), Instant.now().toString(), registry.by, metrics, training,
                    all(eval.table()), c.trained().fit(), trainScores);
            c.trained().booster().dispose();
            o.printf("challenger %s %s trained on %,d rows in %.1f s (%d rounds, threshold %.4f), written to %s%n", model,
                    v, train.table().rows, (System.nanoTime() - t1) / 1e9, c.trained().rounds(), c.trained().threshold(),
                    dir.toAbsolutePath());

            URI manifest = dir.resolve(ModelManifest.FILE_NAME).toAbsolutePath().toUri();
            verdicts.add(goldenVerdict(manifest));
            boolean passed = Gates.passed(verdicts);
            ObjectNode evaluation = evaluation(cutoff, eval.table().rows, challengerQ, champion.orElse(null), championQ,
                    verdicts, passed);
            TrainingData data = new TrainingData("served:" + registry.postgresUrl, trainFrom.toString(),
                    trainTo.toString(), (long) train.table().rows, cutoff.toString(), train.hash());
            ModelVersion registered = new Registration(r, store == null ? null : new ArtifactStore(store),
                    new ModelLoader()).register(manifest, data, evaluation, registry.by);
            print(o, challengerQ, championQ, champion.orElse(null), verdicts);
            o.printf("registered %s %s at %s%n", registered.model(), registered.version(), registered.manifestUri());
            if (!passed) {
                o.printf("the gates failed (%s): not made the shadow%n", Gates.failures(verdicts));
                return PromoteCommand.REFUSED;
            }
            if (noShadow) {
                return pending;
            }
            r.promote(model, v, ModelVersion.SHADOW, registry.by, "retrain: gates passed on " + eval.table().rows
                    + " labelled rows to " + evalTo, false);
            o.printf("%s %s is the shadow%n", model, v);
            int sent = registry.publishPending(r, o, spec.commandLine().getErr());
            return sent != 0 ? sent : pending;
        }
    }

    /** A trained challenger and its model file. */
    record Retrained(Challenger.Trained trained, byte[] modelJson) {}

    /** The challenger of {@code t}'s rows in their order: the trainer's own procedure, as for a fold of the protocol. */
    static Retrained retrain(FeatureTable t, double validationShare, XgbTrainer.Params params, DecisionRule rule)
            throws Exception {
        int[][] fitValid = Challenger.split(all(t), validationShare);
        Challenger.Trained trained = Challenger.train(t, fitValid[0], fitValid[1], params, rule);
        return new Retrained(trained, TrainingRun.modelJson(trained.booster()));
    }

    private static int[] all(FeatureTable t) {
        return IntStream.range(0, t.rows).toArray();
    }

    /** The champion's quality on the evaluation rows: its artifact loaded as the job loads it, scored on its features. */
    private static Gates.Quality championQuality(ModelVersion champion, FeatureTable eval, boolean[] y) throws Exception {
        try (LoadedModel m = new ModelLoader().load(URI.create(champion.manifestUri()), champion.manifestSha256())) {
            int[] index = FeatureCatalog.indexOf(eval.featureSet.names(), m.featureSchema(), List.of(m.featureNames()));
            double[] scores = new double[eval.rows];
            double[] row = new double[index.length];
            for (int i = 0; i < eval.rows; i++) {
                for (int j = 0; j < index.length; j++) {
                    row[j] = eval.features[i][index[j]];
                }
                scores[i] = m.scorer().score(row);
            }
            return ModelQuality.of(scores, y, m.threshold());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the champion " + champion.model() + " " + champion.version() + " uses"
                    + " features the challenger's set does not hold: retrain with --features " + champion.featureSchema(), e);
        }
    }

    private static Gates.Verdict catalogVerdict(FeatureCatalog.FeatureSet set) {
        List<String> unknown = set.names().stream().filter(n -> !FeatureCatalog.SERVED.names().contains(n)).toList();
        return new Gates.Verdict("feature_catalog", unknown.isEmpty(), unknown.isEmpty()
                ? set.id() + ": every feature is one the job computes" : "not computed by the job: " + unknown);
    }

    private static Gates.Verdict goldenVerdict(URI manifest) {
        try (LoadedModel m = new ModelLoader().load(manifest, null)) {
            return new Gates.Verdict("golden_sample", true, m.manifest().goldenSample().size()
                    + " rows scored as recorded (the job's loader)");
        } catch (ModelRejectedException e) {
            return new Gates.Verdict("golden_sample", false, e.getMessage());
        }
    }

    private static ObjectNode evaluation(Instant cutoff, int rows, Gates.Quality challenger, ModelVersion champion,
            Gates.Quality championQ, List<Gates.Verdict> verdicts, boolean passed) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode e = om.createObjectNode();
        e.put("labels_known_by", cutoff.toString());
        e.put("evaluation_rows", rows);
        e.set("challenger", om.valueToTree(challenger));
        if (champion != null) {
            e.put("champion", champion.model() + " " + champion.version());
            e.set("champion_quality", om.valueToTree(championQ));
        }
        ArrayNode g = e.putArray("gates");
        verdicts.forEach(v -> g.addObject().put("gate", v.gate()).put("passed", v.passed()).put("detail", v.detail()));
        e.put("gates_passed", passed);
        e.put("gate_failures", Gates.failures(verdicts));
        return e;
    }

    private static void print(PrintWriter o, Gates.Quality challenger, Gates.Quality championQ, ModelVersion champion,
            List<Gates.Verdict> verdicts) {
        String f = "%-24s %12s %12s%n";
        o.printf(f, "on the evaluation rows", "challenger", champion == null ? "" : "champion");
        o.printf(f, "average precision", num(challenger.averagePrecision()), championQ == null ? "" : num(championQ.averagePrecision()));
        o.printf(f, "recall at threshold", num(challenger.recall()), championQ == null ? "" : num(championQ.recall()));
        o.printf(f, "precision at threshold", num(challenger.precision()), championQ == null ? "" : num(championQ.precision()));
        o.printf(f, "false-positive rate", num(challenger.falsePositiveRate()), championQ == null ? "" : num(championQ.falsePositiveRate()));
        for (Gates.Verdict v : verdicts) {
            o.printf("  gate %-20s %s  %s%n", v.gate(), v.passed() ? "pass" : "FAIL", v.detail());
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
