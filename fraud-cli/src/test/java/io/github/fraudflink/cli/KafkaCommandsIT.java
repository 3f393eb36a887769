package io.github.fraudflink.cli;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelStatus;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that talk to Kafka ({@code fraud model ...}, {@code fraud simulate --bootstrap-servers}) against a real in-process broker. */
class KafkaCommandsIT {
    @TempDir
    static Path tmp;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        try (Admin a = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            a.createTopics(List.of(new NewTopic("model-control", 1, (short) 1), new NewTopic("model-control-status", 1, (short) 1),
                    new NewTopic("sim", 2, (short) 1), new NewTopic("ct2", 1, (short) 1), new NewTopic("st2", 1, (short) 1),
                    new NewTopic("replayed", 2, (short) 1), new NewTopic("labels", 1, (short) 1)))
                    .all().get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    private static String[] run(String... args) {
        CliRun r = CliRun.of(args);
        return new String[] {Integer.toString(r.exit()), r.out(), r.err()};
    }

    /** The shipped model re-versioned (same model file, golden sample and checksums recomputed). */
    private static Path version(String v) throws Exception {
        ClassLoader cl = KafkaCommandsIT.class.getClassLoader();
        ModelManifest m = ModelManifest.read(cl.getResourceAsStream("models/default/manifest.json").readAllBytes());
        byte[] model = cl.getResourceAsStream("models/default/model.json").readAllBytes();
        Path dir = tmp.resolve("m-" + v);
        ModelArtifactWriter.write(dir, new ModelManifest(m.name(), v, m.format(), m.modelFile(), m.featureSchemaId(),
                m.featureNames(), m.threshold(), null, m.trainingDataFingerprint(), m.createdAt(), m.createdBy(), m.metrics(),
                m.training(), m.goldenSample(), m.referenceDistributions()), Map.of("model.json", model));
        return dir.resolve("manifest.json");
    }

    private static List<ModelControl> controlEvents() {
        try (var r = new KafkaIO.CommittedReader(kafka.bootstrapServers(), "model-control", false)) {
            return r.readToEnd(Duration.ofSeconds(1)).stream().map(rec -> ModelControlJson.read(rec.value())).toList();
        }
    }

    @Test
    void publishVerifiesFirstThenRollbackAndRetireWriteTheRightEvents() throws Exception {
        String bs = kafka.bootstrapServers();
        String[] r1 = run("model", "publish", "--manifest", version("v1").toString(), "--bootstrap-servers", bs);
        assertThat(r1[0]).as(r1[2]).isEqualTo("0");
        assertThat(run("model", "publish", "--manifest", version("v2").toString(), "--bootstrap-servers", bs)[0]).isEqualTo("0");

        Path broken = version("v3");
        Files.writeString(broken.resolveSibling("model.json"), "{}");
        String[] bad = run("model", "publish", "--manifest", broken.toString(), "--bootstrap-servers", bs);
        assertThat(bad[0]).isNotEqualTo("0");
        assertThat(bad[2]).contains("the job would reject this model", "file_checksum_mismatch");

        assertThat(run("model", "rollback", "--model", "demo-xgb", "--bootstrap-servers", bs)[0]).isEqualTo("0");
        assertThat(run("model", "retire", "--model", "challenger", "--bootstrap-servers", bs)[0]).isEqualTo("0");

        List<ModelControl> events = controlEvents();
        assertThat(events).extracting(c -> c.version + "/" + c.role)
                .containsExactly("v1/champion", "v2/champion", "v1/champion", "null/retired");
        ModelControl rolledBack = events.get(2);
        assertThat(rolledBack.manifestUri).isEqualTo(events.get(0).manifestUri);
        assertThat(rolledBack.manifestSha256).isEqualTo(events.get(0).manifestSha256).hasSize(64);
        assertThat(rolledBack.error).isNull();
    }

    @Test
    void statusShowsTheLatestRecordPerInstanceAndRole() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            for (int i = 0; i < 2; i++) {
                for (String[] s : new String[][] {{"live", "v1", null}, {"live", "v2", null}, {"rejected", "v3", "file_checksum_mismatch"}}) {
                    ModelStatus st = new ModelStatus();
                    st.instance = i;
                    st.instances = 2;
                    st.status = s[0];
                    st.role = "champion";
                    st.model = "demo-xgb";
                    st.version = s[1];
                    st.reason = s[2];
                    st.message = s[2] == null ? null : "checksum differs";
                    st.at = 1_700_000_000_000L;
                    p.send(new ProducerRecord<>("model-control-status", ModelControlJson.writeStatus(st)));
                }
            }
        }
        String[] r = run("model", "status", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("0/2       champion  live     demo-xgb             v2", "1/2       champion  live     demo-xgb             v2")
                .doesNotContain("live     demo-xgb             v1")
                .contains("last rejections:", "demo-xgb v3 as champion: checksum differs");
    }

