package io.github.fraudflink.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.JobTestSupport;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift watched in the stream, on data nobody tuned for: the handbook's simulation at the size the shipped model was
 * trained on (5,000 customers, 10,000 terminals), 40 days replayed through real Kafka into the job (MiniCluster,
 * RocksDB, the shipped model, default drift settings: a day of event time in 24 slices) with every label a minute
 * after its transaction, into a real PostgreSQL; a real Prometheus scrapes it every second with the project's alert
 * rules (their drift alerts' {@code for} set to 0 here: the wall-clock hold is promtool's to test, and this replay
 * moves a day of event time in seconds). Then an upstream field breaks: from midnight of day 40 every amount arrives
 * multiplied by 100 (cents sent as units), and the replay goes on hour by hour.
 *
 * <p>Before the break, once the 30-day histories are warm, no drift alert is pending or firing. After it, the page
 * fires for {@code amount}, and every drift alert that fires or is pending names a feature computed from the amount,
 * or the score; the hours it took are printed. The reviews and declines after the break give an amount feature as a
 * reason.
 */
@HostTools.Needs(HostTools.Tool.PROMETHEUS)
class DriftReplayIT {
    private static final int REPORTER_PORT = Repo.freePort();
    private static final String PSI = "flink_taskmanager_job_task_operator_fraud_drift_role_model_version_feature_psi";
    private static final String SCORED = "flink_taskmanager_job_task_operator_fraud_events_scored_decision_total";
    /** The features the job computes from the amount: the ones a broken amount may move. */
    static final Set<String> FROM_AMOUNT = Set.of(FeatureSchema.AMOUNT, FeatureSchema.AVG_AMOUNT_1D,
            FeatureSchema.AVG_AMOUNT_7D, FeatureSchema.AVG_AMOUNT_30D, FeatureSchema.AMOUNT_ZSCORE_30D,
            FeatureSchema.AMOUNT_RATIO_30D);
    private static final int BREAK_DAY = 40;
    private static final int HOURS_AFTER = 18;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(PrometheusServer.flink(tmp.resolve("checkpoints"), REPORTER_PORT))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(JobTestSupport.PARALLELISM).build());

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres pg;
    private static PrometheusServer prometheus;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        pg = EmbeddedPostgres.start(tmp.resolve("postgres"), false);
        prometheus = PrometheusServer.start(tmp.resolve("prometheus"), immediateDriftRules(), REPORTER_PORT);
    }

    @AfterAll
    static void stop() throws Exception {
        Repo.closeAll(prometheus, pg, kafka);
    }

    /** The project's alert rules, the drift alerts' {@code for} set to 0s; everything else as it is. */
    private static Path immediateDriftRules() throws Exception {
        String rules = Files.readString(Repo.root().resolve("prometheus/alerts.yml"));
        Matcher m = Pattern.compile("(- alert: FraudFeatureDrift\\w+\\n(?:(?!- alert:).*\\n)*?\\s*for: )5m").matcher(rules);
        String immediate = m.replaceAll("$10s");
        assertThat(immediate.split("for: 0s", -1)).as("both drift alerts found in alerts.yml").hasSize(3);
        Path p = tmp.resolve("alerts-immediate-drift.yml");
        Files.writeString(p, immediate);
        return p;
    }

    @Test
    void aBrokenAmountFiresTheDriftAlertForTheAmountFeaturesOnly() throws Exception {
        long breakAt = SimulatorConfig.DEFAULT_START.plusDays(BREAK_DAY).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        List<LabelledTransaction> before = new ArrayList<>();
        List<List<LabelledTransaction>> hours = new ArrayList<>();
        for (int h = 0; h < HOURS_AFTER; h++) {
            hours.add(new ArrayList<>());
        }
        for (LabelledTransaction lt : new TransactionSimulator(SimulatorConfig.defaults().withDays(BREAK_DAY + 1))) {
            Transaction t = lt.tx();
            if (!(t.amount > 0)) {
                continue; // the simulator's rare 0.00 amounts are invalid input
            }
            if (t.eventTime < breakAt) {
                before.add(lt);
            } else if (t.eventTime < breakAt + TimeUnit.HOURS.toMillis(HOURS_AFTER)) {
                Transaction broken = new Transaction(t.transactionId, t.accountId, t.eventTime, t.amount * 100);
                broken.currency = t.currency;
                broken.terminalId = t.terminalId;
                broken.merchantId = t.merchantId;
                hours.get((int) ((t.eventTime - breakAt) / TimeUnit.HOURS.toMillis(1)))
                        .add(new LabelledTransaction(broken, lt.fraud(), lt.scenario()));
            }
        }

        Configuration c = JobTestSupport.jobConfig(kafka, "drift", false);
        c.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        c.set(JobOptions.POSTGRES_URL, pg.createDatabase("drift"));
        c.set(JobOptions.POSTGRES_USER, pg.user());
        // a pause of the replay is labels silence: transactions held for their labels go on at once
        c.set(JobOptions.LABELS_IDLENESS, Duration.ofSeconds(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(env, c);
        JobClient job = env.executeAsync("fraud-scoring-drift");
        try {
            long t0 = System.nanoTime();
            Duration labelAfter = Duration.ofMinutes(1);
            for (int i = 0; i < before.size(); i += 10_000) {
                List<LabelledTransaction> chunk = before.subList(i, Math.min(before.size(), i + 10_000));
                JobTestSupport.produce(kafka, c, chunk, List.of());
                JobTestSupport.produceLabels(kafka, c, chunk, labelAfter);
            }
            long sent = before.size();
            awaitScored(sent);
            System.out.printf("%,d transactions of %d days scored in %.0f s%n", sent, BREAK_DAY, (System.nanoTime() - t0) / 1e9);
            awaitEvaluation();
            Map<String, Double> baseline = maxPsi();
            System.out.println("PSI before the break (max over instances): " + baseline);
            assertThat(baseline.keySet()).as("every feature the model uses but the calendar ones, and the score")
                    .contains(FeatureSchema.AMOUNT, FeatureSchema.TX_COUNT_30D, "terminal_fraud_share_30d", "score")
                    .doesNotContain(FeatureSchema.HOUR_OF_DAY, FeatureSchema.IS_WEEKEND, FeatureSchema.IS_NIGHT);
            assertThat(driftAlerts()).as("no drift alert on the intact stream; PSI " + baseline).isEmpty();

            Integer warnedAfter = null;
            Integer pagedAfter = null;
            Set<String> alerted = new TreeSet<>();
            StringBuilder table = new StringBuilder();
            for (int h = 0; h < HOURS_AFTER; h++) {
                JobTestSupport.produce(kafka, c, hours.get(h), List.of());
                JobTestSupport.produceLabels(kafka, c, hours.get(h), labelAfter);
                sent += hours.get(h).size();
                awaitScored(sent);
                awaitEvaluation();
                Map<String, Double> psi = maxPsi();
                List<String> alerts = driftAlerts();
                String line = String.format("  %2d h after the break: amount PSI %.3f, score PSI %.3f; alerts %s%n", h + 1,
                        psi.get(FeatureSchema.AMOUNT), psi.get("score"), alerts);
                System.out.print(line);
                table.append(line);
                for (String a : alerts) {
                    String feature = a.substring(a.indexOf(' ') + 1, a.lastIndexOf(' '));
                    alerted.add(feature);
                    if (feature.equals(FeatureSchema.AMOUNT) && a.endsWith("firing")) {
                        if (warnedAfter == null && a.startsWith("FraudFeatureDriftWarning")) {
                            warnedAfter = h + 1;
                        }
                        if (pagedAfter == null && a.startsWith("FraudFeatureDriftPage")) {
                            pagedAfter = h + 1;
                        }
                    }
                }
            }
            System.out.print("the replay after the break, hour by hour (event time; a day's window):\n" + table);
            System.out.printf("amount: warning after %s h, page after %s h of event time%n", warnedAfter, pagedAfter);
            assertThat(pagedAfter).as("the page fired for amount").isNotNull();
            assertThat(warnedAfter).as("the warning fired for amount").isNotNull().isLessThanOrEqualTo(pagedAfter);
            Set<String> affected = new TreeSet<>(FROM_AMOUNT);
            affected.add("score");
            assertThat(alerted).as("features a drift alert named").isSubsetOf(affected);

            // every scored row committed to PostgreSQL: the offline report and the reasons read it
            String url = c.get(JobOptions.POSTGRES_URL);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (rows(url) < sent) {
                assertThat(System.nanoTime()).as("rows committed to PostgreSQL").isLessThan(deadline);
                TimeUnit.MILLISECONDS.sleep(500); // polling the table: rows commit at each checkpoint
            }

            // the offline report over the hours after the break shows the same features
            Path report = tmp.resolve("drift-report.html");
            java.io.StringWriter out = new java.io.StringWriter();
            picocli.CommandLine cli = io.github.fraudflink.cli.FraudCli.commandLine();
            cli.setOut(new java.io.PrintWriter(out));
            int exit = cli.execute("drift", "--from", Instant.ofEpochMilli(breakAt).toString(),
                    "--to", Instant.ofEpochMilli(breakAt + TimeUnit.HOURS.toMillis(HOURS_AFTER)).toString(),
                    "--manifest", "classpath:models/default/manifest.json", "--postgres-url", url,
                    "--postgres-user", pg.user(), "--out", report.toString(), "--json");
            assertThat(exit).as(out.toString()).isZero();
            String[] lines = out.toString().trim().split("\n");
            JsonNode drift = Repo.JSON.readTree(lines[lines.length - 1]);
            System.out.println("./fraud drift over the hours after the break: " + drift.path("psi"));
            assertThat(drift.path("psi").path(FeatureSchema.AMOUNT).asDouble()).isGreaterThan(0.3);
            List<String> paged = new ArrayList<>();
            drift.path("page").forEach(n -> paged.add(n.asText()));
            drift.path("warn").forEach(n -> paged.add(n.asText()));
            assertThat(paged).as("columns the report flags").contains(FeatureSchema.AMOUNT).isSubsetOf(affected);
            assertThat(Files.readString(report)).contains(FeatureSchema.AMOUNT);
            Files.copy(report, Repo.root().resolve("operations/target/drift-replay-report.html"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);

            // the reasons of the reviews and declines after the break name an amount feature
            Map<String, long[]> reasons = reasonsNamingTheAmount(url, breakAt);
            System.out.println("reviews and declines: [with an amount feature among their reasons, all]: "
                    + reasons.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1]).toList());
            long[] after = reasons.get("after");
            assertThat(after[1]).as("reviews and declines after the break").isPositive();
            assertThat((double) after[0] / after[1]).as("share naming an amount feature").isGreaterThanOrEqualTo(0.95);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /** Waits until the job has scored {@code n} transactions, as Prometheus sees its counters (an observable condition). */
    private static void awaitScored(long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        long scored = 0;
        while ((scored = scored()) < n) {
            assertThat(System.nanoTime()).as("scored %,d of %,d within 5 minutes", scored, n).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(500); // polling the job's counters
        }
    }

    private static long scored() throws Exception {
        JsonNode r = prometheus.query("sum(" + SCORED + ")");
        return r.isEmpty() ? 0 : (long) Double.parseDouble(r.get(0).path("value").get(1).asText());
    }

    /** Two rule evaluations after the samples now scraped (Prometheus runs on this host's clock): the alerts reflect them. */
    private static void awaitEvaluation() throws Exception {
        double now = System.currentTimeMillis() / 1000.0;
        double evaluated;
        do {
            TimeUnit.MILLISECONDS.sleep(250); // polling Prometheus's rule evaluation time
            JsonNode groups = prometheus.api("/api/v1/rules").path("groups");
            evaluated = Instant.parse(groups.get(0).path("lastEvaluation").asText()).toEpochMilli() / 1000.0;
        } while (evaluated < now + 2);
    }

    /** The champion's PSI per feature, the largest over the instances (NaN ones left out). */
    private static Map<String, Double> maxPsi() throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode s : prometheus.query("max by (feature) (" + PSI + "{role=\"champion\"})")) {
            double v = Double.parseDouble(s.path("value").get(1).asText());
            if (!Double.isNaN(v)) {
                out.put(s.path("metric").path("feature").asText(), Math.round(v * 1000) / 1000.0);
            }
        }
        return out;
    }

    /** The drift alerts pending or firing, as "alertname feature state". */
    private static List<String> driftAlerts() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode a : prometheus.alerts()) {
            String name = a.path("labels").path("alertname").asText();
            if (name.startsWith("FraudFeatureDrift")) {
                out.add(name + " " + a.path("labels").path("feature").asText() + " " + a.path("state").asText());
            }
        }
        return out;
    }

    private static long rows(String url) throws Exception {
        try (Connection conn = DriverManager.getConnection(url, pg.user(), null);
                ResultSet r = conn.createStatement().executeQuery("SELECT count(*) FROM scored_transactions")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Per "before" and "after" the break: reviews and declines with an amount feature among their reasons, and all. */
    private static Map<String, long[]> reasonsNamingTheAmount(String url, long breakAt) throws Exception {
        Map<String, long[]> out = new TreeMap<>();
        out.put("before", new long[2]);
        out.put("after", new long[2]);
        try (Connection conn = DriverManager.getConnection(url, pg.user(), null); PreparedStatement s = conn.prepareStatement(
                "SELECT event_time >= ?, reasons::text FROM scored_transactions WHERE decision <> 'approve'"
                        + " AND event_time >= ?")) {
            s.setObject(1, OffsetDateTime.ofInstant(Instant.ofEpochMilli(breakAt), ZoneOffset.UTC));
            s.setObject(2, OffsetDateTime.ofInstant(Instant.ofEpochMilli(breakAt - TimeUnit.DAYS.toMillis(3)), ZoneOffset.UTC));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long[] counts = out.get(r.getBoolean(1) ? "after" : "before");
                    JsonNode reasons = Repo.JSON.readTree(r.getString(2));
                    boolean amount = false;
                    for (JsonNode reason : reasons) {
                        amount |= FROM_AMOUNT.contains(reason.path("feature").asText());
                    }
                    counts[0] += amount ? 1 : 0;
                    counts[1]++;
                }
            }
        }
        return out;
    }
}
