package io.github.fraudflink.cli.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.trainer.HandbookProtocol;
import io.github.fraudflink.trainer.TrainingRun;
import io.github.fraudflink.trainer.XgbTrainer;
import io.github.fraudflink.data.Dataset;
import io.github.fraudflink.data.DatasetReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud train}: features with the job's own code, XGBoost, the handbook's protocol, a model artifact. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train and evaluate an XGBoost model on a labelled dataset, with the job's own feature code and"
                + " the Fraud Detection Handbook's time-based protocol; write a model directory (model.json + manifest.json)."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Labelled transactions (.csv/.csv.gz in the handbook"
            + " layout, Kaggle's creditcard.csv(.gz) with --format kaggle, or .jsonl/.jsonl.gz).")
    Path data;

    @Option(names = "--format", description = "handbook, jsonl or kaggle (default: jsonl for .jsonl files, else handbook)."
            + " kaggle: Kaggle's creditcard.csv (Time, V1..V28, Amount, Class; docs/kaggle.md), every row its own card;"
            + " it changes the defaults of --features (attributes-v1), --name (kaggle-xgb) and the split: train on"
            + " 2013-09-02 (the first day of Time), no delay, test on 2013-09-03 (the second).")
    String format;

    @Option(names = "--protocol", defaultValue = "handbook-baseline",
            description = "handbook-baseline (one split) or prequential (4 folds, each 7 days earlier) (default: ${DEFAULT-VALUE}).")
    String protocol;

    @Option(names = "--train-start", description = "First training day (default: 2018-07-25; with --format kaggle:"
            + " 2013-09-02).")
    LocalDate trainStart;

    @Option(names = "--train-days", description = "Training days (default: 7; with --format kaggle: 1).")
    Integer trainDays;

    @Option(names = "--delay-days", description = "Days between training and test: labels arrive late (default: 7;"
            + " with --format kaggle: 0).")
    Integer delayDays;

    @Option(names = "--test-days", description = "Test days (default: 7; with --format kaggle: 1).")
    Integer testDays;

    @Option(names = "--validation-share", defaultValue = "0.25",
            description = "Last share of the training period (by time) used for early stopping and the threshold (default: ${DEFAULT-VALUE}).")
    double validationShare;

    @Option(names = "--name", description = "Model name (default: handbook-xgb; with --format kaggle: kaggle-xgb).")
    String name;

    @Option(names = "--model-version", description = "Model version (default: the training start date and protocol).")
    String version;

    @Option(names = "--out", description = "Output directory (default: models/<name>/<version>).")
    Path out;

    @Option(names = "--threads", defaultValue = "1", description = "XGBoost threads; 1 makes the model bytes reproducible (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--created-at", description = "Timestamp recorded in the manifest (default: now). Fix it to rebuild a model byte for byte.")
    String createdAt;

    @picocli.CommandLine.Mixin
    io.github.fraudflink.cli.common.DecisionOptions decisions = new io.github.fraudflink.cli.common.DecisionOptions();

    @Option(names = "--json", description = "Print the metrics as one JSON object on the last line.")
    boolean json;

    // The defaults are the recipe of the shipped model (docs/quality.md): a user who gives no tuning flag gets it;
    // the settings before it stay reachable with --features account-v1 --pos-weight balanced --max-bin 256 --no-refit
    @Option(names = "--max-bin", defaultValue = "4096",
            description = "Histogram bins per feature; more bins place splits more exactly (the handbook's amount rule at"
                    + " 220 needs about 4096; 256 was the default before) (default: ${DEFAULT-VALUE}).")
    int maxBin;

    @Option(names = "--refit", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After early stopping on the validation slice, train again on the whole training period with"
                    + " the rounds it chose (the threshold stays the validation's); --no-refit keeps the early-stopped"
                    + " model (default: ${DEFAULT-VALUE}).")
    boolean refit;

    @Option(names = "--features",
            description = "Feature set: account-v1 (the account's own history), account-terminal-v2 (plus the terminal's"
                    + " transaction count and fraud share from labels known --delay-days later), account-terminal-v3"
                    + " (plus the terminal's known frauds: counts, days since the first and the last),"
                    + " account-terminal-v4 (plus the terminal's recent frauds, counted as soon as their labels are"
                    + " known: worth it with label channels) or attributes-v1 (amount, time_of_day, and the"
                    + " transactions' attributes as attribute.<name>, e.g. Kaggle's V1..V28: no account or terminal"
                    + " needed); the job computes all of them; the shipped model uses v3 (default: account-terminal-v3;"
                    + " with --format kaggle: attributes-v1).")
    String features;

    @Option(names = "--pos-weight", defaultValue = "1", paramLabel = "balanced|<weight>",
            description = "Weight of the fraud class (XGBoost's scale_pos_weight): balanced (genuine over fraud rows of"
                    + " the training period) or a positive number; 1 leaves the classes unweighted, which the validation"
                    + " slices prefer (default: ${DEFAULT-VALUE}).")
    String posWeight;

    @Option(names = "--tune", description = "Choose the tree depth (2, 3, 4, 6), learning rate (0.05, 0.1, 0.3) and"
            + " fraud class weight (balanced, 1) by the AUPRC on the validation slice (the end of the training period,"
            + " before the test period) in each fold; 24 trainings more per fold.")
    boolean tune;

    // The label channels (docs/quality.md, "Fast labels"): off by default, every label a chargeback --delay-days late
    @Option(names = "--analyst-daily", defaultValue = "0", paramLabel = "<K>",
            description = "Label channels: analysts review the K riskiest flagged transactions of each day (a causal"
                    + " budget: a transaction scoring at or above the previous day's K-th highest score, while fewer than"
                    + " K of its day were reviewed before it), their verdict known --analyst-delay later; 0: no"
                    + " analysts (default: ${DEFAULT-VALUE}).")
    int analystDaily;

    @Option(names = "--analyst-delay", defaultValue = "4h", converter = io.github.fraudflink.cli.common.DurationConverter.class,
            description = "How long after the transaction an analyst's verdict is known (default: ${DEFAULT-VALUE}).")
    java.time.Duration analystDelay;

    @Option(names = "--cardholder-share", defaultValue = "0", paramLabel = "<p>",
            description = "Label channels: the share of the frauds not reviewed that the cardholder reports (a"
                    + " deterministic draw per transaction), known --cardholder-delay later; 0: none (default: ${DEFAULT-VALUE}).")
    double cardholderShare;

    @Option(names = "--cardholder-delay", defaultValue = "2d", converter = io.github.fraudflink.cli.common.DurationConverter.class,
            description = "How long after the transaction a cardholder's report is known (default: ${DEFAULT-VALUE}).")
    java.time.Duration cardholderDelay;

    @Option(names = "--chargeback-delay", converter = io.github.fraudflink.cli.common.DurationConverter.class,
            description = "With label channels: how long after the transaction every other label (a chargeback, genuine"
                    + " ones included) is known (default: --delay-days).")
    java.time.Duration chargebackDelay;

    @Option(names = "--channel-seed", defaultValue = "0",
            description = "With label channels: the seed of the cardholders' draws (default: ${DEFAULT-VALUE}).")
    long channelSeed;

    @Option(names = "--selector-train-start",
            description = "With analysts: the first training day of the model that fills their queue (v3 features,"
                    + " chargebacks only); default: the latest window that has it usable (its labels known) from the"
                    + " first day any fold's features need.")
    LocalDate selectorTrainStart;

    @Option(names = "--selector-train-days", defaultValue = "21",
            description = "With analysts: the training days of that model (default: ${DEFAULT-VALUE}).")
    int selectorTrainDays;

    /** The data's format: {@code --format}, else from the file name. */
    DatasetReader.Format dataFormat() {
        return DatasetReader.Format.of(format, data);
    }

    private boolean kaggle() {
        return dataFormat() == DatasetReader.Format.KAGGLE;
    }

    /** {@code --features}, else the format's default: attributes-v1 for Kaggle, account-terminal-v3 for the others. */
    String featureSetId() {
        return features != null ? features
                : kaggle() ? io.github.fraudflink.features.FeatureCatalog.ATTRIBUTES_ID : "account-terminal-v3";
    }

    /**
     * The split the flags ask for, else the format's default: the handbook's baseline (train 2018-07-25 + 7 days, 7 days
     * of delay, test 7 days), or for Kaggle's two days train on the first, no delay, test on the second.
     */
    HandbookProtocol protocol() {
        HandbookProtocol d = defaultProtocol();
        return new HandbookProtocol(trainStart != null ? trainStart : d.trainStart(),
                trainDays != null ? trainDays : d.trainDays(), delayDays(), testDays != null ? testDays : d.testDays());
    }

    private HandbookProtocol defaultProtocol() {
        return kaggle() ? HandbookProtocol.kaggle() : HandbookProtocol.baseline();
    }

    private int delayDays() {
        return delayDays != null ? delayDays : defaultProtocol().delayDays();
    }

    /** {@code --name}, else handbook-xgb (kaggle-xgb for Kaggle). */
    String modelName() {
        return name != null ? name : kaggle() ? "kaggle-xgb" : "handbook-xgb";
    }

    /** The label channels the flags ask for; null (chargebacks only) unless an analyst or cardholder channel is on. */
    io.github.fraudflink.trainer.LabelChannels.Config channels() {
        int delayDays = delayDays();
        java.time.Duration chargeback = chargebackDelay != null ? chargebackDelay : java.time.Duration.ofDays(delayDays);
        if (analystDaily == 0 && cardholderShare == 0) {
            if (chargebackDelay != null && !chargeback.equals(java.time.Duration.ofDays(delayDays))) {
                throw new IllegalArgumentException("--chargeback-delay other than --delay-days needs a label channel"
                        + " (--analyst-daily or --cardholder-share); without one, every label is known --delay-days late");
            }
            return null;
        }
        return new io.github.fraudflink.trainer.LabelChannels.Config(analystDaily, analystDelay, cardholderShare,
                cardholderDelay, chargeback, channelSeed, selectorTrainStart, selectorTrainDays);
    }

    /** {@code --pos-weight}: null for balanced, else the number. */
    /** The recipe ({@link XgbTrainer.Params#recipe}, what retraining uses too) with the flags' bins, refit and weight. */
    XgbTrainer.Params params(Double weight) {
        XgbTrainer.Params d = XgbTrainer.Params.recipe(threads);
        return new XgbTrainer.Params(d.maxRounds(), d.earlyStoppingRounds(), d.maxDepth(), d.eta(), d.subsample(),
                d.colsampleBytree(), d.minChildWeight(), threads, d.seed(), maxBin, refit, weight);
    }

    static Double posWeight(String text) {
        if (text.equals("balanced")) {
            return null;
        }
        try {
            double w = Double.parseDouble(text);
            if (w > 0 && Double.isFinite(w)) {
                return w;
            }
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("--pos-weight must be balanced or a positive number, e.g. 1, got '" + text + "'");
    }

    @Override
    public Integer call() throws Exception {
        Double weight = posWeight(posWeight);
        io.github.fraudflink.trainer.LabelChannels.Config channels = channels();
        DatasetReader.Format fmt = dataFormat();
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("no such file: " + data);
        }
        int folds = switch (protocol) {
            case "handbook-baseline" -> 1;
            case "prequential" -> 4;
            default -> throw new IllegalArgumentException("--protocol must be handbook-baseline or prequential, got " + protocol);
        };
        PrintWriter err = spec.commandLine().getErr();
        Dataset ds;
        try (ProgressBar pb = Progress.bytes("read " + data.getFileName(), Files.size(data))) {
            ds = DatasetReader.read(data, fmt, pb::stepTo);
        }
        err.printf("read %,d transactions (%,d frauds), %,d bad rows%n", ds.rows().size(),
                ds.rows().stream().filter(r -> r.fraud()).count(), ds.badRows().size());
        ds.badRows().stream().limit(20).forEach(b -> err.println("  bad row: " + b));
        if (ds.badRows().size() > 20) {
            err.printf("  ... and %,d more bad rows%n", ds.badRows().size() - 20);
        }
        io.github.fraudflink.features.FeatureCatalog.FeatureSet featureSet = TrainingRun.featureSet(featureSetId(), ds.rows());
        if (featureSet.id().equals(io.github.fraudflink.features.FeatureCatalog.ATTRIBUTES_ID)) {
            err.printf("features %s: %d of them (%s, ..., %s)%n", featureSet.id(), featureSet.size(),
                    featureSet.names().get(0), featureSet.names().get(featureSet.size() - 1));
        }
        HandbookProtocol p = protocol();
        String name = modelName();
        String v = version != null ? version : p.trainStart() + "-" + protocol;
        Path dir = out != null ? out : Path.of("models", name, v);
        XgbTrainer.Params params = params(weight);
        TrainingRun.Outcome o = TrainingRun.run(ds.rows(), ds.fingerprint(),
                new TrainingRun.Options(name, v, p, folds, validationShare, params,
                        createdAt != null ? createdAt : Instant.now().toString(), "fraud train", featureSet, tune,
                        decisions.rule(), channels),
                dir, msg -> {
                    err.println(msg);
                    err.flush();
                });
        PrintWriter outw = spec.commandLine().getOut();
        outw.printf("%nmodel %s %s written to %s (decline at %.4f, review from %.4f, %d rounds, %.1f s)%n", name, v, dir,
                o.manifest().threshold(), o.manifest().reviewEdge(), o.rounds(), o.trainSeconds());
        outw.printf("test period %s + %d days: %,d transactions%n", p.testStart(), p.testDays(), o.testRows());
        if (fmt == DatasetReader.Format.KAGGLE) {
            outw.printf("  (Kaggle: every row is its own card, so card precision@100 is transaction precision@100 of"
                    + " the test day)%n");
        }
        for (Map.Entry<String, Double> e : TrainingRun.ordered(o.manifest().metrics()).entrySet()) {
            outw.printf("  %-36s %.4f%n", e.getKey(), e.getValue());
        }
        if (json) {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("model", name);
            n.put("version", v);
            n.put("dir", dir.toString());
            n.put("threshold", o.manifest().threshold());
            n.put("rounds", o.rounds());
            n.put("train_rows", o.trainRows());
            n.put("test_rows", o.testRows());
            n.put("seconds", Math.round(o.trainSeconds() * 10) / 10.0);
            TrainingRun.ordered(o.manifest().metrics()).forEach(n::put);
            outw.println(n);
        }
        outw.flush();
        return 0;
    }
}
