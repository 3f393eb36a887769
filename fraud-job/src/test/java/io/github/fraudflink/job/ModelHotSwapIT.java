package io.github.fraudflink.job;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.data.LabelledTransaction;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap on a running job (real Kafka, MiniCluster, parallelism 2): a new champion published while transactions
 * flow goes live on every instance with no event lost or duplicated, a bad model is rejected while the old one
 * keeps scoring, and after stop-with-savepoint and restore the swapped model scores from the first event.
 */
class ModelHotSwapIT {
    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    private static EmbeddedKafka kafka;
    private static ModelManifest defaults;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        defaults = TestArtifacts.defaultManifest();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static JobClient submit(Configuration c, String savepoint) throws Exception {
        return JobTestSupport.submit(c, savepoint, "hot-swap");
    }

    @Test
    void swapUnderLoadThenRejectABadModelThenRestoreFromASavepoint() throws Exception {
        Configuration c = JobTestSupport.jobConfig(kafka, "swap", false);
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), defaults.name(), "v2", "3E-1");
        URI broken = TestArtifacts.tampered(tmp.resolve("broken"));
        List<LabelledTransaction> txs = JobTestSupport.workload(5, 36_000);
        Map<String, ScoredTransaction> out = new HashMap<>();
        int duplicates = 0;

        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false);
                var status = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_MODEL_STATUS), false)) {
            JobClient job = submit(c, null);
            JobTestSupport.awaitStatus(status, defaults.version(), ModelStatus.LIVE, JobTestSupport.PARALLELISM);

            // transactions keep flowing while the new champion is published
            Thread load = new Thread(() -> JobTestSupport.produce(kafka, c, txs.subList(0, 12_000), List.of()));
            load.start();
            List<ConsumerRecord<byte[], byte[]>> got = scored.readUntil(3_000, Duration.ofMinutes(2));
            long published = System.currentTimeMillis();
            JobTestSupport.publish(kafka, c, new ModelControl(defaults.name(), "v2", ModelControl.CHAMPION, v2.toString(),
                    TestArtifacts.sha(v2)));
            List<ModelStatus> live = JobTestSupport.awaitStatus(status, "v2", ModelStatus.LIVE, JobTestSupport.PARALLELISM);
            long allLive = live.stream().filter(s -> "v2".equals(s.version)).mapToLong(s -> s.at).max().orElseThrow();
            load.join();
            got.addAll(scored.readUntil(12_000, Duration.ofMinutes(2)));

            // every kind of bad model is rejected by every instance; v2 keeps scoring
            Map<String, URI> badModels = new java.util.LinkedHashMap<>();
            badModels.put("file_checksum_mismatch", broken);
            badModels.put("unreachable", tmp.resolve("nowhere/manifest.json").toUri());
            badModels.put("schema_mismatch", TestArtifacts.wrongFeatures(tmp.resolve("wrong")));
            badModels.put("corrupt_model", TestArtifacts.corrupt(tmp.resolve("corrupt")));
            badModels.put("invalid_score", TestArtifacts.nanScores(tmp.resolve("nan")));
            for (Map.Entry<String, URI> bad : badModels.entrySet()) {
                String version = "bad-" + bad.getKey();
                JobTestSupport.publish(kafka, c, new ModelControl("bad-" + bad.getKey(), version, ModelControl.CHAMPION,
                        bad.getValue().toString(), null));
                List<ModelStatus> rejected = JobTestSupport.awaitStatus(status, version, ModelStatus.REJECTED, JobTestSupport.PARALLELISM);
                assertThat(rejected).filteredOn(s -> version.equals(s.version)).allSatisfy(s ->
                        assertThat(s.reason).isEqualTo(bad.getKey()));
            }
            JobTestSupport.produce(kafka, c, txs.subList(12_000, 24_000), List.of());
            got.addAll(scored.readUntil(24_000, Duration.ofMinutes(2)));

            for (ConsumerRecord<byte[], byte[]> r : got) {
                ScoredTransaction s = ScoredTransactionJson.read(r.value());
                duplicates += out.put(s.transactionId, s) == null ? 0 : 1;
            }
            assertThat(out).hasSize(24_000);
            assertThat(out.values()).extracting(s -> s.modelVersion).containsOnly(defaults.version(), "v2");
            assertThat(out.values()).filteredOn(s -> s.scoredTime > allLive)
                    .as("after every instance reported v2 live, nothing is scored by the old model")
                    .isNotEmpty().allSatisfy(s -> assertThat(s.modelVersion).isEqualTo("v2"));
            assertThat(out.values()).filteredOn(s -> s.modelVersion.equals(defaults.version())).isNotEmpty();
            for (int i = 12_000; i < 24_000; i++) {
                assertThat(out.get(txs.get(i).tx().transactionId).modelVersion).as("after the rejection").isEqualTo("v2");
            }
            System.out.printf("hot swap: published -> live on all %d instances in %d ms%n",
                    JobTestSupport.PARALLELISM, allLive - published);

            // stop with a savepoint, restore: v2 is live before the first event
            String savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            JobClient restored = submit(c, savepoint);
            try {
                List<ModelStatus> afterRestore = JobTestSupport.awaitStatus(status, "v2", ModelStatus.LIVE, JobTestSupport.PARALLELISM);
                assertThat(afterRestore).filteredOn(s -> "v2".equals(s.version)).extracting(s -> s.cause).containsOnly("restore");
                JobTestSupport.produce(kafka, c, txs.subList(24_000, 30_000), List.of());
                for (ConsumerRecord<byte[], byte[]> r : scored.readUntil(30_000, Duration.ofMinutes(2))) {
                    ScoredTransaction s = ScoredTransactionJson.read(r.value());
                    duplicates += out.put(s.transactionId, s) == null ? 0 : 1;
                    assertThat(s.modelVersion).as("scored after the restore").isEqualTo("v2");
                }

                // a shadow scores every event alongside and never decides
                URI challenger = TestArtifacts.variant(tmp.resolve("challenger"), "challenger", "c1", "9E-1");
                JobTestSupport.publish(kafka, c, new ModelControl("challenger", "c1", ModelControl.SHADOW, challenger.toString(), null));
                JobTestSupport.awaitStatus(status, "c1", ModelStatus.LIVE, JobTestSupport.PARALLELISM);
                JobTestSupport.produce(kafka, c, txs.subList(30_000, txs.size()), List.of());
                int shadowed = 0;
                int shadowWouldDecline = 0;
                try (var v2Model = new io.github.fraudflink.model.ModelLoader().load(v2, null)) {
                    for (ConsumerRecord<byte[], byte[]> r : scored.readUntil(txs.size(), Duration.ofMinutes(2))) {
                        ScoredTransaction s = ScoredTransactionJson.read(r.value());
                        duplicates += out.put(s.transactionId, s) == null ? 0 : 1;
                        assertThat(s.modelVersion).isEqualTo("v2");
                        assertThat(s.score).isEqualTo(v2Model.scorer().score(s.features));
                        assertThat(s.decision).isEqualTo(s.score >= v2Model.threshold() ? "decline" : s.score >= v2Model.reviewThreshold() ? "review" : "approve");
                        if (s.shadowModel != null) {
                            shadowed++;
                            assertThat(s.shadowVersion).isEqualTo("c1");
                            shadowWouldDecline += s.shadowScore >= v2Model.threshold() && s.score < v2Model.threshold() ? 1 : 0;
                        }
                    }
                }
                assertThat(shadowed).as("events scored after the shadow went live everywhere carry its score")
                        .isEqualTo(txs.size() - 30_000);
                assertThat(shadowWouldDecline).as("the shadow disagrees on some events, and the champion decides").isPositive();
            } finally {
                restored.cancel().get(1, TimeUnit.MINUTES);
            }
        }
        assertThat(duplicates).isZero();
        assertThat(out).hasSize(txs.size());
    }
}
