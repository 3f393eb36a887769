package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
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
final class JobTestSupport {
    static final int PARALLELISM = 2;

    private JobTestSupport() {}

    /** Two task managers with one slot per parallel instance each, RocksDB, checkpoints under {@code dir}. */
    static MiniClusterExtension miniCluster(java.util.function.Supplier<Path> dir) {
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
    static Configuration jobConfig(EmbeddedKafka kafka, String run, boolean bounded) throws Exception {
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(JobOptions.TOPIC_TRANSACTIONS, run + "-transactions");
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
    static List<LabelledTransaction> workload(long seed, int n) {
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

    /** Sends the transactions (keyed by account) with the bad events spread among them. */
    static void produce(EmbeddedKafka kafka, Configuration c, List<LabelledTransaction> txs, List<BadEvents.BadEvent> bad) {
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            int b = 0;
            for (int i = 0; i < txs.size(); i++) {
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

    /** Publishes a control event on the job's control topic, keyed by model name. */
    static void publish(EmbeddedKafka kafka, Configuration c, ModelControl event) {
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_MODEL_CONTROL),
                    event.model.getBytes(StandardCharsets.UTF_8), ModelControlJson.write(event)));
        }
    }
}