    /** A scored row of demo-xgb v2 (threshold 0.5), maybe with a shadow, and its label. */
    private static void scoredAndLabelled(java.sql.Statement s, String tx, String eventTime, double score, String shadowScore,
            boolean fraud) throws java.sql.SQLException {
        s.execute("INSERT INTO scored_transactions (transaction_id, account_id, amount, event_time, ingest_time, scored_time,"
                + " features, feature_schema, score, decision, threshold, model, model_version, shadow_model, shadow_version,"
                + " shadow_score) VALUES ('" + tx + "', 'a', 1, '" + eventTime + "', now(), now(), '{}', 'x', " + score
                + ", 'approve', 0.5, 'demo-xgb', 'v2', " + (shadowScore == null ? "NULL, NULL, NULL" : "'challenger', 's1', "
                + shadowScore) + ")");
        s.execute("INSERT INTO fraud_labels (transaction_id, account_id, event_time, is_fraud, labelled_at, source) VALUES ('"
                + tx + "', 'a', '" + eventTime + "', " + fraud + ", '2024-03-20T00:00:00Z', 'chargeback')");
    }

    @Test
    void statusAlsoPrintsTheLiveQualityOfTheModelsFromPostgres() throws Exception {
        try (io.github.fraudflink.local.EmbeddedPostgres pg = io.github.fraudflink.local.EmbeddedPostgres.start(tmp.resolve("pg"), false)) {
            String url = pg.createDatabase("status");
            io.github.fraudflink.sql.SchemaMigrator.migrate(url, pg.user(), null);
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, pg.user(), null); java.sql.Statement s = c.createStatement()) {
                scoredAndLabelled(s, "t0", "2024-02-28T12:00:00Z", 0.99, null, false); // before the window
                scoredAndLabelled(s, "t1", "2024-03-01T00:00:00Z", 0.9, "0.7", true); // shadow without shadow_threshold
                scoredAndLabelled(s, "t2", "2024-03-01T23:59:59Z", 0.4, null, false);
                scoredAndLabelled(s, "t3", "2024-03-02T10:00:00Z", 0.95, null, false);
                scoredAndLabelled(s, "t4", "2024-03-02T11:00:00Z", 0.85, null, true);
            }
            String bs = kafka.bootstrapServers();
            String[] window = {"--postgres-url", url, "--postgres-user", pg.user(), "--quality-days", "2", "--quality-until", "2024-03-02"};
            String[] r = run(concat(new String[] {"model", "status", "--bootstrap-servers", bs}, window));
            assertThat(r[0]).as(r[2]).isEqualTo("0");
            // ranked over both days: 0.95 G, 0.9 F (1/2), 0.85 F (2/3), 0.4 G: AP 0.583 (the daily APs are 1 and 0.5)
            assertThat(r[1]).contains("live quality, labelled transactions of 2024-03-01 to 2024-03-02")
                    .containsPattern("demo-xgb\\s+v2\\s+champion\\s+4\\s+2\\s+0\\.667\\s+1\\.000\\s+0\\.583\\n")
                    .containsPattern("challenger\\s+s1\\s+shadow\\s+1\\s+1\\s+-\\s+-\\s+1\\.000\\n");

