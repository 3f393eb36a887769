package io.github.fraudflink.operations;

import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.JobTestSupport;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.TestArtifacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.data.LabelledTransaction;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The dashboards and alerts against the real thing: the job runs on a MiniCluster with Flink's Prometheus reporter,
 * under traffic with bad input and a shadow model, writing to a real PostgreSQL, with each transaction's label
 * following it a minute later (event time) on the labels topic, so the live quality metrics (fraud_live_*, read from
 * PostgreSQL every second here) have data; a real Prometheus (Debian's package) scrapes
 * it every second with the project's alert rules loaded. Every PromQL expression of the Grafana dashboards must
 * return data; every alert expression must evaluate without error and every metric it reads must have data; no
 * alert fires on the healthy job (start-up blips may make one pending, which its {@code for} absorbs; the live
 * quality alerts may not even be pending), and a model published afterwards that cannot be loaded fires
 * {@code FraudModelRejected} (and nothing else). Once the traffic stops, the live precision and recall in Prometheus
 * are those of the view {@code live_model_quality}.
 */
@HostTools.Needs(HostTools.Tool.PROMETHEUS) // checked before the MiniCluster starts
class MonitoringIT {
    private static final int REPORTER_PORT = Repo.freePort();
    private static final String LIVE = "flink_taskmanager_job_task_operator_fraud_live_role_model_version_";
    /** labelled_at of a transaction's label: this much event time after the transaction. */
    private static final Duration LABEL_AFTER = Duration.ofMinutes(1);

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(PrometheusServer.flink(tmp.resolve("checkpoints"), REPORTER_PORT))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(JobTestSupport.PARALLELISM).build());

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres pg;
    private static String pgUrl;
    private static PrometheusServer prometheus;
    private static URI prometheusUrl;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        pg = EmbeddedPostgres.start(tmp.resolve("postgres"), false);
        pgUrl = pg.createDatabase("monitoring");
        prometheus = PrometheusServer.start(tmp.resolve("prometheus"), Repo.root().resolve("prometheus/alerts.yml"), REPORTER_PORT);
        prometheusUrl = prometheus.url();
    }

    @AfterAll
    static void stop() throws Exception {
        Repo.closeAll(prometheus, pg, kafka);
    }


    private static JsonNode api(String path) throws Exception {
        return prometheus.api(path);
    }

    private static JsonNode query(String promql) throws Exception {
        return prometheus.query(promql);
    }

    /** Active alerts as "name reason state". */
    private static List<String> alerts() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode a : api("/api/v1/alerts").path("alerts")) {
            out.add(a.path("labels").path("alertname").asText() + " " + a.path("labels").path("reason").asText("")
                    + " " + a.path("state").asText());
        }
        return out;
    }

    /** The live quality gauge {@code name} per "role model version", as Prometheus has it now. */
    private static Map<String, Double> live(String name) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode s : query("max by (role, model, version) (" + LIVE + name + ")")) {
            JsonNode m = s.path("metric");
            out.put(m.path("role").asText() + " " + m.path("model").asText() + " " + m.path("version").asText(),
                    Double.parseDouble(s.path("value").get(1).asText()));
        }
        return out;
    }

    /**
     * The view live_model_quality summed over its days, per "role model version": labelled, frauds, precision, recall
     * (NaN as the gauges have it when nothing was flagged or nothing was a fraud).
     */
    private static Map<String, double[]> qualityInPostgres() throws Exception {
        Map<String, double[]> out = new TreeMap<>();
        try (Connection conn = DriverManager.getConnection(pgUrl, pg.user(), null); Statement s = conn.createStatement();
                ResultSet r = s.executeQuery("SELECT role, model, model_version, sum(labelled), sum(frauds), sum(flagged),"
                        + " sum(true_positives) FROM live_model_quality GROUP BY role, model, model_version")) {
            while (r.next()) {
                double labelled = r.getLong(4);
                double frauds = r.getLong(5);
                double flagged = r.getLong(6);
                double tp = r.getLong(7);
                out.put(r.getString(1) + " " + r.getString(2) + " " + r.getString(3), new double[] {labelled, frauds,
                    flagged == 0 ? Double.NaN : tp / flagged, frauds == 0 ? Double.NaN : tp / frauds});
            }
        }
        return out;
    }

    /** One line per "role model version": labelled, frauds, precision, recall as Prometheus has them. */
    private static String liveReport() throws Exception {
        Map<String, Double> labelled = live("labelled");
        Map<String, Double> frauds = live("frauds");
        Map<String, Double> precision = live("precision");
        Map<String, Double> recall = live("recall");
        Map<String, Double> below = live("below_floor");
        List<String> out = new ArrayList<>();
        for (String k : labelled.keySet()) {
            out.add(String.format("  %-40s labelled %6.0f  frauds %4.0f  precision %.4f  recall %.4f  below_floor %.0f", k,
                    labelled.get(k), frauds.get(k), precision.get(k), recall.get(k), below.get(k)));
        }
        return String.join("\n", out);
    }

    /** Where the live quality gauges in Prometheus differ from live_model_quality; empty when they agree. */
    private static List<String> liveMismatches() throws Exception {
        Map<String, double[]> db = qualityInPostgres();
        String[] names = {"labelled", "frauds", "precision", "recall"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            Map<String, Double> prom = live(names[i]);
            if (!prom.keySet().equals(db.keySet())) {
                out.add(names[i] + ": series " + prom.keySet() + " in Prometheus, " + db.keySet() + " in PostgreSQL");
                continue;
            }
            for (Map.Entry<String, double[]> e : db.entrySet()) {
                double want = e.getValue()[i];
                double got = prom.get(e.getKey());
                if (!(Double.isNaN(want) ? Double.isNaN(got) : Math.abs(got - want) <= 1e-9)) {
                    out.add(e.getKey() + " " + names[i] + ": " + got + " in Prometheus, " + want + " in PostgreSQL");
                }
            }
        }
        return out;
    }

    private static final Pattern METRIC = Pattern.compile("\\b(flink_[A-Za-z0-9_]+)");

    /** What each dashboard query and each metric of the alert rules returns right now; empty lists are failures. */
    private static Map<String, String> problems() throws Exception {
        Map<String, String> problems = new LinkedHashMap<>();
        for (String[] q : Repo.dashboardQueries()) {
            if (query(q[1]).isEmpty()) {
                problems.put(q[0], q[1]);
            }
        }
        for (String[] a : Repo.alertQueries()) {
            query(a[1]); // evaluates without error
            Matcher m = METRIC.matcher(a[1]);
            TreeSet<String> metrics = new TreeSet<>();
            while (m.find()) {
                metrics.add(m.group(1));
            }
            for (String metric : metrics) {
                if (query("count(" + metric + ")").isEmpty()) {
                    problems.put("alert " + a[0] + " reads " + metric, "no series");
                }
            }
        }
        if (query("count(flink_jobmanager_job_uptime)").isEmpty()) {
            problems.put("dashboard variable job", "label_values(flink_jobmanager_job_uptime, job_name): no series");
        }
        return problems;
    }

    @Test
    void everyDashboardQueryReturnsDataAndTheAlertRulesEvaluate() throws Exception {
        Configuration c = JobTestSupport.jobConfig(kafka, "monitoring", false);
        c.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        // scored transactions and labels to PostgreSQL; the live quality read back every second, with floors well
        // under what both models reach on this workload from 3,000 labels on (precision 0.91-1, recall 0.13-0.29,
        // rising as the terminals' fraud history fills), so the healthy job is never below them
        c.set(JobOptions.POSTGRES_URL, pgUrl);
        c.set(JobOptions.POSTGRES_USER, pg.user());
        c.set(JobOptions.QUALITY_REFRESH, Duration.ofSeconds(1));
        c.set(JobOptions.QUALITY_MIN_PRECISION, 0.5);
        c.set(JobOptions.QUALITY_MIN_RECALL, 0.05);
        c.set(JobOptions.QUALITY_MIN_LABELLED, 2_000L);
        // this workload is a small simulation (300 customers), unlike the shipped model's training data: its drift is
        // real, and the drift alerts would be right to fire; they are proven on a replay that breaks a field
        // (DriftReplayIT). Here the drift gauges exist (NaN: too few events to tell), as every dashboard query needs.
        c.set(JobOptions.DRIFT_MIN_EVENTS, Long.MAX_VALUE);
        // a shadow model next to the champion
        URI shadow = TestArtifacts.variant(Files.createDirectories(tmp.resolve("shadow")), "challenger", "c1", "4E-1");
        JobTestSupport.publish(kafka, c, new ModelControl("challenger", "c1", ModelControl.SHADOW, shadow.toString(), null));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(env, c);
        JobClient job = env.executeAsync("fraud-scoring-monitoring");
        List<LabelledTransaction> txs = JobTestSupport.workload(21, 60_000);
        List<BadEvents.BadEvent> bad = BadEvents.corpus("monitoring");
        Thread load = new Thread(() -> {
            // traffic for the whole test: 1,000 transactions a second, with the bad events among them, and their labels
            for (int i = 0; i < txs.size() && !Thread.currentThread().isInterrupted(); i += 1_000) {
                JobTestSupport.produce(kafka, c, txs.subList(i, i + 1_000), i == 0 ? bad : List.of());
                JobTestSupport.produceLabels(kafka, c, txs.subList(i, i + 1_000), LABEL_AFTER);
                try {
                    TimeUnit.SECONDS.sleep(1); // the producer's pace (1,000 events/s), not a wait for a result
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        load.start();
        try {
            long t0 = System.nanoTime();
            long deadline = t0 + TimeUnit.MINUTES.toNanos(3);
            Map<String, String> problems = problems();
            while (!problems.isEmpty() && System.nanoTime() < deadline) {
                TimeUnit.SECONDS.sleep(2); // polling Prometheus until the rate windows fill: an observable condition
                problems = problems();
            }
            assertThat(problems).as("queries without data after %d s (Prometheus log: %s)",
                    (System.nanoTime() - t0) / 1_000_000_000, prometheus.log()).isEmpty();

            List<String> report = new ArrayList<>();
            for (String[] q : Repo.dashboardQueries()) {
                report.add(String.format("  %3d series  %s", query(q[1]).size(), q[0]));
            }
            System.out.println("dashboard queries:\n" + String.join("\n", report));
            TreeSet<String> names = new TreeSet<>();
            api("/api/v1/label/__name__/values").forEach(n -> {
                if (n.asText().contains("_fraud_")) {
                    names.add(n.asText());
                }
            });
            System.out.println("the job's own metrics:\n  " + String.join("\n  ", names));
            System.out.printf("live quality after %d s:%n%s%n", (System.nanoTime() - t0) / 1_000_000_000, liveReport());

            // ./fraud dashboards draws the three dashboards from this Prometheus
            Path png = tmp.resolve("png");
            java.io.StringWriter rendered = new java.io.StringWriter();
            picocli.CommandLine cli = io.github.fraudflink.cli.FraudCli.commandLine();
            cli.setOut(new java.io.PrintWriter(rendered));
            int exit = cli.execute("dashboards", "--prometheus", prometheusUrl.toString(),
                    "--dashboards", Repo.root().resolve("grafana/dashboards").toString(), "--out", png.toString(),
                    "--range", "2min", "--rate-interval", "30s");
            assertThat(exit).isZero();
            for (Path d : Repo.dashboards()) {
                Path image = png.resolve(d.getFileName().toString().replace(".json", ".png"));
                assertThat(rendered.toString()).contains(image.toString());
                java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(image.toFile());
                assertThat(img.getWidth()).as("width of %s", image).isEqualTo(24 * 64);
            }

            // the live model's labels as published (not mangled), and event time driven by the transactions only: the
            // dead letters (stamped with today's time) do not make the replayed 2018 transactions late
            String info = "flink_taskmanager_job_task_operator_fraud_model_live_role_model_version_info";
            assertThat(query(info + "{role=\"champion\",model=\"demo-xgb\",version=\"sim-2018-05-15-terminal-v3\"} == 1")).hasSize(2);
            assertThat(query(info + "{role=\"shadow\",model=\"challenger\",version=\"c1\"} == 1")).hasSize(2);
            double in = query("sum(flink_taskmanager_job_task_operator_fraud_events_in_total)").get(0).path("value").get(1).asDouble();
            double late = query("sum(flink_taskmanager_job_task_operator_fraud_events_late_total)").get(0).path("value").get(1).asDouble();
            assertThat(late).as("late transactions of %s", in).isLessThan(0.01 * in);

            // the rules loaded and evaluate without errors
            List<String> rules = new ArrayList<>();
            for (JsonNode g : api("/api/v1/rules").path("groups")) {
                for (JsonNode r : g.path("rules")) {
                    assertThat(r.path("health").asText()).as("rule %s: %s", r.path("name"), r.path("lastError")).isEqualTo("ok");
                    rules.add(r.path("name").asText());
                }
            }
            assertThat(rules).containsExactlyInAnyOrderElementsOf(Repo.alertQueries().stream().map(a -> a[0]).toList());

            // nothing fires on a healthy job; then a model that cannot be loaded (rejected on every instance) fires
            // FraudModelRejected
            // (pending is allowed: a start-up blip such as the first model calls is what the rules' "for" absorbs)
            assertThat(alerts()).as("alerts firing on a healthy job").noneMatch(a -> a.endsWith(" firing"));
            // the live quality of both models is above the floors, and PostgreSQL is read without failures
            assertThat(query(LIVE + "below_floor == 1")).as("below the floors:%n%s", liveReport()).isEmpty();
            assertThat(alerts()).as("live quality alerts on a healthy job").noneMatch(a -> a.startsWith("FraudLiveQuality"));
            assertThat(live("labelled").keySet()).containsExactly("champion demo-xgb sim-2018-05-15-terminal-v3", "shadow challenger c1");
            assertThat(query("sum(flink_taskmanager_job_task_operator_fraud_live_quality_refresh_failures_total)").get(0)
                    .path("value").get(1).asDouble()).as("failed reads of the live quality").isZero();
            JobTestSupport.publish(kafka, c, new ModelControl("missing", "m1", ModelControl.CHAMPION,
                    tmp.resolve("no-such-model/manifest.json").toUri().toString(), null));
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            List<String> firing = alerts();
            while (!firing.contains("FraudModelRejected unreachable firing") && System.nanoTime() < until) {
                TimeUnit.SECONDS.sleep(1); // polling the alerts API: an observable condition
                firing = alerts();
            }
            System.out.println("alerts after the bad model: " + firing);
            assertThat(firing).filteredOn(a -> a.endsWith(" firing")).containsExactly("FraudModelRejected unreachable firing");

            // the traffic stops: once the last decisions and labels are committed, read and scraped, the live quality in
            // Prometheus is the view live_model_quality's (counts summed over its days)
            load.interrupt();
            load.join();
            long drained = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            List<String> mismatches = liveMismatches();
            while (!mismatches.isEmpty() && System.nanoTime() < drained) {
                TimeUnit.SECONDS.sleep(1); // polling until the sinks' last commits are read and scraped
                mismatches = liveMismatches();
            }
            System.out.printf("live quality after the traffic (%d s into the test):%n%s%n",
                    (System.nanoTime() - t0) / 1_000_000_000, liveReport());
            assertThat(mismatches).as("Prometheus against live_model_quality").isEmpty();
            double labels = query("sum(flink_taskmanager_job_task_operator_fraud_live_quality_labels_total)").get(0)
                    .path("value").get(1).asDouble();
            assertThat(labels).as("labels the monitor received").isPositive()
                    .isGreaterThanOrEqualTo(live("labelled").get("champion demo-xgb sim-2018-05-15-terminal-v3"));
        } finally {
            load.interrupt();
            load.join();
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
