package io.github.fraudflink.cli.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.cli.CliRun;
import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.registry.JobReplay;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import io.github.fraudflink.sql.SchemaMigrator;
import io.github.fraudflink.trainer.DecisionRule;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.trainer.XgbTrainer;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retraining from what the job served, on a real run: {@code ./fraud demo} scores a simulated workload into a real
 * PostgreSQL with its labels 7 days late; {@code ./fraud retrain} trains a challenger from those rows. The served rows
 * are the trainer's own features of the raw transactions (recomputed here from the same simulation and labels), and a
 * model trained from either has the same bytes; a challenger trained on a corrupted labels feed fails the gates and
 * is not made the shadow; one trained on the repaired feed passes them (the default gates) and is, and the job's
 * control topic follows.
 */
class RetrainIT {
    private static final int EVENTS = 30_000;
    private static final long SEED = 11;
    private static final Duration DELAY = Duration.ofDays(7);

    @TempDir
    static Path tmp;
    private static EmbeddedPostgres pg;
    private static EmbeddedKafka kafka;
    private static String url;
    private static String[] common;
    private static Instant first;
    private static Instant last;
    /** The shipped model's name: the champion, and the challengers' (retrain names them after it). */
    private static String model;

    @BeforeAll
    static void scoreAWorkload() throws Exception {
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        try (Admin a = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            a.createTopics(List.of(new NewTopic("model-control", 1, (short) 1))).all().get();
        }
        url = pg.createDatabase("retrain");
        CliRun demo = CliRun.of("demo", "--events", Integer.toString(EVENTS), "--bad-share", "0", "--seed",
                Long.toString(SEED), "--label-delay", "7d", "--postgres-url", url, "--postgres-user", pg.user(),
                "--work-dir", tmp.resolve("demo").toString(), "--json");
        assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
        common = new String[] {"--postgres-url", url, "--postgres-user", pg.user(), "--bootstrap-servers",
            kafka.bootstrapServers(), "--by", "tester"};
        try (Connection c = SchemaMigrator.connect(url, pg.user()); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT min(event_time), max(event_time) FROM scored_transactions")) {
            r.next();
            first = r.getTimestamp(1).toInstant();
            last = r.getTimestamp(2).toInstant();
        }
        CliRun register = run("model", "register", "--manifest", "classpath:models/default/manifest.json", "--store",
                tmp.resolve("store").toString());
        assertThat(register.exit()).as(register.err()).isZero();
        ModelVersion shipped;
        try (Registry r = Registry.open(url, pg.user())) {
            shipped = r.versions(null).get(0);
        }
        model = shipped.model();
        CliRun champion = run("model", "promote", "--model", shipped.model(), "--version", shipped.version(), "--reason",
                "the model the demo scored with");
        assertThat(champion.exit()).as(champion.err()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
        pg.close();
    }

    private static CliRun run(String... args) {
        String[] all = new String[args.length + common.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(common, 0, all, args.length, common.length);
        return CliRun.of(all);
    }

    /** The training window (the first 60% of the run's event time), the evaluation window (the rest). */
    private static Instant trainTo() {
        return first.plusMillis((long) ((last.toEpochMilli() - first.toEpochMilli()) * 0.6));
    }

    private static String[] windows(String version, String... more) {
        List<String> a = new ArrayList<>(List.of("retrain", "--train-from", first.toString(), "--train-to",
                trainTo().toString(), "--eval-to", last.plusMillis(1).toString(), "--labels-known-by", last.toString(),
                "--model-version", version, "--out", tmp.resolve(version).toString(), "--min-labels", "500",
                "--min-frauds", "10"));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void aModelTrainedFromServedRowsIsTheOneTrainedFromTheRawTransactions() throws Exception {
        // the served side, as retrain reads it
        FeatureTable served;
        try (Connection c = SchemaMigrator.connect(url, pg.user())) {
            served = ServedRows.read(c, FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS, first, trainTo(), last).table();
        }
        assertThat(served.rows).isGreaterThan(10_000);

        // the raw side: the demo's simulation again, the job's terminal settings, the labels the demo sent
        String prefix = served.transactionIds[0].substring(0, served.transactionIds[0].indexOf('-') + 1);
        List<LabelledTransaction> sent = new ArrayList<>();
        Iterator<LabelledTransaction> it = new TransactionSimulator(
                io.github.fraudflink.cli.demo.DemoWorkload.SimulationSize.forEvents(EVENTS, null, null).config(SEED))
                .iterator();
        for (int i = 0; i < EVENTS; i++) {
            LabelledTransaction lt = it.next();
            lt.tx().transactionId = prefix + lt.tx().transactionId;
            sent.add(lt);
        }
        long lastEventTime = sent.get(sent.size() - 1).tx().eventTime;
        List<Label> labels = new ArrayList<>();
        for (Label l : FeatureTable.labelsAtDelay(sent, DELAY)) {
            if (l.labelledAt <= lastEventTime) { // the demo sends a label once the stream reaches its time
                labels.add(l);
            }
        }
        List<LabelledTransaction> scored = sent.stream().filter(lt -> lt.tx().amount > 0).toList(); // the job rejects 0
        FeatureTable raw = FeatureTable.compute(scored, new AccountFeatures(),
                JobOptions.terminalFeatures(new Configuration()), labels, scored.size()).select(FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS);
        Map<String, Integer> rawRow = new HashMap<>();
        for (int i = 0; i < raw.rows; i++) {
            rawRow.put(raw.accounts[i] + "/" + raw.transactionIds[i], i);
        }
        // the same rows, in the served order, with the raw features and the simulation's labels
        double[][] features = new double[served.rows][];
        boolean[] y = new boolean[served.rows];
        for (int i = 0; i < served.rows; i++) {
            Integer k = rawRow.get(served.accounts[i] + "/" + served.transactionIds[i]);
            assertThat(k).as("served %s/%s is a raw transaction", served.accounts[i], served.transactionIds[i]).isNotNull();
            features[i] = raw.features[k];
            y[i] = raw.labels[k];
            assertThat(served.features[i]).as("features of %s", served.transactionIds[i]).containsExactly(features[i]);
        }
        assertThat(served.labels).as("the labels known by the cut-off are the simulation's").containsExactly(y);
        FeatureTable fromRaw = FeatureTable.of(FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS, features, y, served.eventTimes, served.accounts,
                served.transactionIds);

        XgbTrainer.Params recipe = XgbTrainer.Params.recipe(2);
        byte[] a = RetrainCommand.retrain(served, 0.25, recipe, DecisionRule.DEFAULT).modelJson();
        byte[] b = RetrainCommand.retrain(fromRaw, 0.25, recipe, DecisionRule.DEFAULT).modelJson();
        assertThat(a).as("model bytes from served rows and from raw transactions").isEqualTo(b);

        // and ./fraud retrain writes exactly that model
        CliRun r = run(windows("served-1", "--no-shadow"));
        System.out.println("retrain, served rows " + served.rows + ", all equal to the raw rows:\n" + r.out());
        assertThat(r.exit()).as(r.out() + r.err()).isIn(0, 3);
        assertThat(Files.readAllBytes(tmp.resolve("served-1/model.json"))).isEqualTo(b);
    }

    @Test
    void aChallengerOfACorruptedLabelsFeedFailsTheGatesAndOneThatPassesBecomesTheShadow() throws Exception {
        String cutoff = last.toString();
        // a broken labels feed, an hour before the cut-off: three in four of the training window's frauds reversed to
        // genuine, and one genuine transaction in 20 called fraud (chosen by a hash of its id)
        try (Connection c = SchemaMigrator.connect(url, pg.user()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO fraud_labels (transaction_id, account_id, terminal_id, event_time, is_fraud,"
                    + " labelled_at, source) SELECT transaction_id, account_id, terminal_id, event_time, NOT is_fraud,"
                    + " timestamptz '" + cutoff + "' - interval '1 hour', 'broken-feed' FROM fraud_labels_latest"
                    + " WHERE event_time < timestamptz '" + trainTo() + "' AND labelled_at < timestamptz '" + cutoff
                    + "' - interval '1 hour' AND ((is_fraud AND abs(hashtext(transaction_id)) % 4 <> 0)"
                    + " OR (NOT is_fraud AND abs(hashtext(transaction_id)) % 20 = 0))");
        }
        CliRun corrupted = run(windows("corrupted-1"));
        System.out.println("retrain on the corrupted feed:\n" + corrupted.out());
        assertThat(corrupted.exit()).as(corrupted.out() + corrupted.err()).isEqualTo(3);
        assertThat(corrupted.out()).contains("the gates failed", "not made the shadow");
        try (Registry r = Registry.open(url, pg.user())) {
            ModelVersion v = r.version(model, "corrupted-1").orElseThrow();
            assertThat(v.alias()).isEqualTo(ModelVersion.NONE);
            assertThat(v.evaluation().get("gates_passed").asBoolean()).isFalse();
            assertThat(v.trainingData().labelsKnownBy()).isEqualTo(cutoff);
            assertThat(v.trainingData().source()).startsWith("served:");
        }
        CliRun shadow = run("model", "promote", "--model", model, "--version", "corrupted-1", "--to", "shadow",
                "--reason", "try");
        assertThat(shadow.exit()).as(shadow.err()).isEqualTo(3);

        // the feed repaired (its reversals taken back by later labels would do the same; here the table is restored)
        try (Connection c = SchemaMigrator.connect(url, pg.user()); Statement s = c.createStatement()) {
            s.execute("DELETE FROM fraud_labels WHERE source = 'broken-feed'");
        }
        // with the default gates: a challenger that passes becomes the shadow and the job's topic follows
        CliRun good = run(windows("repaired-1"));
        System.out.println("retrain on the repaired feed:\n" + good.out());
        assertThat(good.exit()).as(good.out() + good.err()).isZero();
        assertThat(good.out()).contains("is the shadow", "sent 1 control event(s)");
        List<io.github.fraudflink.job.records.ModelControl> events;
        try (var reader = new KafkaIO.CommittedReader(kafka.bootstrapServers(), "model-control", false)) {
            events = reader.readToEnd(Duration.ofSeconds(1)).stream().map(rec -> ModelControlJson.read(rec.value())).toList();
        }
        JobReplay.Held held = JobReplay.replay("classpath:models/default/manifest.json", events);
        assertThat(held.shadow()).isEqualTo(model + " repaired-1");
        try (Registry r = Registry.open(url, pg.user())) {
            JsonNode e = r.version(model, "repaired-1").orElseThrow().evaluation();
            assertThat(e.get("gates_passed").asBoolean()).isTrue();
            assertThat(e.get("champion_quality").get("averagePrecision").asDouble()).isPositive();
            assertThat(e.get("gates").findValuesAsText("gate")).contains("average_precision", "golden_sample",
                    "feature_catalog");
        }
    }
}