            CliRun j = CliRun.of(concat(new String[] {"model", "status", "--bootstrap-servers", bs, "--json"}, window));
            assertThat(j.exit()).as(j.err()).isZero();
            List<String> lines = j.out().lines().toList();
            assertThat(lines).hasSize(3); // instances, live quality, registry
            var q = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(1));
            assertThat(j.lastJson().get("champion").isNull()).as("no registry champion").isTrue();
            assertThat(q.get("quality_from").asText()).isEqualTo("2024-03-01");
            assertThat(q.get("models")).hasSize(2);
            var shadow = q.get("models").get(0); // ordered by model, role, version
            var champion = q.get("models").get(1);
            assertThat(champion.get("model").asText() + "/" + champion.get("role").asText()).isEqualTo("demo-xgb/champion");
            assertThat(champion.get("average_precision").asDouble()).isCloseTo((0.5 + 2 / 3.0) / 2,
                    org.assertj.core.api.Assertions.within(1e-12));
            assertThat(champion.get("true_positives").asLong()).isEqualTo(2);
            assertThat(shadow.get("role").asText()).isEqualTo("shadow");
            assertThat(shadow.get("precision").isNull()).isTrue();

            String[] empty = run("model", "status", "--bootstrap-servers", bs, "--postgres-url", url, "--postgres-user",
                    pg.user(), "--quality-until", "2024-01-31");
            assertThat(empty[0]).as(empty[2]).isEqualTo("0");
            assertThat(empty[1]).contains("2024-01-25 to 2024-01-31", "the latest day with labelled transactions is 2024-03-02");
        }
        String[] refused = run("model", "status", "--bootstrap-servers", kafka.bootstrapServers(), "--postgres-url",
                "jdbc:postgresql://127.0.0.1/fraud?password=secret");
        assertThat(refused[0]).isNotEqualTo("0");
        assertThat(refused[2]).contains("FRAUD_POSTGRES_PASSWORD");
    }

    private static String[] concat(String[] a, String[] b) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b)).toArray(String[]::new);
    }

    @Test
    void simulateStreamsTheSameTransactionsItWritesToAFile() throws Exception {
        Path file = tmp.resolve("sim.jsonl");
        String[] common = {"--customers", "50", "--terminals", "100", "--days", "3", "--seed", "7"};
        String[] toFile = java.util.stream.Stream.concat(java.util.stream.Stream.of("simulate", "--out", file.toString()),
                java.util.Arrays.stream(common)).toArray(String[]::new);
        assertThat(run(toFile)[0]).isEqualTo("0");
        String[] toKafka = java.util.stream.Stream.concat(java.util.stream.Stream.of("simulate", "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic", "sim"), java.util.Arrays.stream(common)).toArray(String[]::new);
        String[] r = run(toKafka);
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        List<String> lines = Files.readAllLines(file);
        java.util.Set<String> fromFile = new java.util.HashSet<>();
        io.github.fraudflink.features.TransactionParser parser = new io.github.fraudflink.features.TransactionParser();
        for (String l : lines) {
            fromFile.add(parser.parse(l.getBytes(java.nio.charset.StandardCharsets.UTF_8), System.currentTimeMillis()).transactionId);
        }
        java.util.Set<String> fromKafka = new java.util.HashSet<>();
        try (var reader = new KafkaIO.CommittedReader(kafka.bootstrapServers(), "sim", false)) {
            for (var rec : reader.readUntil(lines.size(), Duration.ofSeconds(30))) {
                fromKafka.add(parser.parse(rec.value(), rec.timestamp()).transactionId);
            }
        }
        assertThat(lines).isNotEmpty();
        assertThat(fromKafka).isEqualTo(fromFile);
        assertThat(run("simulate", "--customers", "5")[2]).contains("give either --out FILE or --bootstrap-servers");
    }

    @Test
    void rollbackFindsThePreviousChampionInTheStatusTopicWhenCompactionLeftOneEvent() throws Exception {
        String bs = kafka.bootstrapServers();
        Path v0 = version("v0");
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(bs)) {
            ModelStatus st = new ModelStatus();
            st.status = "live";
            st.role = "champion";
            st.model = "demo-xgb";
            st.version = "v0";
            st.manifestUri = v0.toUri().toString();
            st.at = 1_700_000_000_000L;
            p.send(new ProducerRecord<>("st2", ModelControlJson.writeStatus(st))).get();
        }
        String[] pub = run("model", "publish", "--manifest", version("v5").toString(), "--bootstrap-servers", bs,
                "--control-topic", "ct2", "--status-topic", "st2");
        assertThat(pub[0]).as(pub[2]).isEqualTo("0");
        String[] rb = run("model", "rollback", "--model", "demo-xgb", "--bootstrap-servers", bs,
                "--control-topic", "ct2", "--status-topic", "st2");
        assertThat(rb[0]).as(rb[2]).isEqualTo("0");
        assertThat(rb[1]).contains("from v5 to v0");
        List<ModelControl> events;
        try (var r = new KafkaIO.CommittedReader(bs, "ct2", false)) {
            events = r.readToEnd(Duration.ofSeconds(1)).stream().map(rec -> ModelControlJson.read(rec.value())).toList();
        }
        assertThat(events).extracting(c -> c.version).containsExactly("v5", "v0");
        assertThat(events.get(1).manifestUri).isEqualTo(v0.toUri().toString());
    }

    @Test
    void replayStreamsADatasetInEventTimeOrderWithDelayedLabels() throws Exception {
        Path file = tmp.resolve("replay.csv.gz");
        assertThat(run("simulate", "--customers", "60", "--terminals", "120", "--days", "4", "--out", file.toString())[0]).isEqualTo("0");
        io.github.fraudflink.data.Dataset ds = io.github.fraudflink.data.DatasetReader.read(file,
                io.github.fraudflink.data.DatasetReader.Format.HANDBOOK, null);
        String[] r = run("replay", "--data", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "replayed",
                "--labels-topic", "labels", "--label-delay", "1d");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        io.github.fraudflink.features.TransactionParser parser = new io.github.fraudflink.features.TransactionParser();
        List<Long> times = new ArrayList<>();
        try (var reader = new KafkaIO.CommittedReader(kafka.bootstrapServers(), "replayed", false)) {
            for (var rec : reader.readUntil(ds.rows().size(), Duration.ofSeconds(30))) {
                times.add(parser.parse(rec.value(), rec.timestamp()).eventTime);
            }
        }
        assertThat(times).hasSize(ds.rows().size());
        long lastEvent = ds.rows().get(ds.rows().size() - 1).tx().eventTime;
        long expectedLabels = ds.rows().stream().filter(lt -> lt.tx().eventTime + 86_400_000L <= lastEvent).count();
        try (var reader = new KafkaIO.CommittedReader(kafka.bootstrapServers(), "labels", false)) {
            var labels = reader.readToEnd(Duration.ofSeconds(2));
            assertThat(labels).hasSize((int) expectedLabels);
            assertThat(new String(labels.get(0).value(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"is_fraud\":", "\"labelled_at\":");
            // every label is valid under the labels contract, one day after its transaction
            io.github.fraudflink.features.LabelParser labelParser = new io.github.fraudflink.features.LabelParser();
            for (var rec : labels) {
                io.github.fraudflink.features.Label l = labelParser.parse(rec.value(), rec.timestamp());
                assertThat(l.labelledAt - l.eventTime).isEqualTo(86_400_000L);
                assertThat(l.source).isEqualTo("replay");
                assertThat(new String(rec.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(l.transactionId);
            }
        }
        assertThat(expectedLabels).isPositive().isLessThan(ds.rows().size());
    }
}
