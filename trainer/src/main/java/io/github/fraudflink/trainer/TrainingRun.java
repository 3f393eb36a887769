package io.github.fraudflink.trainer;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.PmmlScorer;
import io.github.fraudflink.model.Sha256;
import io.github.fraudflink.model.XgboostScorer;
import io.github.fraudflink.trainer.report.TrainingReport;
import io.github.fraudflink.data.LabelledTransaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import ml.dmlc.xgboost4j.java.Booster;

/**
 * One training run, end to end: features from the job's own code, the handbook's time split, XGBoost with
 * early stopping on the validation AUPRC (the last {@code validationShare} of the training period, by time),
 * the best-F1 threshold on that validation slice, evaluation on the test period, and a model artifact whose
 * manifest carries the metrics, a golden sample and reference distributions. Besides the xgboost artifact in the
 * output directory: the same model as PMML in {@code pmml/} (its own manifest, same metrics and golden sample, the
 * expected scores being xgboost4j's) and an HTML report, {@code report.html} with its charts in {@code charts/}.
 */
public final class TrainingRun {

    /** What to train and how. */
    public record Options(String name, String version, HandbookProtocol protocol, int folds, double validationShare,
            XgbTrainer.Params params, String createdAt, String createdBy, FeatureCatalog.FeatureSet featureSet,
            boolean tune, DecisionRule rule, LabelChannels.Config channels) {
        /** The options with the handbook's labels: every one a chargeback, {@code delayDays} after its transaction. */
        public Options(String name, String version, HandbookProtocol protocol, int folds, double validationShare,
                XgbTrainer.Params params, String createdAt, String createdBy, FeatureCatalog.FeatureSet featureSet,
                boolean tune, DecisionRule rule) {
            this(name, version, protocol, folds, validationShare, params, createdAt, createdBy, featureSet, tune, rule, null);
        }

        /** The options on the account features ({@code account-v1}), with the default decision rule. */
        public Options(String name, String version, HandbookProtocol protocol, int folds, double validationShare,
                XgbTrainer.Params params, String createdAt, String createdBy) {
            this(name, version, protocol, folds, validationShare, params, createdAt, createdBy, FeatureCatalog.ACCOUNT, false,
                    DecisionRule.DEFAULT);
        }

        /** The same with the given hyper-parameters. */
        Options with(XgbTrainer.Params p) {
            return new Options(name, version, protocol, folds, validationShare, p, createdAt, createdBy, featureSet, tune, rule,
                    channels);
        }
    }

    /** The grid {@code --tune} searches: the handbook's (it found shallow trees best), rounds by early stopping. */
    static final int[] TUNE_DEPTHS = {2, 3, 4, 6};
    static final double[] TUNE_RATES = {0.05, 0.1, 0.3};
    /** And the positive class weight: balanced (null) or none. */
    static final Double[] TUNE_POS_WEIGHTS = {null, 1.0};

    /**
     * The artifacts written and the figures measured: {@code trainSeconds} runs from the features to the xgboost
     * artifact, without the PMML export and the report; {@code pmmlManifest} is the PMML artifact's (in {@code pmml/}),
     * {@code report} the HTML report's path.
     */
    public record Outcome(ModelManifest manifest, Map<String, Double> test, List<Map<String, Double>> folds,
            int trainRows, int testRows, int rounds, double trainSeconds, ModelManifest pmmlManifest, Path report) {}

    /** The PMML artifact's directory, inside the output directory. */
    public static final String PMML_DIR = "pmml";
    public static final String PMML_FILE = "model.pmml";

    private static final int GOLDEN_ROWS = 20;
    private static final int BINS = 10;
    /** Test rows (evenly spread) on which the PMML export is compared with xgboost4j. */
    private static final int PMML_CHECK_ROWS = 2_000;

    private TrainingRun() {}

