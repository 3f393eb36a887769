package io.github.fraudflink.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.JobTestSupport;
import io.github.fraudflink.job.ScoredTransaction;
import io.github.fraudflink.job.ScoredTransactionJson;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/flink-cluster.sh} for real: a standalone session cluster (JobManager and TaskManager as separate
 * JVMs from the Maven artifacts, flink-conf/config.yaml with ports and directories of its own) runs the shaded job
 * jar against the in-process Kafka broker of this test. The job scores the first half of a replay, a savepoint is
 * taken, the job is cancelled, the second half is produced and the jar is submitted again from the savepoint: every
 * transaction comes out once (read_committed), and the cluster's Prometheus endpoint carries the job's metrics.
 */
class StandaloneClusterIT {
    @TempDir
    static Path tmp;

    private static EmbeddedKafka kafka;
    private static Path conf;
    private static int restPort;
    private static int metricsPort;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        restPort = Repo.freePort();
        metricsPort = Repo.freePort();
        // the project's configuration, with this test's ports and directories
        conf = Files.createDirectories(tmp.resolve("conf"));
        String yaml = Files.readString(Repo.root().resolve("flink-conf/config.yaml"))
                .replace("port: 6123", "port: " + Repo.freePort())
                .replace("port: 8081", "port: " + restPort)
                .replace("port: 9249-9260", "port: " + metricsPort + "-" + (metricsPort + 3))
                .replace("file:///tmp/fraud-flink/", tmp.resolve("flink").toUri().toString());
        assertThat(yaml).doesNotContain("/tmp/fraud-flink").contains("port: " + restPort);
        Files.writeString(conf.resolve("config.yaml"), yaml);
        for (String f : new String[] {"log4j.properties", "log4j-console.properties"}) {
            Files.copy(Repo.root().resolve("flink-conf/" + f), conf.resolve(f));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            script(120, "stop");
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }


    /** Runs the script with this test's configuration; returns its standard output (the log goes to the test output). */
    private static String script(long timeoutSeconds, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", Repo.root().resolve("scripts/flink-cluster.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(Repo.root().toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        pb.environment().put("FLINK_CLUSTER_DIR", tmp.resolve("cluster").toString());
        pb.environment().put("FLINK_DIST", System.getProperty("flink.dist"));
        pb.environment().put("FLINK_REST_URL", "http://localhost:" + restPort);
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()); // this JDK
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("flink-cluster.sh %s finished", String.join(" ", args)).isTrue();
        assertThat(p.exitValue()).as("flink-cluster.sh %s: %s (logs in %s)", String.join(" ", args), out, tmp.resolve("cluster/log"))
                .isZero();
        return out;
    }

    private static String[] jobArgs(Configuration c) {
        List<String> args = new ArrayList<>(List.of("--"));
        for (var o : List.of(JobOptions.BOOTSTRAP_SERVERS, JobOptions.TOPIC_TRANSACTIONS, JobOptions.TOPIC_SCORED,
                JobOptions.TOPIC_DLQ, JobOptions.TOPIC_MODEL_CONTROL, JobOptions.TOPIC_MODEL_STATUS, JobOptions.GROUP_ID,
                JobOptions.TRANSACTIONAL_ID_PREFIX)) {
            args.add("--" + o.key());
            args.add(c.get(o));
        }
        args.addAll(List.of("--" + JobOptions.CHECKPOINT_INTERVAL.key(), "1s"));
        return args.toArray(String[]::new);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void submitSavepointCancelAndResubmitFromTheSavepoint() throws Exception {
        Configuration c = JobTestSupport.jobConfig(kafka, "cluster", false);
        List<LabelledTransaction> txs = JobTestSupport.workload(31, 6_000);
        script(300, "start");

        JobTestSupport.produce(kafka, c, txs.subList(0, 3_000), List.of());
        String first = script(180, concat(new String[] {"submit"}, jobArgs(c)));
        assertThat(first).as("job id").matches("[0-9a-f]{32}");
        Map<String, ScoredTransaction> out = new HashMap<>();
        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            collect(out, scored.readUntil(3_000, Duration.ofMinutes(3)));
            assertThat(out).as("first half scored on the cluster").hasSize(3_000);

            StringBuilder metrics = new StringBuilder(); // the JobManager's and the TaskManager's endpoints, in the range
            for (int port = metricsPort; port <= metricsPort + 3; port++) {
                try (var in = java.net.URI.create("http://localhost:" + port + "/metrics").toURL().openStream()) {
                    metrics.append(new String(in.readAllBytes()));
                } catch (java.io.IOException e) {
                    // no reporter on this port of the range
                }
            }
            assertThat(metrics.toString()).as("the cluster's Prometheus endpoints")
                    .contains("flink_jobmanager_job_lastCheckpointDuration")
                    .contains("flink_taskmanager_job_task_operator_fraud_events_in_total");

            String savepoint = script(180, "savepoint", first, tmp.resolve("savepoints").toUri().toString());
            assertThat(savepoint).as("savepoint path").startsWith("file:");
            script(120, "cancel", first);

            JobTestSupport.produce(kafka, c, txs.subList(3_000, txs.size()), List.of());
            String second = script(180, concat(new String[] {"submit", "-s", savepoint}, jobArgs(c)));
            assertThat(second).matches("[0-9a-f]{32}").isNotEqualTo(first);
            collect(out, scored.readUntil(txs.size(), Duration.ofMinutes(3)));
            collect(out, scored.readUntil(txs.size() + 1, Duration.ofSeconds(3))); // nothing more: no repeats
            assertThat(script(60, "list")).contains(second);
            script(120, "cancel", second);
        }
        assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(txs.stream().map(t -> t.tx().transactionId).toList());
        System.out.printf("standalone cluster: %d transactions scored once across savepoint, cancel and restore%n", out.size());
    }

    private static void collect(Map<String, ScoredTransaction> out, List<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ScoredTransaction s = ScoredTransactionJson.read(r.value());
            assertThat(out.put(s.transactionId, s)).as("%s scored twice", s.transactionId).isNull();
        }
    }
}
