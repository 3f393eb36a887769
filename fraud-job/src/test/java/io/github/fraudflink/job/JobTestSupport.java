package io.github.fraudflink.job;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.trainer.FeatureTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** What the job's integration tests share: the MiniCluster set-up, job configuration, workloads and producing. */
public final class JobTestSupport {
    public static final int PARALLELISM = 2;

    private JobTestSupport() {}

    /** Two task managers with one slot per parallel instance each, RocksDB, checkpoints under {@code dir}. */
    public static MiniClusterExtension miniCluster(java.util.function.Supplier<Path> dir) {
        return new MiniClusterExtension(() -> {
            Configuration c = new Configuration();
            c.setString("state.backend.type", "rocksdb");
            c.setString("execution.checkpointing.incremental", "true");
            c.setString("execution.checkpointing.dir", dir.get().resolve("checkpoints").toUri().toString());
            c.setString("taskmanager.load-balance.mode", "SLOTS"); // spread subtasks, so a killed task manager hits the job
            c.setString("restart-strategy.type", "fixed-delay");
            c.setString("restart-strategy.fixed-delay.attempts", "20");
            c.setString("restart-strategy.fixed-delay.delay", "500 ms");
            return new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(c)
                    .setNumberTaskManagers(2)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build();
        });
    }

