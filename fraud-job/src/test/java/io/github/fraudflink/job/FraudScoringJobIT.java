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
import io.github.fraudflink.data.LabelledTransaction;
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
 * bad input lands in the DLQ and never makes the job fail. (Failures: {@code PostgresSinkIT}.)
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

    @Test
    void scoresEveryEventOnceAndSendsBadInputToTheDlq(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration c = jobConfig("bounded", true);
        List<LabelledTransaction> txs = workload(1, 4000);
        List<BadEvents.BadEvent> bad = BadEvents.corpus("it");
        produce(c, txs, bad);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        FraudScoringJob.build(env, c);
        org.apache.flink.api.common.JobID id = env.execute("bounded").getJobID();
        assertThat(JobTestSupport.failures(cluster, id)).as("bad input made the job fail").isEmpty();

        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false);
                var dlq = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_DLQ), false)) {
            List<ConsumerRecord<byte[], byte[]>> out = scored.readUntil(txs.size(), Duration.ofSeconds(30));
            // nothing more arrives: exactly N, not N plus duplicates
            out.addAll(scored.readUntil(txs.size() + 1, Duration.ofSeconds(2)));
            JobTestSupport.assertExactlyTheExpectedOutputs(txs, out, model);

            JobTestSupport.assertDeadLetters(dlq, bad);
        }
    }
}
