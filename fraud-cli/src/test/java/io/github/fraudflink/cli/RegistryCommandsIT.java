package io.github.fraudflink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.registry.Faults;
import io.github.fraudflink.registry.JobReplay;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's commands against a real PostgreSQL and Kafka: register, list, show, promote with its live gate,
 * compare, rollback, retire, status; and a real {@code fraud} process killed between the registry's commit and the
 * control event, and between the event and its mark, after which the registry and the topic (applied by the job's own
 * rules) still agree.
 */
class RegistryCommandsIT {
    @TempDir
    static Path tmp;
    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres pg;
    private static int topics;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
        pg.close();
    }

    /** A database and a control topic of their own, and the options that name them. */
    private static String[] fresh(String name) throws Exception {
        String url = pg.createDatabase(name);
        String topic = "control-" + name + "-" + (++topics);
        try (Admin a = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return new String[] {"--postgres-url", url, "--postgres-user", pg.user(), "--bootstrap-servers",
            kafka.bootstrapServers(), "--control-topic", topic, "--by", "tester"};
    }

    private static CliRun run(String[] common, String... args) {
        String[] all = new String[args.length + common.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(common, 0, all, args.length, common.length);
        return CliRun.of(all);
    }

    private static String option(String[] common, String name) {
        for (int i = 0; i < common.length - 1; i++) {
            if (common[i].equals(name)) {
                return common[i + 1];
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** The shipped model under another name and version. */
    private static Path artifact(String name, String version) throws Exception {
        ClassLoader cl = RegistryCommandsIT.class.getClassLoader();
        ModelManifest m = ModelManifest.read(cl.getResourceAsStream("models/default/manifest.json").readAllBytes());
        byte[] model = cl.getResourceAsStream("models/default/model.json").readAllBytes();
        Path dir = tmp.resolve("artifacts/" + name + "-" + version);
        ModelArtifactWriter.write(dir, new ModelManifest(name, version, m.format(), m.modelFile(), m.featureSchemaId(),
                m.featureNames(), m.threshold(), null, m.trainingDataFingerprint(), m.createdAt(), m.createdBy(),
                m.metrics(), m.training(), m.goldenSample(), m.referenceDistributions()), Map.of("model.json", model));
        return dir.resolve("manifest.json");
    }

    private static List<ModelControl> onTopic(String[] common) {
        try (var r = new KafkaIO.CommittedReader(kafka.bootstrapServers(), option(common, "--control-topic"), false)) {
            return r.readToEnd(Duration.ofSeconds(1)).stream().map(rec -> ModelControlJson.read(rec.value())).toList();
        }
    }

    /** The job's champion and shadow after applying the topic's events with its own rules, e.g. "fraud-xgb v2 | none". */
    private static String jobAfter(List<ModelControl> events) throws Exception {
        JobReplay.Held held = JobReplay.replay("classpath:models/default/manifest.json", events);
        assertThat(held.rejections()).isEmpty();
        return held.champion() + " | " + (held.shadow() == null ? "none" : held.shadow());
    }

    private static String registryHolds(String[] common) throws Exception {
        try (Registry r = Registry.open(option(common, "--postgres-url"), pg.user())) {
            return r.holder(ModelVersion.CHAMPION).map(v -> v.model() + " " + v.version()).orElse("none") + " | "
                    + r.holder(ModelVersion.SHADOW).map(v -> v.model() + " " + v.version()).orElse("none");
        }
    }

    @Test
    void registerListShowPromoteRollbackRetire() throws Exception {
        String[] c = fresh("lifecycle");
        Path store = tmp.resolve("store");
        for (String v : List.of("v1", "v2", "v3")) {
            CliRun r = run(c, "model", "register", "--manifest", artifact("fraud-xgb", v).toString(), "--store", store.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("registered fraud-xgb " + v, store.resolve("fraud-xgb/" + v + "/manifest.json").toUri().toString());
        }
        Path broken = artifact("fraud-xgb", "v4");
        Files.writeString(broken.resolveSibling("model.json"), "{}");
        CliRun bad = run(c, "model", "register", "--manifest", broken.toString());
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("the job would reject this model", "file_checksum_mismatch");

        CliRun list = run(c, "model", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("fraud-xgb\\s+v3\\s+none").doesNotContain("v4");

        assertThat(run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v1", "--reason", "first").exit()).isZero();
        // v2 was never the shadow: no live comparison, refused
        CliRun refused = run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v2", "--reason", "try");
        assertThat(refused.exit()).as(refused.out() + refused.err()).isEqualTo(3);
        assertThat(refused.err()).contains("not the shadow", "promote it to shadow first");
        CliRun forced = run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v2", "--reason", "hotfix",
                "--force");
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v3", "--to", "shadow", "--reason",
                "challenger").exit()).isZero();
        CliRun rollback = run(c, "model", "rollback", "--reason", "incident");
        assertThat(rollback.exit()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("fraud-xgb v1 is the champion again");
        assertThat(run(c, "model", "retire", "--reason", "done").exit()).isZero();

        CliRun show = run(c, "model", "show", "--model", "fraud-xgb", "--version", "v2");
        assertThat(show.exit()).as(show.err()).isZero();
        JsonNode v2 = new com.fasterxml.jackson.databind.ObjectMapper().readTree(show.out().substring(0,
                show.out().lastIndexOf('}') + 1));
        assertThat(v2.get("alias").asText()).isEqualTo("archived");
        assertThat(v2.get("alias_history")).extracting(h -> h.get("to").asText() + "/" + h.get("forced").asBoolean()
                + "/" + h.get("by").asText()).containsExactly("champion/true/tester", "archived/false/tester");
        assertThat(v2.get("alias_history").get(0).get("reason").asText()).contains("forced past the gate", "hotfix");
        assertThat(v2.get("training_data").get("hash").asText()).hasSize(64);

        assertThat(onTopic(c)).extracting(e -> e.version + "/" + e.role).containsExactly("v1/champion", "v2/champion",
                "v3/shadow", "v1/champion", "v3/retired");
        assertThat(jobAfter(onTopic(c))).isEqualTo(registryHolds(c)).isEqualTo("fraud-xgb v1 | none");
    }

    /**
     * Scored transactions of champion v1 and shadow v2 with their labels: {@code n} rows, a fraud in 20; each model's
     * score is the label plus noise of the given spread (less noise: a better model).
     */
    private static void scored(String[] c, int n, double championNoise, double shadowNoise, long seed) throws Exception {
        Random rnd = new Random(seed);
        try (Connection conn = io.github.fraudflink.sql.SchemaMigrator.connect(option(c, "--postgres-url"), pg.user());
                PreparedStatement tx = conn.prepareStatement("INSERT INTO scored_transactions (transaction_id,"
                        + " account_id, amount, event_time, ingest_time, scored_time, features, feature_schema, score,"
                        + " decision, threshold, model, model_version, shadow_model, shadow_version, shadow_score,"
                        + " shadow_threshold) VALUES (?, 'a', 1, ?, now(), now(), '{}', 'x', ?, 'approve', 0.5,"
                        + " 'fraud-xgb', 'v1', 'fraud-xgb', 'v2', ?, 0.5)");
                PreparedStatement label = conn.prepareStatement("INSERT INTO fraud_labels (transaction_id, account_id,"
                        + " event_time, is_fraud, labelled_at, source) VALUES (?, 'a', ?, ?, ?, 'chargeback')")) {
            for (int i = 0; i < n; i++) {
                boolean fraud = rnd.nextInt(20) == 0;
                double base = fraud ? 0.8 : 0.2;
                java.sql.Timestamp t = java.sql.Timestamp.from(Instant.parse("2024-03-01T00:00:00Z").plusSeconds(i));
                tx.setString(1, "t" + i);
                tx.setTimestamp(2, t);
                tx.setDouble(3, Math.min(1, Math.max(0, base + rnd.nextGaussian() * championNoise)));
                tx.setDouble(4, Math.min(1, Math.max(0, base + rnd.nextGaussian() * shadowNoise)));
                tx.addBatch();
                label.setString(1, "t" + i);
                label.setTimestamp(2, t);
                label.setBoolean(3, fraud);
                label.setTimestamp(4, java.sql.Timestamp.from(t.toInstant().plusSeconds(86_400 * 7)));
                label.addBatch();
            }
            tx.executeBatch();
            label.executeBatch();
        }
    }

    private static void championAndShadow(String[] c) throws Exception {
        for (String v : List.of("v1", "v2")) {
            assertThat(run(c, "model", "register", "--manifest", artifact("fraud-xgb", v).toString()).exit()).isZero();
        }
        assertThat(run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v1", "--reason", "first").exit()).isZero();
        assertThat(run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v2", "--to", "shadow", "--reason",
                "challenger").exit()).isZero();
    }

    @Test
    void aBetterShadowIsPromotedOnItsLiveLabels() throws Exception {
        String[] c = fresh("better");
        championAndShadow(c);
        CliRun few = run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v2", "--reason", "early");
        assertThat(few.exit()).as(few.err()).isEqualTo(3);
        assertThat(few.err()).contains("enough_labels", "0 labelled (at least 1,000)");

        scored(c, 4_000, 0.25, 0.12, 1);
        CliRun compare = run(c, "model", "compare", "--json");
        assertThat(compare.exit()).as(compare.err()).isZero();
        JsonNode j = compare.lastJson();
        assertThat(j.get("scored_by_both").asLong()).isEqualTo(4_000);
        assertThat(j.get("shadow").get("average_precision").asDouble())
                .isGreaterThan(j.get("champion").get("average_precision").asDouble());
        assertThat(j.get("decisions_changed").asLong()).isPositive();
        assertThat(j.get("promotable").asBoolean()).as(compare.out()).isTrue();
        assertThat(run(c, "model", "compare").out()).contains("average precision", "decisions the shadow would change",
                "the shadow may be promoted");

        CliRun promote = run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v2", "--reason", "better");
        assertThat(promote.exit()).as(promote.err()).isZero();
        assertThat(jobAfter(onTopic(c))).isEqualTo(registryHolds(c)).isEqualTo("fraud-xgb v2 | none");
    }

    @Test
    void aWorseShadowIsRefusedUnlessForcedWithAReason() throws Exception {
        String[] c = fresh("worse");
        championAndShadow(c);
        scored(c, 4_000, 0.12, 0.3, 2);
        CliRun promote = run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v2", "--reason", "try");
        assertThat(promote.exit()).as(promote.err()).isEqualTo(3);
        assertThat(promote.err()).contains("the shadow fails the live gate", "average_precision");
        assertThat(registryHolds(c)).isEqualTo("fraud-xgb v1 | fraud-xgb v2");
        CliRun forced = run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v2", "--reason", "vendor asked",
                "--force");
        assertThat(forced.exit()).as(forced.err()).isZero();
        try (Registry r = Registry.open(option(c, "--postgres-url"), pg.user())) {
            var last = r.history(null).get(r.history(null).size() - 1);
            assertThat(last.forced()).isTrue();
            assertThat(last.reason()).contains("average_precision", "vendor asked");
        }
    }

    @Test
    void aVersionWhoseRetrainingGatesFailedIsNotMadeTheShadowUnlessForced() throws Exception {
        String[] c = fresh("offline");
        assertThat(run(c, "model", "register", "--manifest", artifact("fraud-xgb", "v1").toString()).exit()).isZero();
        try (Registry r = Registry.open(option(c, "--postgres-url"), pg.user())) {
            var om = new com.fasterxml.jackson.databind.ObjectMapper();
            r.recordEvaluation("fraud-xgb", "v1", om.createObjectNode().put("gates_passed", false)
                    .put("gate_failures", "average_precision: 0.61 vs champion 0.70"));
        }
        CliRun refused = run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v1", "--to", "shadow",
                "--reason", "try");
        assertThat(refused.exit()).as(refused.err()).isEqualTo(3);
        assertThat(refused.err()).contains("retraining recorded failed gates", "average_precision: 0.61 vs champion 0.70");
        assertThat(run(c, "model", "promote", "--model", "fraud-xgb", "--version", "v1", "--to", "shadow", "--reason",
                "look anyway", "--force").exit()).isZero();
        assertThat(registryHolds(c)).isEqualTo("none | fraud-xgb v1");
    }

    /** {@code ./fraud model ...} in a JVM of its own that halts at {@code crashAt}. */
    private static int crashingRun(String crashAt, String[] common, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-D" + Faults.PROPERTY + "=" + crashAt,
                "-Dfraud.log.dir=" + tmp.resolve("logs"), FraudCli.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of(common));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("crash-" + crashAt + ".txt").toFile())
                .start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return p.exitValue();
    }

    @Test
    void aCrashBetweenTheRegistryAndTheTopicIsRepairedByTheNextCommand() throws Exception {
        String[] c = fresh("crash");
        championAndShadow(c);
        List<ModelControl> before = onTopic(c);
        assertThat(before).hasSize(2);

        // killed after the registry committed the promotion, before its event was sent
        assertThat(crashingRun(Faults.AFTER_COMMIT, c, "model", "promote", "--model", "fraud-xgb", "--version", "v2",
                "--reason", "crash test", "--force")).isEqualTo(Faults.HALT_STATUS);
        assertThat(registryHolds(c)).isEqualTo("fraud-xgb v2 | none");
        assertThat(onTopic(c)).hasSize(2); // not sent
        assertThat(jobAfter(onTopic(c))).isEqualTo("fraud-xgb v1 | fraud-xgb v2"); // the job does not know yet
        CliRun status = run(c, "model", "status");
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains("sent 2 control event(s)", "registry: champion fraud-xgb v2, shadow none",
                "the control topic, replayed as a job started now would: champion fraud-xgb v2, shadow none (as the registry)");
        assertThat(jobAfter(onTopic(c))).isEqualTo(registryHolds(c));

        // killed after the broker acknowledged the event, before the outbox marked it: sent again, applied again
        assertThat(run(c, "model", "register", "--manifest", artifact("fraud-xgb", "v3").toString()).exit()).isZero();
        assertThat(crashingRun(Faults.AFTER_SEND, c, "model", "promote", "--model", "fraud-xgb", "--version", "v3",
                "--to", "shadow", "--reason", "crash test")).isEqualTo(Faults.HALT_STATUS);
        assertThat(onTopic(c)).extracting(e -> e.version + "/" + e.role).endsWith("v2/champion", "v3/shadow");
        CliRun list = run(c, "model", "list");
        assertThat(list.out()).contains("sent 1 control event(s)");
        assertThat(onTopic(c)).extracting(e -> e.version + "/" + e.role).endsWith("v2/champion", "v3/shadow", "v3/shadow");
        assertThat(jobAfter(onTopic(c))).isEqualTo(registryHolds(c)).isEqualTo("fraud-xgb v2 | fraud-xgb v3");
    }

    @Test
    void withoutKafkaTheChangeIsRecordedAndTheEventWaits() throws Exception {
        String[] c = fresh("nokafka");
        assertThat(run(c, "model", "register", "--manifest", artifact("fraud-xgb", "v1").toString()).exit()).isZero();
        String[] unreachable = c.clone();
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        unreachable[5] = "127.0.0.1:" + port;
        CliRun r = run(unreachable, "model", "promote", "--model", "fraud-xgb", "--version", "v1", "--reason", "first",
                "--send-timeout", "2s");
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(5);
        assertThat(r.err()).contains("stays in the registry's outbox", "1 event(s) pending");
        CliRun later = run(c, "model", "list");
        assertThat(later.out()).contains("sent 1 control event(s)");
        assertThat(jobAfter(onTopic(c))).isEqualTo(registryHolds(c)).isEqualTo("fraud-xgb v1 | none");
    }
}
