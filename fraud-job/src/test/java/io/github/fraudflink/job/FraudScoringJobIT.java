package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job against a real in-process Kafka broker on a Flink MiniCluster (2 task managers, RocksDB,
 * exactly-once checkpoints, parallelism 2): every input is scored exactly once as seen by a
 * read_committed consumer, with the features the trainer computes and the score the model gives them,
 * bad input lands in the DLQ, and the same holds across a task manager killed mid-stream.
 */
class FraudScoringJobIT {
    private static final int PARALLELISM = JobTestSupport.PARALLELISM;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    private static EmbeddedKafka kafka;
    private static LoadedModel model;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        model = new ModelLoader().load(URI.create(JobOptions.MODEL_URI.defaultValue()), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (model != null) {
            model.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static Configuration jobConfig(String run, boolean bounded) throws Exception {
        return JobTestSupport.jobConfig(kafka, run, bounded);
    }

    private static List<LabelledTransaction> workload(long seed, int n) {
        return JobTestSupport.workload(seed, n);
    }

    private static void produce(Configuration c, List<LabelledTransaction> txs, List<BadEvents.BadEvent> bad) {
        JobTestSupport.produce(kafka, c, txs, bad);
    }

    /** Checks every output against an uninterrupted computation: the trainer's features and the model's score. */
    private static void assertExactlyTheExpectedOutputs(List<LabelledTransaction> txs, List<ConsumerRecord<byte[], byte[]>> out) {
        FeatureTable expected = FeatureTable.compute(txs, new AccountFeatures(), txs.size());
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
            assertThat(s.features).as("features of %s", e.getKey()).containsExactly(expected.features[i]);
            assertThat(s.score).as("score of %s", e.getKey()).isEqualTo(model.scorer().score(expected.features[i]));
            assertThat(s.model).isEqualTo(model.name());
            assertThat(s.modelVersion).isEqualTo(model.version());
            assertThat(s.decision).isEqualTo(s.score >= model.threshold() ? "decline" : "approve");
            assertThat(s.eventTime).isEqualTo(expected.eventTimes[i]);
            declined += "decline".equals(s.decision) ? 1 : 0;
        }
        assertThat(declined).as("the workload has frauds the model flags").isPositive();
    }

    @Test
    void scoresEveryEventOnceAndSendsBadInputToTheDlq() throws Exception {
        Configuration c = jobConfig("bounded", true);
        List<LabelledTransaction> txs = workload(1, 4000);
        List<BadEvents.BadEvent> bad = BadEvents.corpus("it");
        produce(c, txs, bad);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        FraudScoringJob.build(env, c);
        env.execute("bounded");

        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false);
                var dlq = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_DLQ), false)) {
            List<ConsumerRecord<byte[], byte[]>> out = scored.readUntil(txs.size(), Duration.ofSeconds(30));
            // nothing more arrives: exactly N, not N plus duplicates
            out.addAll(scored.readUntil(txs.size() + 1, Duration.ofSeconds(2)));
            assertExactlyTheExpectedOutputs(txs, out);

            List<ConsumerRecord<byte[], byte[]>> dead = dlq.readUntil(bad.size() + 1, Duration.ofSeconds(10));
            assertThat(dead).hasSize(bad.size());
            Map<String, String> reasonByValue = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                reasonByValue.put(new String(r.value(), StandardCharsets.ISO_8859_1),
                        new String(r.headers().lastHeader("dlq.reason").value(), StandardCharsets.UTF_8));
                assertThat(r.headers().lastHeader("dlq.message")).isNotNull();
            }
            for (BadEvents.BadEvent b : bad) {
                assertThat(reasonByValue.get(new String(b.bytes(), StandardCharsets.ISO_8859_1)))
                        .as("DLQ reason of %s", b.kind()).isEqualTo(b.expectedReason());
            }
        }
    }

    @Test
    void killedTaskManagerMidStreamLosesAndDuplicatesNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration c = jobConfig("failover", false);
        List<LabelledTransaction> txs = workload(2, 30_000);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        FraudScoringJob.build(env, c);
        JobClient job = env.executeAsync("failover");
        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            // the load is still being produced when the task manager dies, so records are in open transactions
            Thread load = new Thread(() -> produce(c, txs.subList(0, 15_000), List.of()));
            load.start();
            List<ConsumerRecord<byte[], byte[]>> out = scored.readUntil(3_000, Duration.ofMinutes(2));
            assertThat(out.size()).as("committed output before the failure").isGreaterThanOrEqualTo(3_000);

            cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
            load.join();
            System.out.printf("failover: task manager killed with %d of 30000 outputs committed%n", out.size());
            produce(c, txs.subList(15_000, txs.size()), List.of());
            cluster.startTaskManager();

            out.addAll(scored.readUntil(txs.size(), Duration.ofMinutes(3)));
            out.addAll(scored.readUntil(txs.size() + 1, Duration.ofSeconds(3)));
            assertThat(cluster.getExecutionGraph(job.getJobID()).get().getFailureInfo())
                    .as("the job failed over (it lost a task manager)").isNotNull();
            assertExactlyTheExpectedOutputs(txs, out);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