    /**
     * The feature set {@code id} for training on {@code data}: a set of {@link FeatureCatalog#ALL}, or
     * {@code attributes-v1} with the attributes {@code data} has ({@link FeatureCatalog#attributes}: every name that
     * any row has, in natural order; a row without one gets NaN, XGBoost's missing value, in training as in the job).
     *
     * @throws IllegalArgumentException for an unknown id, or {@code attributes-v1} on data without attributes
     */
    public static FeatureCatalog.FeatureSet featureSet(String id, List<LabelledTransaction> data) {
        if (!FeatureCatalog.ATTRIBUTES_ID.equals(id)) {
            return FeatureCatalog.byId(id);
        }
        List<String> names = io.github.fraudflink.features.ModelInputs.attributeNames(
                () -> data.stream().map(LabelledTransaction::tx).iterator());
        if (names.isEmpty()) {
            throw new IllegalArgumentException("--features " + id + " trains on the transactions' attributes, and"
                    + " these " + data.size() + " transactions have none: give data with attributes (--format kaggle,"
                    + " or an 'attributes' object in JSON lines), or another --features, e.g. account-terminal-v3");
        }
        return FeatureCatalog.attributes(names);
    }

    public static Outcome run(List<LabelledTransaction> data, String dataFingerprint, Options o, Path outDir,
            Consumer<String> log) throws Exception {
        long t0 = System.nanoTime();
        TerminalFeatures terminal = o.featureSet().terminal() || o.channels() != null
                ? new TerminalFeatures(java.time.Duration.ofDays(o.protocol().delayDays()),
                        TerminalFeatures.DEFAULT_LABEL_LAG, TerminalFeatures.DEFAULT_MAX_HISTORY) : null;
        FeatureTable computed = FeatureTable.compute(data, new AccountFeatures(), terminal, data.size());
        log.accept(String.format("features (%s) of %,d transactions computed in %.1f s", o.channels() == null
                ? o.featureSet().id() : computed.featureSet.id() + ", chargebacks only", computed.rows,
                (System.nanoTime() - t0) / 1e9));
        if (o.channels() != null) {
            List<io.github.fraudflink.features.Label> labels = channelLabels(data, computed, o, log);
            long t1 = System.nanoTime();
            computed = FeatureTable.compute(data, new AccountFeatures(), terminal, labels, data.size());
            log.accept(String.format("features (%s) of %,d transactions computed again with the channels' labels in"
                    + " %.1f s", computed.featureSet.id(), computed.rows, (System.nanoTime() - t1) / 1e9));
        }
        // the reach of card precision@100 reads the terminal's known frauds from every computed value
        FeatureTable full = o.featureSet().terminal() ? computed : computed.select(o.featureSet());
        FeatureTable t = computed.select(o.featureSet());
        List<String> names = t.featureSet.names();

        Fold main = fold(t, full, o.protocol(), o, log);
        List<Map<String, Double>> folds = new ArrayList<>();
        folds.add(main.test);
        for (int k = 1; k < o.folds(); k++) {
            Fold f = fold(t, full, o.protocol().fold(k), o, log);
            f.booster.dispose();
            folds.add(f.test);
        }

        byte[] modelJson = save(main.booster);
        // average gain per split, by the schema's names (features never split on are absent)
        Map<String, Double> gain = main.booster.getScore(names.toArray(new String[0]), "gain");
        main.booster.dispose();
        Map<String, Double> metrics = new TreeMap<>(main.test);
        metrics.put("validation_auprc", main.validationAuprc);
        if (o.folds() > 1) {
            for (String key : List.of("auprc", "roc_auc", "card_precision_at_100")) {
                double[] v = folds.stream().mapToDouble(m -> m.get(key)).toArray();
                double mean = Arrays.stream(v).average().orElse(Double.NaN);
                double sd = Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, v.length - 1));
                metrics.put("prequential_" + key + "_mean", mean);
                metrics.put("prequential_" + key + "_std", sd);
            }
        }
        TreeMap<String, String> training = new TreeMap<>();
        training.put("protocol", o.protocol().toString());
        training.put("folds", Integer.toString(o.folds()));
        training.put("rounds", Integer.toString(main.rounds));
        training.put("train_rows", Integer.toString(main.trainRows));
        training.put("validation_share", Double.toString(o.validationShare()));
        training.put("threshold_rule", o.rule().declineDescription());
        training.put("review_threshold_rule", o.rule().reviewDescription());
        main.params.forEach((k, v) -> training.put("xgboost." + k, String.valueOf(v)));
        if (o.channels() != null) {
            training.put("label_channels", o.channels().describe());
        }

        ModelManifest manifest = writeArtifact(outDir, t, modelJson, o.name(), o.version(), main.threshold, main.reviewThreshold,
                Sha256.of((dataFingerprint + "|" + o.protocol()).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                o.createdAt(), o.createdBy(), metrics, training, main.testRows, main.trainIdx, main.trainScores);
        double trainSeconds = (System.nanoTime() - t0) / 1e9;

        long t1 = System.nanoTime();
        byte[] pmml = PmmlExport.toPmml(modelJson, names);
        ModelManifest pmmlManifest = ModelArtifactWriter.write(outDir.resolve(PMML_DIR), asPmml(manifest),
                Map.of(PMML_FILE, pmml));
        long t2 = System.nanoTime();
        TrainingReport.PmmlAgreement agreement = pmmlAgreement(pmml, t, main.testRows, main.testScores);
        log.accept(String.format("PMML of the same model written to %s in %.1f s; compared with xgboost4j on %,d test rows"
                + " in %.1f s: largest difference %.1e", outDir.resolve(PMML_DIR), (t2 - t1) / 1e9,
                agreement.rowsCompared(), (System.nanoTime() - t2) / 1e9, agreement.maxAbsDifference()));
        if (!(agreement.maxAbsDifference() <= ModelLoader.GOLDEN_TOLERANCE)) {
            log.accept(String.format("WARNING: the PMML export scores up to %.1e away from xgboost4j, more than the"
                    + " loader's tolerance %.0e: do not serve the PMML artifact", agreement.maxAbsDifference(),
                    ModelLoader.GOLDEN_TOLERANCE));
        }

        long t3 = System.nanoTime();
        Path report = TrainingReport.write(outDir, reportInput(t, o, main, manifest, pmmlManifest, gain, folds, agreement));
        log.accept(String.format("report written to %s in %.1f s", report, (System.nanoTime() - t3) / 1e9));
        return new Outcome(manifest, main.test, folds, main.trainRows, main.testRows.length, main.rounds,
                trainSeconds, pmmlManifest, report);
    }

    /**
     * Writes the xgboost artifact ({@code model.json} and {@code manifest.json}) of a trained model: the manifest with
     * the metrics and training details given, a golden sample of up to 10 frauds and 10 genuine rows of
     * {@code goldenRows} scored by the saved file as the job will load it, and reference distributions (feature
     * deciles, score histogram) of {@code referenceRows} with their scores.
     */
    public static ModelManifest writeArtifact(Path outDir, FeatureTable t, byte[] modelJson, String name, String version,
            double threshold, double reviewThreshold, String dataFingerprint, String createdAt, String createdBy, Map<String, Double> metrics,
            Map<String, String> training, int[] goldenRows, int[] referenceRows, double[] referenceScores)
            throws IOException {
        ModelManifest draft = new ModelManifest(name, version, ModelManifest.FORMAT_XGBOOST_JSON, "model.json",
                t.featureSet.id(), t.featureSet.names(), threshold, null, dataFingerprint, createdAt, createdBy,
                new TreeMap<>(metrics), new TreeMap<>(training), goldenSample(t, goldenRows, modelJson),
                referenceDistributions(t, referenceRows, referenceScores), reviewThreshold);
        return ModelArtifactWriter.write(outDir, draft, Map.of("model.json", modelJson));
    }

    /** The booster's model file, as the job loads it. */
    public static byte[] modelJson(Booster b) throws Exception {
        return save(b);
    }

    /** The PMML artifact's manifest: the xgboost one's name, version, threshold, metrics and golden sample. */
    private static ModelManifest asPmml(ModelManifest d) {
        return new ModelManifest(d.name(), d.version(), ModelManifest.FORMAT_PMML, PMML_FILE, d.featureSchemaId(),
                d.featureNames(), d.threshold(), null, d.trainingDataFingerprint(), d.createdAt(), d.createdBy(),
                d.metrics(), d.training(), d.goldenSample(), d.referenceDistributions(), d.reviewThreshold());
    }

    /** Scores up to {@link #PMML_CHECK_ROWS} test rows, evenly spread, with the PMML and compares with xgboost4j's. */
    private static TrainingReport.PmmlAgreement pmmlAgreement(byte[] pmml, FeatureTable t, int[] testRows,
            double[] xgboostScores) throws IOException {
        int n = Math.min(PMML_CHECK_ROWS, testRows.length);
        double max = 0;
        try (PmmlScorer s = PmmlScorer.load(pmml, t.featureSet.names())) {
            for (int k = 0; k < n; k++) {
                int r = (int) ((long) k * testRows.length / n);
                double d = Math.abs(s.score(t.features[testRows[r]]) - xgboostScores[r]);
                max = d > max || Double.isNaN(d) ? d : max;
            }
        }
        return new TrainingReport.PmmlAgreement(PMML_DIR + "/" + PMML_FILE, n, max, ModelLoader.GOLDEN_TOLERANCE);
    }

    private static TrainingReport.Input reportInput(FeatureTable t, Options o, Fold main, ModelManifest manifest,
            ModelManifest pmmlManifest, Map<String, Double> gain, List<Map<String, Double>> folds,
            TrainingReport.PmmlAgreement agreement) {
        List<TrainingReport.Slice> slices = new ArrayList<>();
        int[] all = new int[t.rows];
        Arrays.setAll(all, i -> i);
        slices.add(slice(t, "all data", all));
        slices.add(slice(t, "training (fit)", main.trainIdx));
        slices.add(slice(t, "validation (early stopping, threshold)", main.validIdx));
        slices.add(slice(t, "test", main.testRows));
        List<String> foldLabels = new ArrayList<>();
        for (int k = 0; k < folds.size(); k++) {
            foldLabels.add(o.protocol().fold(k).trainStart().toString());
        }
        Map<String, String> artifacts = new LinkedHashMap<>();
        artifacts.put("xgboost", "manifest.json, model.json");
        artifacts.put("pmml", PMML_DIR + "/manifest.json, " + PMML_DIR + "/" + PMML_FILE);
        manifest.files().forEach((f, sha) -> artifacts.put("sha256 " + f, sha));
        pmmlManifest.files().forEach((f, sha) -> artifacts.put("sha256 " + PMML_DIR + "/" + f, sha));
        HandbookProtocol p = o.protocol();
        String protocol = String.format("train %s .. %s (%d days), %d days delay, test %s .. %s (%d days)%s",
                p.trainStart(), p.trainStart().plusDays(p.trainDays() - 1L), p.trainDays(), p.delayDays(), p.testStart(),
                p.testStart().plusDays(p.testDays() - 1L), p.testDays(),
                o.folds() > 1 ? String.format(", prequential: %d folds, each %d days earlier", o.folds(), p.testDays()) : "");
        return new TrainingReport.Input(manifest, protocol, slices, main.testScores, labels(t, main.testRows), gain,
                "gain (average per split)", folds, foldLabels, agreement, artifacts);
    }

    private static TrainingReport.Slice slice(FeatureTable t, String label, int[] rows) {
        long frauds = 0;
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (int i : rows) {
            frauds += t.labels[i] ? 1 : 0;
            from = Math.min(from, t.eventTimes[i]);
            to = Math.max(to, t.eventTimes[i]);
        }
        return new TrainingReport.Slice(label, rows.length == 0 ? "" : TrainingReport.period(from, to), rows.length, frauds);
    }

    private static final class Fold {
        Booster booster;
        Map<String, Object> params;
        int rounds;
        int trainRows;
        int[] trainIdx;
        int[] validIdx;
        double[] trainScores;
        int[] testRows;
        double[] testScores;
        double threshold;
        double reviewThreshold;
        double validationAuprc;
        Map<String, Double> test;
    }

    /**
     * The labels of the channels ({@link LabelChannels}): the analysts' queue is filled by a selector, a model on the
     * v3 features with chargebacks-only labels ({@code chargebacksOnly}, the handbook's), trained on a window that
     * ends before any fold's features need a label (so each transaction it scores is out of its sample, and its
     * training labels were all known before it scores), used from the day its last training label is known; its
     * scores are those of a model that never sees a fast label, so the queue is a conservative one: the served model
     * with the fast-label features would fill it better.
     */
    static List<io.github.fraudflink.features.Label> channelLabels(List<LabelledTransaction> data,
            FeatureTable chargebacksOnly, Options o, Consumer<String> log) throws Exception {
        LabelChannels.Config c = o.channels();
        double[] scores = new double[data.size()];
        Arrays.fill(scores, Double.NaN);
        if (c.analysts()) {
            long t0 = System.nanoTime();
            HandbookProtocol earliest = o.protocol().fold(o.folds() - 1);
            // the first day any fold's features read a label of: the earliest training day less the terminal windows
            java.time.LocalDate needed = earliest.trainStart().minusDays(o.protocol().delayDays()
                    + (long) TerminalFeatures.WINDOW_DAYS[TerminalFeatures.WINDOW_DAYS.length - 1]);
            long chargebackDays = (c.chargebackDelay().toMillis() + AccountFeatures.DAY - 1) / AccountFeatures.DAY;
            // usable (its last training label known) at the start of the day before `needed`, which sets the first bar
            java.time.LocalDate start = c.selectorTrainStart() != null ? c.selectorTrainStart()
                    : needed.minusDays(1 + chargebackDays + c.selectorTrainDays());
            java.time.LocalDate end = start.plusDays(c.selectorTrainDays());
            long from = start.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
            long to = end.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
            long usable = to + c.chargebackDelay().toMillis();
            if (data.isEmpty() || data.get(0).tx().eventTime >= from) {
                throw new IllegalArgumentException("the review queue's selector trains on " + start + " .. "
                        + end.minusDays(1) + ", which the data does not cover (it starts "
                        + (data.isEmpty() ? "nowhere" : java.time.Instant.ofEpochMilli(data.get(0).tx().eventTime))
                        + "): give --selector-train-start inside the data, or fewer --folds of the protocol");
            }
            FeatureTable v3 = chargebacksOnly.select(FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS);
            int[] rows = v3.between(from, to);
            int[][] fitValid = Challenger.split(rows, o.validationShare());
            Challenger.Trained selector = Challenger.train(v3, fitValid[0], fitValid[1], o.params(), o.rule());
            int[] later = v3.between(usable, Long.MAX_VALUE);
            double[] s = XgbTrainer.predict(selector.booster(), v3, later);
            selector.booster().dispose();
            for (int k = 0; k < later.length; k++) {
                scores[later[k]] = s[k];
            }
            log.accept(String.format("review queue: selector %s on %s .. %s (%,d rows, chargebacks only, %d rounds),"
                    + " scores the %,d transactions from %s (its last training label known) in %.1f s",
                    FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS.id(), start, end.minusDays(1), rows.length, selector.rounds(),
                    later.length, java.time.Instant.ofEpochMilli(usable), (System.nanoTime() - t0) / 1e9));
            if (usable > needed.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli()) {
                log.accept("WARNING: the selector is usable only after " + needed + ", the first day the folds'"
                        + " features need labels of: the analysts miss the days between");
            }
        }
        LabelChannels.Result r = LabelChannels.assign(data, scores, c);
        log.accept("label channels (" + c.describe() + "): " + r.summary());
        return r.labels();
    }

    private static Fold fold(FeatureTable t, FeatureTable full, HandbookProtocol p, Options o, Consumer<String> log)
            throws Exception {
        HandbookProtocol.Split split = p.split(t);
        if (split.train().length == 0 || split.test().length == 0) {
            throw new IllegalArgumentException("the data has no rows in the training or the test period of " + p
                    + ": pick --train-start inside the data");
        }
        int[][] fitValid = Challenger.split(split.train(), o.validationShare());
        int[] valid = fitValid[1];
        if (o.tune()) {
            o = o.with(tune(t, fitValid[0], valid, o.params(), p, log));
        }
        Challenger.Trained r = Challenger.train(t, fitValid[0], valid, o.params(), o.rule());
        Booster model = r.booster();
        int[] fit = r.fit();
        double threshold = r.threshold();
        double[] ts = XgbTrainer.predict(model, t, split.test());
        Fold f = new Fold();
        f.booster = model;
        f.params = r.params();
        f.rounds = r.rounds();
        f.trainRows = fit.length;
        f.trainIdx = fit;
        f.validIdx = valid;
        f.trainScores = XgbTrainer.predict(model, t, fit);
        f.testRows = split.test();
        f.testScores = ts;
        f.threshold = threshold;
        f.reviewThreshold = r.reviewThreshold();
        f.validationAuprc = r.validationAuprc();
        f.test = HandbookProtocol.evaluate(t, split.test(), ts, threshold);
        f.test.putAll(HandbookProtocol.reviewBand(t, split.test(), ts, r.reviewThreshold(), threshold));
        log.accept(String.format("fold %s: recall at the threshold by fraud scenario: %s", p.trainStart(),
                scenarioRecall(t, split.test(), ts, threshold)));
        log.accept(String.format("fold %s: %s", p.trainStart(), cardPrecisionReach(full, split.test())));
        log.accept(String.format("fold %s: review band [%.4f, %.4f): %.2f%% of the test rows, %.3f of them fraud;"
                + " recall at or above it %.3f", p.trainStart(), r.reviewThreshold(), threshold,
                100 * f.test.get("review_share"), f.test.get("precision_in_review_band"), f.test.get("recall_at_review_threshold")));
        log.accept(String.format("fold %s: %,d train / %,d validation / %,d test rows, %d rounds, threshold %.4f -> "
                + "AUPRC %.3f, ROC AUC %.3f, card precision@100 %.3f", p.trainStart(), fit.length, valid.length,
                split.test().length, r.rounds(), threshold, f.test.get("auprc"), f.test.get("roc_auc"),
                f.test.get("card_precision_at_100")));
        return f;
    }

    /**
     * The depth, learning rate and positive class weight of {@link #TUNE_DEPTHS} x {@link #TUNE_RATES} x
     * {@link #TUNE_POS_WEIGHTS} with the best validation AUPRC: the
     * validation slice is the end of the training period, before the delay and the test period, which the choice
     * never sees.
     */
    static XgbTrainer.Params tune(FeatureTable t, int[] fit, int[] valid, XgbTrainer.Params base, HandbookProtocol p,
            Consumer<String> log) throws Exception {
        XgbTrainer.Params best = base;
        double bestAuprc = -1;
        StringBuilder grid = new StringBuilder();
        for (Double weight : TUNE_POS_WEIGHTS) {
            for (int depth : TUNE_DEPTHS) {
                for (double rate : TUNE_RATES) {
                    XgbTrainer.Params c = base.withTrees(depth, rate).withPosWeight(weight);
                    XgbTrainer.Result r = XgbTrainer.train(t, fit, valid, c);
                    r.booster().dispose();
                    grid.append(String.format(" d%d/%.2f/%s:%.3f", depth, rate, weightName(weight), r.validationAuprc()));
                    if (r.validationAuprc() > bestAuprc) {
                        bestAuprc = r.validationAuprc();
                        best = c;
                    }
                }
            }
        }
        log.accept(String.format("fold %s: tuned on the validation slice (depth/rate/positive weight: AUPRC)%s -> depth"
                + " %d, rate %.2f, positive weight %s", p.trainStart(), grid, best.maxDepth(), best.eta(),
                weightName(best.posWeight())));
        return best;
    }

    /**
     * How far card precision@100 can go on these test rows: with perfect scores (every fraud first); and, when the
     * data names the handbook's scenarios and {@code t} has the terminal's known frauds, with perfect scores for
     * every fraud except those of a compromised terminal (scenario 2) with no known fraud yet: none among its
     * transactions of {@code (t - d - 30 d, t - d]} (the 30-day share is 0) and, when {@code t} has the recent values
     * ({@code account-terminal-v4}), none of the last 30 days either, as known at {@code t - L} from the labels the
     * run used (the chargebacks', or the label channels'). No feature from labels can see those frauds yet.
     */
    static String cardPrecisionReach(FeatureTable t, int[] rows) {
        double[] perfect = new double[rows.length];
        double[] visible = new double[rows.length];
        int share30 = t.featureSet.names().indexOf(FeatureCatalog.TERMINAL_FRAUD_SHARE_30D);
        int latest = t.featureSet.names().indexOf(FeatureCatalog.TERMINAL_DAYS_SINCE_LATEST_FRAUD);
        boolean scenarios = false;
        int terminalFrauds = 0;
        int unseenFrauds = 0;
        for (int k = 0; k < rows.length; k++) {
            int i = rows[k];
            perfect[k] = t.labels[i] ? 1 : 0;
            boolean unseen = t.scenarios[i] == 2 && share30 >= 0 && t.features[i][share30] == 0
                    && (latest < 0 || t.features[i][latest] >= TerminalFeatures.NO_RECENT_FRAUD_DAYS);
            visible[k] = t.labels[i] && !unseen ? 1 : 0;
            scenarios |= t.scenarios[i] > 0;
            terminalFrauds += t.labels[i] && t.scenarios[i] == 2 ? 1 : 0;
            unseenFrauds += t.labels[i] && unseen ? 1 : 0;
        }
        String reach = String.format("card precision@100 of perfect scores %.3f", HandbookProtocol.evaluate(t, rows,
                perfect, 0.5).get("card_precision_at_100"));
        if (scenarios && share30 >= 0) {
            reach += String.format(", of perfect scores for every fraud but the compromised terminals' whose terminal has"
                    + " no known fraud yet %.3f (%d of the %d compromised-terminal frauds)", HandbookProtocol.evaluate(t,
                    rows, visible, 0.5).get("card_precision_at_100"), unseenFrauds, terminalFrauds);
        }
        return reach;
    }

    /** A positive class weight as {@code --pos-weight} spells it. */
    static String weightName(Double weight) {
        return weight == null ? "balanced" : weight == Math.rint(weight) ? Long.toString(weight.longValue()) : weight.toString();
    }

    /**
     * Where the misses are: per fraud scenario of the dataset (the handbook's 1 amount, 2 compromised terminal,
     * 3 compromised customer), the frauds of the test rows at or above the threshold, e.g. "1: 40/42, 2: 90/210".
     */
    static String scenarioRecall(FeatureTable t, int[] rows, double[] scores, double threshold) {
        java.util.TreeMap<Integer, int[]> by = new java.util.TreeMap<>();
        for (int k = 0; k < rows.length; k++) {
            int i = rows[k];
            if (t.labels[i]) {
                int[] c = by.computeIfAbsent(t.scenarios[i], x -> new int[2]);
                c[1]++;
                if (scores[k] >= threshold) {
                    c[0]++;
                }
            }
        }
        StringBuilder b = new StringBuilder();
        by.forEach((sc, c) -> b.append(b.length() == 0 ? "" : ", ").append(sc).append(": ").append(c[0]).append('/')
                .append(c[1]));
        return b.length() == 0 ? "no frauds" : b.toString();
    }

    static boolean[] labels(FeatureTable t, int[] idx) {
        boolean[] y = new boolean[idx.length];
        for (int i = 0; i < idx.length; i++) {
            y[i] = t.labels[idx[i]];
        }
        return y;
    }

    private static byte[] save(Booster b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.saveModel(out, "json");
        return out.toByteArray();
    }

    /** Up to 10 frauds and 10 genuine test rows, scored by the saved model file exactly as the job will load it. */
    private static List<ModelManifest.GoldenRow> goldenSample(FeatureTable t, int[] test, byte[] modelJson) throws IOException {
        List<Integer> pick = new ArrayList<>();
        int frauds = 0;
        int genuine = 0;
        for (int i : test) {
            if (t.labels[i] && frauds < GOLDEN_ROWS / 2) {
                pick.add(i);
                frauds++;
            } else if (!t.labels[i] && genuine < GOLDEN_ROWS / 2) {
                pick.add(i);
                genuine++;
            }
        }
        List<ModelManifest.GoldenRow> rows = new ArrayList<>();
        try (XgboostScorer s = XgboostScorer.load(modelJson, ModelManifest.FORMAT_XGBOOST_JSON, t.columns())) {
            for (int i : pick) {
                rows.add(new ModelManifest.GoldenRow(t.features[i].clone(), s.score(t.features[i])));
            }
        }
        return rows;
    }

    /**
     * Decile histograms of each feature (its values that are not missing) and of the score, on the training rows: the
     * reference distributions drift is measured against ({@link Histograms#quantile}).
     */
    private static TreeMap<String, ModelManifest.Histogram> referenceDistributions(FeatureTable t, int[] rows, double[] scores) {
        TreeMap<String, ModelManifest.Histogram> m = new TreeMap<>();
        for (int j = 0; j < t.columns(); j++) {
            final int c = j;
            // a missing attribute (NaN) is no value of the distribution: the job's drift window does not count it either
            double[] v = Arrays.stream(rows).mapToDouble(r -> t.features[r][c]).filter(x -> !Double.isNaN(x)).toArray();
            m.put(t.featureSet.names().get(j), Histograms.quantile(v, BINS));
        }
        m.put("score", Histograms.quantile(scores, BINS));
        return m;
    }

    /** Metrics in a stable order, for printing. */
    public static Map<String, Double> ordered(Map<String, Double> m) {
        return new LinkedHashMap<>(new TreeMap<>(m));
    }
}
