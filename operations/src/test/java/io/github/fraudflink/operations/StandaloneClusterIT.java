package io.github.fraudflink.operations;

import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.JobTestSupport;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * transaction comes out once (read_committed), and the cluster's Prometheus endpoint carries the job's metrics. Then
 * the same jar's batch job scores the same transactions from a file, with the stream's answers.
 */
@HostTools.Needs(HostTools.Tool.CURL) // scripts/flink-cluster.sh waits for the REST API with it
class StandaloneClusterIT {
    @TempDir
    static Path tmp;

    private static EmbeddedKafka kafka;
    private static ClusterScript cluster;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        cluster = new ClusterScript(tmp, Map.of()); // the project's configuration, with this test's ports and directories
    }

    @AfterAll
    static void stop() throws Exception {
        Repo.closeAll(cluster, kafka);
    }

    /** Runs the script with this test's configuration; returns its standard output. */
    private static String script(long timeoutSeconds, String... args) throws Exception {
        return cluster.run(timeoutSeconds, args);
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
        String first = script(180, concat(new String[] {"submit"}, ClusterScript.jobArgs(c)));
        assertThat(first).as("job id").matches("[0-9a-f]{32}");
        Map<String, ScoredTransaction> out = new HashMap<>();
        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            collect(out, scored.readUntil(3_000, Duration.ofMinutes(3)));
            assertThat(out).as("first half scored on the cluster").hasSize(3_000);

            assertThat(cluster.metrics()).as("the cluster's Prometheus endpoints")
                    .contains("flink_jobmanager_job_lastCheckpointDuration")
                    .contains("flink_taskmanager_job_task_operator_fraud_events_in_total");

            String savepoint = script(180, "savepoint", first, tmp.resolve("savepoints").toUri().toString());
            assertThat(savepoint).as("savepoint path").startsWith("file:");
            script(120, "cancel", first);

            JobTestSupport.produce(kafka, c, txs.subList(3_000, txs.size()), List.of());
            String second = script(180, concat(new String[] {"submit", "-s", savepoint}, ClusterScript.jobArgs(c)));
            assertThat(second).matches("[0-9a-f]{32}").isNotEqualTo(first);
            collect(out, scored.readUntil(txs.size(), Duration.ofMinutes(3)));
            collect(out, scored.readUntil(txs.size() + 1, Duration.ofSeconds(3))); // nothing more: no repeats
            assertThat(script(60, "list")).contains(second);
            script(120, "cancel", second);
        }
        assertBatchJobGivesTheSameAnswers(txs, out);
        assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(txs.stream().map(t -> t.tx().transactionId).toList());
        System.out.printf("standalone cluster: %d transactions scored once across savepoint, cancel and restore%n", out.size());
    }

    /**
     * The same jar's batch job ({@code -c ...BatchScoringJob}) on the same cluster (its config.yaml checkpoints every
     * 2 s and uses RocksDB; batch execution needs neither): the same transactions from a file, without labels as the
     * stream had none, get the features and scores the streaming job gave them across its savepoint and restore.
     */
    private static void assertBatchJobGivesTheSameAnswers(List<LabelledTransaction> txs, Map<String, ScoredTransaction> stream)
            throws Exception {
        Path input = tmp.resolve("batch-input.jsonl");
        StringBuilder lines = new StringBuilder();
        for (LabelledTransaction lt : txs) {
            lines.append(new String(io.github.fraudflink.features.TransactionJson.write(lt.tx()),
                    java.nio.charset.StandardCharsets.UTF_8)).append('\n');
        }
        java.nio.file.Files.writeString(input, lines);
        Path scored = tmp.resolve("batch-scored.jsonl");
        String job = script(180, "submit", "-c", "io.github.fraudflink.job.batch.BatchScoringJob", "--",
                "--fraud.batch.input", input.toString(), "--fraud.batch.format", "job",
                "--fraud.batch.output", scored.toString(), "--fraud.batch.output-format", "jsonl");
        assertThat(job).as("batch job id").matches("[0-9a-f]{32}");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.URI status = java.net.URI.create("http://127.0.0.1:" + cluster.restPort + "/jobs/" + job);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String state = "";
        while (!state.equals("FINISHED") && System.nanoTime() < deadline) {
            Thread.sleep(500); // polling the cluster's REST API, with a deadline
            String body = http.send(java.net.http.HttpRequest.newBuilder(status).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            state = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED")) {
                String exceptions = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(status + "/exceptions"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                throw new AssertionError("the batch job " + state + ": " + exceptions);
            }
        }
        assertThat(state).as("the batch job's state").isEqualTo("FINISHED");
        List<String> rows = java.nio.file.Files.readAllLines(scored);
        assertThat(rows).hasSize(txs.size());
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String row : rows) {
            com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(row);
            o.put("ingest_time", "1970-01-01T00:00:00Z");
            ScoredTransaction b = ScoredTransactionJson.read(o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ScoredTransaction s = stream.get(b.transactionId);
            assertThat(b.features).as("features of %s", b.transactionId).containsExactly(s.features);
            assertThat(b.score).as("score of %s", b.transactionId).isEqualTo(s.score);
            assertThat(b.decision).isEqualTo(s.decision);
        }
        System.out.printf("standalone cluster: the batch job scored the %d transactions from a file as the stream did%n",
                rows.size());
    }

    private static void collect(Map<String, ScoredTransaction> out, List<ConsumerRecord<byte[], byte[]>> records) {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ScoredTransaction s = ScoredTransactionJson.read(r.value());
            assertThat(out.put(s.transactionId, s)).as("%s scored twice", s.transactionId).isNull();
        }
    }
}