    /** Job options on topics of their own (prefixed by {@code run}), created with 4 partitions. */
    public static Configuration jobConfig(EmbeddedKafka kafka, String run, boolean bounded) throws Exception {
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(JobOptions.TOPIC_TRANSACTIONS, run + "-transactions");
        c.set(JobOptions.TOPIC_LABELS, run + "-labels");
        c.set(JobOptions.TOPIC_SCORED, run + "-scored");
        c.set(JobOptions.TOPIC_DLQ, run + "-dlq");
        c.set(JobOptions.TOPIC_MODEL_CONTROL, run + "-model-control");
        c.set(JobOptions.TOPIC_MODEL_STATUS, run + "-model-status");
        c.set(JobOptions.GROUP_ID, run);
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, run);
        c.set(JobOptions.SOURCE_BOUNDED, bounded);
        c.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        TopicSetup.ensureTopics(c, 4);
        return c;
    }

    /** The first {@code n} valid transactions of a small simulated population. */
    public static List<LabelledTransaction> workload(long seed, int n) {
        List<LabelledTransaction> out = new ArrayList<>(n);
        for (LabelledTransaction lt : new TransactionSimulator(SimulatorConfig.defaults()
                .withCustomers(300).withTerminals(600).withDays(Math.max(2, n / 500 + 2)).withSeed(seed))) {
            if (out.size() == n) {
                break;
            }
            if (lt.tx().amount > 0) { // the simulator's rare 0.00 amounts are invalid input
                out.add(lt);
            }
        }
        assertThat(out).hasSize(n);
        return out;
    }

    /** Sends the transactions (keyed by account) with the bad events spread among them, as fast as it can. */
    public static void produce(EmbeddedKafka kafka, Configuration c, List<LabelledTransaction> txs, List<BadEvents.BadEvent> bad) {
        produce(kafka, c, txs, bad, 0);
    }

    /**
     * The same at {@code perSecond} transactions a second (0: as fast as it can), so a replay lasts long enough for
     * faults to hit it while it runs, however fast the job is.
     */
    public static void produce(EmbeddedKafka kafka, Configuration c, List<LabelledTransaction> txs, List<BadEvents.BadEvent> bad,
            int perSecond) {
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            int b = 0;
            for (int i = 0; i < txs.size(); i++) {
                long wait = perSecond == 0 ? 0 : t0 + (long) (i * 1e9 / perSecond) - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing the load generator, not waiting for a result
                }
                var tx = txs.get(i).tx();
                p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_TRANSACTIONS),
                        tx.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(tx)));
                if (b < bad.size() && i % 50 == 7) {
                    p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_TRANSACTIONS), null, bad.get(b++).bytes()));
                }
            }
            while (b < bad.size()) {
                p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_TRANSACTIONS), null, bad.get(b++).bytes()));
            }
        }
    }

    /**
     * Starts the scoring job with options {@code c} at parallelism {@value #PARALLELISM}, from {@code savepoint} when
     * not null, without waiting for it.
     */
    public static org.apache.flink.core.execution.JobClient submit(Configuration c, String savepoint, String name)
            throws Exception {
        Configuration flink = new Configuration();
        if (savepoint != null) {
            flink.setString("execution.state-recovery.path", savepoint);
        }
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(PARALLELISM);
        FraudScoringJob.build(env, c);
        return env.executeAsync(name);
    }

    /** Publishes a control event on the job's control topic, keyed by model name. */
    /**
     * The labels of {@code txs}, each known {@code after} (event time) its transaction: labelled_at and known_at are the
     * simulation's clock, not the time it is sent. Keyed by transaction id, as {@code LabelJson}.
     */
    public static void produceLabels(EmbeddedKafka kafka, Configuration c, List<LabelledTransaction> txs, Duration after) {
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            for (LabelledTransaction lt : txs) {
                io.github.fraudflink.features.Label l = new io.github.fraudflink.features.Label();
                l.transactionId = lt.tx().transactionId;
                l.accountId = lt.tx().accountId;
                l.terminalId = lt.tx().terminalId != null ? lt.tx().terminalId : lt.tx().merchantId;
                l.eventTime = lt.tx().eventTime;
                l.isFraud = lt.fraud();
                l.labelledAt = lt.tx().eventTime + after.toMillis();
                l.knownAt = l.labelledAt;
                l.source = "chargeback";
                p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_LABELS), l.transactionId.getBytes(StandardCharsets.UTF_8),
                        io.github.fraudflink.features.LabelJson.write(l)));
            }
        }
    }

    public static void publish(EmbeddedKafka kafka, Configuration c, ModelControl event) {
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_MODEL_CONTROL),
                    event.model.getBytes(StandardCharsets.UTF_8), ModelControlJson.write(event)));
        }
    }

    /**
     * Checks every output against an uninterrupted computation: the trainer's features (the same code, in input
     * order per account) and the model's score. Exactly one output per transaction, none flagged as a repeat.
     */
    public static void assertExactlyTheExpectedOutputs(List<LabelledTransaction> txs, List<ConsumerRecord<byte[], byte[]>> out,
            LoadedModel model) {
        // no labels in these runs: the terminal features count transactions, their fraud shares stay 0
        FeatureTable expected = FeatureTable.compute(txs, new AccountFeatures(),
                JobOptions.terminalFeatures(new org.apache.flink.configuration.Configuration()), List.of(), txs.size());
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < expected.rows; i++) {
            row.put(expected.transactionIds[i], i);
        }
        Map<String, ScoredTransaction> seen = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
            ScoredTransaction s = ScoredTransactionJson.read(r.value());
            assertThat(seen.put(s.transactionId, s)).as("duplicate output for %s", s.transactionId).isNull();
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(s.accountId);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(row.keySet());
        int declined = 0;
        for (Map.Entry<String, ScoredTransaction> e : seen.entrySet()) {
            int i = row.get(e.getKey());
            ScoredTransaction s = e.getValue();
            assertThat(s.duplicate).as("%s flagged as a repeat", e.getKey()).isFalse();
            double[] input = model.select(expected.features[i]);
            assertThat(s.features).as("features of %s", e.getKey()).containsExactly(input);
            assertThat(s.featureNames).containsExactly(model.featureNames());
            assertThat(s.score).as("score of %s", e.getKey()).isEqualTo(model.scorer().score(input));
            assertThat(s.model).isEqualTo(model.name());
            assertThat(s.modelVersion).isEqualTo(model.version());
            assertThat(s.decision).isEqualTo(s.score >= model.threshold() ? "decline" : s.score >= model.reviewThreshold() ? "review" : "approve");
            assertThat(s.eventTime).isEqualTo(expected.eventTimes[i]);
            declined += "decline".equals(s.decision) ? 1 : 0;
        }
        assertThat(declined).as("the workload has frauds the model flags").isPositive();
    }

    /**
     * Every bad event is on the DLQ once, with the reason its kind expects and a message; nothing else is there. A
     * dead letter is matched by the sha256 of the original value (its header), as a long value is cut.
     */
    public static void assertDeadLetters(KafkaIO.CommittedReader dlq, List<BadEvents.BadEvent> bad) {
        List<ConsumerRecord<byte[], byte[]>> dead = dlq.readUntil(bad.size() + 1, Duration.ofSeconds(10));
        assertThat(dead).hasSize(bad.size());
        Map<String, String> reasonByValue = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            reasonByValue.put(new String(r.headers().lastHeader("dlq.value-sha256").value(), StandardCharsets.UTF_8),
                    new String(r.headers().lastHeader("dlq.reason").value(), StandardCharsets.UTF_8));
            assertThat(r.headers().lastHeader("dlq.message")).isNotNull();
        }
        for (BadEvents.BadEvent b : bad) {
            assertThat(reasonByValue.get(sha256(b.bytes())))
                    .as("DLQ reason of %s", b.kind()).isEqualTo(b.expectedReason());
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The job's failures as the JobManager recorded them (its REST API, {@code /jobs/:id/exceptions}): one entry per
     * failure that made the job restart, and one per failure that came while it was already failing over (Flink groups
     * those as concurrent exceptions), each as "exception name: stack trace". Empty when the job never failed.
     */
    public static List<String> failures(MiniCluster cluster, JobID job) throws Exception {
        URI uri = cluster.getRestAddress().get().resolve("/jobs/" + job + "/exceptions?maxExceptions=100");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", uri, r.body()).isEqualTo(200);
        JsonNode history = new ObjectMapper().readTree(r.body()).path("exceptionHistory");
        assertThat(history.path("truncated").asBoolean()).as("exception history truncated").isFalse();
        List<String> out = new ArrayList<>();
        for (JsonNode e : history.path("entries")) {
            out.add(e.path("exceptionName").asText() + ": " + e.path("stacktrace").asText());
            // failures that happened while the job was already failing over are grouped under the first one
            for (JsonNode c : e.path("concurrentExceptions")) {
                out.add(c.path("exceptionName").asText() + ": " + c.path("stacktrace").asText());
            }
        }
        return out;
    }

    /** Polls the status topic until every instance reported {@code version} live (or a rejection of it); returns them. */
    public static List<ModelStatus> awaitStatus(KafkaIO.CommittedReader status, String version, String want, int instances)
            throws Exception {
        List<ModelStatus> seen = new ArrayList<>();
        Set<Integer> done = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (done.size() < instances && System.nanoTime() < deadline) {
            List<ModelStatus> batch = new ArrayList<>();
            status.poll(Duration.ofMillis(200), r -> {
                try {
                    batch.add(ModelControlJson.readStatus(r.value()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (ModelStatus s : batch) {
                seen.add(s);
                if (version.equals(s.version) && want.equals(s.status)) {
                    done.add(s.instance);
                }
            }
        }
        assertThat(done).as("instances reporting %s %s", version, want).hasSize(instances);
        return seen;
    }
}
