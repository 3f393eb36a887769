package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelJson;
import io.github.fraudflink.features.LabelParser;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.data.LabelledTransaction;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labels and transactions on two topics, the whole job (real Kafka, real PostgreSQL, MiniCluster): the same input
 * topics give the same output, byte for byte apart from {@code scored_time}, in three runs that see the two topics
 * interleaved differently: at parallelism 2 with an injected failure and the PostgreSQL sinks on, at parallelism 1,
 * and stopped with a savepoint half-way through a replay that goes on while it is stopped. The terminal features are
 * those the trainer computes from the same transactions and labels (train/serve parity); every valid label is in
 * {@code fraud_labels} once, every bad one in the DLQ with its reason.
 */
class LabelsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY = 86_400_000L;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    @RegisterExtension
    static final RealServers SERVERS = new RealServers(() -> tmp);

    /** The labels of a run, valid and not: on time, late, reversed, repeated; and mutated copies the parser rejects. */
    private record Labels(List<Label> valid, List<byte[]> bad) {}

    private static Labels labels(List<LabelledTransaction> txs, Random r) {
        List<Label> valid = new ArrayList<>();
        for (LabelledTransaction lt : txs) {
            if (r.nextDouble() < 0.1) {
                continue; // never labelled
            }
            Label l = label(lt, lt.fraud(), lt.tx().eventTime + (long) (r.nextDouble() * 9 * DAY) + 1);
            valid.add(l);
            if (r.nextDouble() < 0.05) { // an analyst reverses it later
                valid.add(label(lt, !lt.fraud(), l.labelledAt + (long) (r.nextDouble() * 3 * DAY) + 1));
            }
            if (r.nextDouble() < 0.03) { // the same label sent twice
                valid.add(l);
            }
        }
        valid.sort(Comparator.comparingLong(l -> l.labelledAt)); // a labels topic is in roughly labelled_at order
        List<byte[]> bad = new ArrayList<>();
        LabelParser parser = new LabelParser();
        String[] fields = {"transaction_id", "account_id", "event_time", "is_fraud", "labelled_at", "source"};
        while (bad.size() < 60) {
            ObjectNode o = (ObjectNode) readTree(LabelJson.write(valid.get(r.nextInt(valid.size()))));
            switch (r.nextInt(5)) {
                case 0 -> o.remove(fields[r.nextInt(fields.length)]);
                case 1 -> o.put("labelled_at", o.get("event_time").asText().replace("2018", "2017"));
                case 2 -> o.put("is_fraud", r.nextInt(1000) - 500);
                case 3 -> o.put(fields[r.nextInt(fields.length)], "\u0000" + r.nextInt());
                default -> o.put("event_time", "yesterday");
            }
            byte[] bytes = o.toString().getBytes(StandardCharsets.UTF_8);
            try {
                parser.parse(bytes, System.currentTimeMillis());
            } catch (InvalidTransactionException e) {
                bad.add(bytes); // only mutations the contract rejects
            }
        }
        return new Labels(valid, bad);
    }

    private static Label label(LabelledTransaction lt, boolean fraud, long at) {
        return Label.of(lt.tx(), fraud, at, at, "analyst"); // simulated time: known when made, not when sent
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the transactions (keyed by account) and the labels (keyed by transaction id) known by {@code until}. */
    private static void produce(Configuration c, List<LabelledTransaction> txs, Labels labels, long from, long until) {
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(SERVERS.kafka().bootstrapServers())) {
            for (LabelledTransaction lt : txs) {
                if (lt.tx().eventTime >= from && lt.tx().eventTime < until) {
                    p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_TRANSACTIONS),
                            lt.tx().accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(lt.tx())));
                }
            }
            for (Label l : labels.valid()) {
                if (l.labelledAt >= from && l.labelledAt < until) {
                    p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_LABELS),
                            l.transactionId.getBytes(StandardCharsets.UTF_8), LabelJson.write(l)));
                }
            }
            if (from == Long.MIN_VALUE) {
                for (byte[] b : labels.bad()) {
                    p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_LABELS), null, b));
                }
            }
        }
    }

    /** A run's options: the shared input topics, its own group, outputs, prefix and (optionally) database. */
    private static Configuration run(Configuration inputs, String name, boolean bounded, boolean postgres) throws Exception {
        Configuration c = JobTestSupport.jobConfig(SERVERS.kafka(), name, bounded);
        c.set(JobOptions.TOPIC_TRANSACTIONS, inputs.get(JobOptions.TOPIC_TRANSACTIONS));
        c.set(JobOptions.TOPIC_LABELS, inputs.get(JobOptions.TOPIC_LABELS));
        // only the watermark releases a transaction here: a determinism test must not fall back on the maximum wait
        c.set(JobOptions.LABELS_MAX_WAIT, Duration.ofMinutes(30));
        if (postgres) {
            c.set(JobOptions.POSTGRES_URL, SERVERS.pg().createDatabase(name));
            c.set(JobOptions.POSTGRES_USER, SERVERS.pg().user());
        }
        return c;
    }

    /** The scored output without {@code scored_time}, by identity. */
    private static Map<String, String> outputs(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ObjectNode o = (ObjectNode) readTree(r.value());
            o.remove("scored_time");
            String id = o.get("account_id").asText() + "/" + o.get("transaction_id").asText();
            assertThat(out.put(id, o.toString())).as("a second output for %s", id).isNull();
        }
        return out;
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(Configuration c, int n, Duration timeout) {
        try (var r = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            List<ConsumerRecord<byte[], byte[]>> out = r.readUntil(n, timeout);
            out.addAll(r.readUntil(n + 1, Duration.ofSeconds(2)));
            return out;
        }
    }

    @Test
    void theSameTopicsGiveTheSameOutputWhateverTheInterleavingARestoreOrAFailure(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long t0 = System.nanoTime();
        long seed = Long.getLong("fraud.labels-seed", System.nanoTime());
        Random r = new Random(seed);
        List<LabelledTransaction> txs = JobTestSupport.workload(31, 6_000); // 14 days: twice the label delay
        Labels labels = labels(txs, r);
        Configuration inputs = JobTestSupport.jobConfig(SERVERS.kafka(), "labels_in", false);
        long mid = txs.get(txs.size() / 2).tx().eventTime;
        System.out.printf("labels (seed %d): %,d transactions, %,d valid labels, %,d bad%n", seed, txs.size(),
                labels.valid().size(), labels.bad().size());

        // run C first, while the replay is under way: half of it, a savepoint, the rest produced while it is stopped
        produce(inputs, txs, labels, Long.MIN_VALUE, mid);
        Configuration c = run(inputs, "labels_c", false, false);
        StreamExecutionEnvironment envC = StreamExecutionEnvironment.getExecutionEnvironment();
        envC.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(envC, c);
        JobClient first = envC.executeAsync("labels-c");
        long before;
        try (var out = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            before = out.readUntil(txs.size() / 4, Duration.ofMinutes(2)).size();
        }
        String savepoint = first.stopWithSavepoint(false, tmp.resolve("labels-savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        produce(inputs, txs, labels, mid, Long.MAX_VALUE);
        Configuration restore = new Configuration();
        restore.setString("execution.state-recovery.path", savepoint);
        StreamExecutionEnvironment envC2 = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        envC2.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(envC2, c);
        JobClient second = envC2.executeAsync("labels-c-restored");
        Map<String, String> outC;
        try {
            outC = outputs(read(c, txs.size(), Duration.ofMinutes(3)));
        } finally {
            second.cancel().get(1, TimeUnit.MINUTES);
        }

        // run A: the whole topics at parallelism 2, the PostgreSQL sinks on, and a failure injected in the features task
        Configuration a = run(inputs, "labels_a", true, true);
        PostgresSinkIT.FailAt.ARMED.clear();
        PostgresSinkIT.FailAt.FIRED.clear();
        PostgresSinkIT.FailAt.ARMED.add(txs.get(r.nextInt(txs.size())).tx().transactionId);
        StreamExecutionEnvironment envA = StreamExecutionEnvironment.getExecutionEnvironment();
        envA.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(envA, a, f -> f.map(new PostgresSinkIT.FailAt()).name("fault injection"));
        JobID idA = envA.execute("labels-a").getJobID();
        assertThat(PostgresSinkIT.FailAt.FIRED).as("the failure was injected").hasSize(1);
        assertThat(JobTestSupport.failures(cluster, idA)).as("restarts: the injected failure only").hasSize(1);
        Map<String, String> outA = outputs(read(a, txs.size(), Duration.ofMinutes(1)));

        // run B: the whole topics at parallelism 1
        Configuration b = run(inputs, "labels_b", true, false);
        StreamExecutionEnvironment envB = StreamExecutionEnvironment.getExecutionEnvironment();
        envB.setParallelism(1);
        FraudScoringJob.build(envB, b);
        envB.execute("labels-b");
        Map<String, String> outB = outputs(read(b, txs.size(), Duration.ofMinutes(1)));

        assertThat(outA).hasSize(txs.size());
        assertThat(outB).isEqualTo(outA);
        assertThat(outC).isEqualTo(outA);

        // the terminal features are the trainer's, from the same transactions and labels
        FeatureTable expected = FeatureTable.compute(txs, new AccountFeatures(), JobOptions.terminalFeatures(new Configuration()),
                labels.valid(), txs.size());
        int known = 0;
        try (LoadedModel model = new ModelLoader().load(URI.create(JobOptions.MODEL_URI.defaultValue()), null)) {
            assertThat(model.featureNames()).contains(FeatureCatalog.TERMINAL_FRAUD_SHARE_7D);
            int share7 = List.of(model.featureNames()).indexOf(FeatureCatalog.TERMINAL_FRAUD_SHARE_7D);
            for (int i = 0; i < expected.rows; i++) {
                ObjectNode o = (ObjectNode) readTree(outA.get(expected.accounts[i] + "/" + expected.transactionIds[i])
                        .getBytes(StandardCharsets.UTF_8));
                ScoredTransaction s = ScoredTransactionJson.read(o.put("scored_time", "1970-01-01T00:00:00Z").toString()
                        .getBytes(StandardCharsets.UTF_8));
                assertThat(s.features).as("features of %s", expected.transactionIds[i]).containsExactly(model.select(expected.features[i]));
                known += s.features[share7] > 0 ? 1 : 0;
            }
        }
        assertThat(known).as("transactions whose terminal had known frauds").isPositive();

        // every valid label once in PostgreSQL, every bad one in the DLQ
        Set<String> distinct = new HashSet<>();
        labels.valid().forEach(l -> distinct.add(l.accountId + "/" + l.transactionId + "/" + l.labelledAt + "/" + l.isFraud));
        try (Connection db = DriverManager.getConnection(a.get(JobOptions.POSTGRES_URL), SERVERS.pg().user(), null);
                Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT account_id, transaction_id, labelled_at, is_fraud FROM fraud_labels")) {
            Set<String> rows = new HashSet<>();
            int n = 0;
            while (rs.next()) {
                rows.add(rs.getString(1) + "/" + rs.getString(2) + "/"
                        + rs.getObject(3, java.time.OffsetDateTime.class).toInstant().toEpochMilli() + "/" + rs.getBoolean(4));
                n++;
            }
            assertThat(n).isEqualTo(rows.size());
            assertThat(rows).isEqualTo(distinct);
        }
        try (var dlq = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), a.get(JobOptions.TOPIC_DLQ), false)) {
            List<ConsumerRecord<byte[], byte[]>> dead = dlq.readUntil(labels.bad().size() + 1, Duration.ofSeconds(10));
            assertThat(dead).hasSize(labels.bad().size());
            Map<String, Integer> byHash = new HashMap<>();
            labels.bad().forEach(x -> byHash.merge(JobTestSupport.sha256(x), 1, Integer::sum));
            for (ConsumerRecord<byte[], byte[]> d : dead) {
                String hash = new String(d.headers().lastHeader("dlq.value-sha256").value(), StandardCharsets.UTF_8);
                assertThat(byHash.merge(hash, -1, Integer::sum)).as("an unexpected dead letter").isGreaterThanOrEqualTo(0);
                assertThat(new String(d.headers().lastHeader("dlq.source").value(), StandardCharsets.UTF_8))
                        .startsWith(a.get(JobOptions.TOPIC_LABELS));
            }
        }
        System.out.printf("labels: 3 runs (savepoint at %,d of %,d outputs; failure; parallelism 1) identical, %,d with known"
                + " terminal frauds, %.0f s%n", before, txs.size(), known, (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void aMissingInputTopicIsRefusedAtSubmissionWithTheFix() throws Exception {
        Configuration c = JobTestSupport.jobConfig(SERVERS.kafka(), "labels_missing", true);
        c.set(JobOptions.TOPIC_LABELS, "no-such-labels-topic");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FraudScoringJob.build(env, c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-such-labels-topic")
                .hasMessageContaining(JobOptions.TOPIC_LABELS.key());
        c.set(JobOptions.TOPIC_LABELS, ""); // without labels, nothing more is needed
        FraudScoringJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), c);
    }
}
