package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelJson;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.data.LabelledTransaction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoints of past releases, kept in {@code src/test/resources/savepoints/<name>/}, restore with today's code and
 * give the answers an uninterrupted computation gives.
 *
 * <p>Each was taken by its release on a fixed simulated workload: 4,000 transactions of 300 accounts at 600
 * terminals with their labels (seeded, so it can be made again), a champion and a shadow model published on the
 * control topic and live, the first half of the transactions and the labels known two days before its end produced
 * and processed, and the job stopped with a savepoint while transactions of the first half were held by the terminal
 * stage (its labels' watermark behind them). The savepoint holds every account's history, every terminal's
 * transactions and labels, the held transactions, the live models' control events and verified bytes, and the
 * sources' offsets; {@code kept.properties} says what made it, {@code outputs-before.txt.gz} which transactions it
 * had scored.
 *
 * <p>The test restores each on a new Kafka broker with the same input (the control events name artifacts deleted
 * right after they were published: the models must come from state), and checks every decision after the restore: each transaction
 * scored exactly once across the two runs, held ones included; the features exactly the trainer's (the same code,
 * uninterrupted, with the labels known at each transaction's time); the score and the shadow score exactly the
 * restored models' own on those features.
 *
 * <p>A release adds its savepoint with {@code mvn -pl fraud-job verify -Dit.test=KeptSavepointsIT
 * -Dfraud.savepoint.make=<release> -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false} (docs/upgrades.md).
 */
class KeptSavepointsIT {
    private static final long DAY = 86_400_000L;
    /** The workload of a kept savepoint made by this code (each savepoint's properties say its own). */
    private static final long SEED = 20_261_207L;
    private static final int TRANSACTIONS = 4_000;
    private static final String RUN = "kept";
    private static final String MAKE = "fraud.savepoint.make";

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    /** The transactions, their labels, and the event time that splits them into before and after the savepoint. */
    private record Workload(List<LabelledTransaction> txs, List<Label> labels, long split) {
        static Workload of(long seed, int n) {
            List<LabelledTransaction> txs = JobTestSupport.workload(seed, n);
            Random r = new Random(seed);
            List<Label> labels = new ArrayList<>();
            for (LabelledTransaction lt : txs) {
                if (r.nextDouble() < 0.9) { // the rest are never labelled
                    long at = lt.tx().eventTime + (long) (r.nextDouble() * 9 * DAY) + 1;
                    labels.add(Label.of(lt.tx(), lt.fraud(), at, at, "chargeback"));
                }
            }
            labels.sort(Comparator.comparingLong((Label l) -> l.labelledAt).thenComparing(l -> l.transactionId));
            return new Workload(txs, labels, txs.get(n / 2).tx().eventTime);
        }

        /** Labels produced before the savepoint: those known two days before the split, so the last days wait. */
        boolean before(Label l) {
            return l.labelledAt < split - 2 * DAY;
        }
    }

    /** The job's options: fixed topic names, group and transactional-id prefix (the savepoint holds them). */
    private static Configuration config(EmbeddedKafka kafka) throws Exception {
        Configuration c = JobTestSupport.jobConfig(kafka, RUN, false);
        // transactions held for labels stay held until the savepoint: labels silent this long (less than the lag of
        // 1 min minus the labels' out-of-orderness) before their watermark follows the transactions'
        c.set(JobOptions.LABELS_IDLENESS, Duration.ofSeconds(50));
        c.set(JobOptions.LABELS_MAX_WAIT, Duration.ofMinutes(30)); // only watermarks release transactions here
        return c;
    }

    /** The champion and the shadow, written under {@code dir}, published in this order (the same offsets each time). */
    private static void publishModels(EmbeddedKafka kafka, Configuration c, Path dir) throws Exception {
        JobTestSupport.publish(kafka, c, new ModelControl("kept-champion", "c2", ModelControl.CHAMPION,
                champion(dir).toString(), null));
        JobTestSupport.publish(kafka, c, new ModelControl("kept-shadow", "s1", ModelControl.SHADOW,
                shadow(dir).toString(), null));
    }

    private static URI champion(Path dir) throws Exception {
        return TestArtifacts.variant(dir.resolve("champion"), "kept-champion", "c2", "4E-1");
    }

    private static URI shadow(Path dir) throws Exception {
        return TestArtifacts.variant(dir.resolve("shadow"), "kept-shadow", "s1", "9E-1");
    }

    /** Sends the transactions (keyed by account) and labels (keyed by transaction) of one side of the savepoint. */
    private static void produce(EmbeddedKafka kafka, Configuration c, Workload w, boolean before) {
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            for (LabelledTransaction lt : w.txs()) {
                if ((lt.tx().eventTime < w.split()) == before) {
                    p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_TRANSACTIONS),
                            lt.tx().accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(lt.tx())));
                }
            }
            for (Label l : w.labels()) {
                if (w.before(l) == before) {
                    p.send(new ProducerRecord<>(c.get(JobOptions.TOPIC_LABELS),
                            l.transactionId.getBytes(StandardCharsets.UTF_8), LabelJson.write(l)));
                }
            }
        }
    }

    private static String id(ScoredTransaction s) {
        return s.accountId + "/" + s.transactionId;
    }

    private static JobClient start(Configuration c, String savepoint) throws Exception {
        return JobTestSupport.submit(c, savepoint, savepoint == null ? "kept-savepoint" : "kept-savepoint-restored");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // making one

    @Test
    @EnabledIfSystemProperty(named = MAKE, matches = "[A-Za-z0-9._-]+")
    void makeTheSavepointOfThisRelease() throws Exception {
        String name = System.getProperty(MAKE);
        Path target = Path.of("src/test/resources/savepoints").resolve(name);
        assertThat(target).as("a kept savepoint of that name").doesNotExist();
        Workload w = Workload.of(SEED, TRANSACTIONS);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("make-kafka"))) {
            Configuration c = config(kafka);
            JobClient job = start(c, null);
            Set<String> scored = new TreeSet<>();
            String savepoint;
            try (var status = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_MODEL_STATUS), false);
                    var out = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
                publishModels(kafka, c, tmp.resolve("make-models"));
                JobTestSupport.awaitStatus(status, "c2", ModelStatus.LIVE, JobTestSupport.PARALLELISM);
                produce(kafka, c, w, true);
                long produced = w.txs().stream().filter(lt -> lt.tx().eventTime < w.split()).count();
                // until the output stops growing: everything the terminal stage could release is out
                int last = -1;
                while (scored.size() != last) {
                    last = scored.size();
                    out.poll(Duration.ofSeconds(5), r -> scored.add(id(ScoredTransactionJson.read(r.value()))));
                }
                assertThat(scored.size()).as("transactions scored before the savepoint, of %d produced", produced)
                        .isPositive().isLessThan((int) produced);
                savepoint = job.stopWithSavepoint(false, tmp.resolve("made").toUri().toString(),
                        SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
                out.poll(Duration.ofSeconds(3), r -> scored.add(id(ScoredTransactionJson.read(r.value()))));
                System.out.printf("kept savepoint %s: %,d of %,d transactions scored, the rest held%n", name,
                        scored.size(), produced);
            }
            Path from = Path.of(URI.create(savepoint));
            Files.createDirectories(target.resolve("savepoint"));
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.copy(f, target.resolve("savepoint").resolve(f.getFileName()));
                }
            }
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(target.resolve("outputs-before.txt.gz")))) {
                o.write(String.join("\n", scored).getBytes(StandardCharsets.UTF_8));
            }
            Properties p = new Properties();
            p.setProperty("release", name);
            p.setProperty("made", Instant.now().toString());
            p.setProperty("seed", Long.toString(SEED));
            p.setProperty("transactions", Integer.toString(TRANSACTIONS));
            p.setProperty("scored-before", Integer.toString(scored.size()));
            try (OutputStream o = Files.newOutputStream(target.resolve("kept.properties"))) {
                p.store(o, "a savepoint kept for KeptSavepointsIT: the workload that made it");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // restoring every kept one

    @TestFactory
    Stream<DynamicTest> everyKeptSavepointRestoresAndScoresWhatAnUninterruptedRunScores(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        URL root = KeptSavepointsIT.class.getClassLoader().getResource("savepoints");
        assertThat(root).as("the kept savepoints (src/test/resources/savepoints)").isNotNull();
        List<Path> kept;
        try (Stream<Path> dirs = Files.list(Path.of(root.toURI()))) {
            kept = dirs.filter(d -> Files.exists(d.resolve("kept.properties"))).sorted().toList();
        }
        assertThat(kept).as("kept savepoints").isNotEmpty();
        return kept.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> restoreAndCheck(cluster, d)));
    }

    private static void restoreAndCheck(MiniCluster cluster, Path dir) throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("kept.properties"))) {
            p.load(in);
        }
        Workload w = Workload.of(Long.parseLong(p.getProperty("seed")), Integer.parseInt(p.getProperty("transactions")));
        Set<String> before = new HashSet<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("outputs-before.txt.gz")))) {
            before.addAll(List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")));
        }
        assertThat(before).hasSize(Integer.parseInt(p.getProperty("scored-before")));
        String name = dir.getFileName().toString();
        Path models = tmp.resolve(name + "-models");
        Map<String, ScoredTransaction> after = new HashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve(name + "-kafka"))) {
            Configuration c = config(kafka);
            publishModels(kafka, c, models); // the same offsets; the restored job reads past them
            deleteTree(models); // the models the control events name are gone: the restored job must take them from state
            produce(kafka, c, w, true);
            produce(kafka, c, w, false);
            JobClient job = start(c, dir.resolve("savepoint").toUri().toString());
            try (var out = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
                int expected = w.txs().size() - before.size();
                List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (records.size() < expected && System.nanoTime() < deadline) {
                    records.addAll(out.readUntil(expected, Duration.ofSeconds(2)));
                    // a savepoint this release cannot restore fails the job at once: say why instead of waiting
                    List<String> failures = JobTestSupport.failures(cluster, job.getJobID());
                    assertThat(failures).as("failures of the job restored from %s", name).isEmpty();
                }
                records.addAll(out.readUntil(expected + 1, Duration.ofSeconds(3))); // nothing more
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    ScoredTransaction s = ScoredTransactionJson.read(r.value());
                    assertThat(after.put(id(s), s)).as("scored twice after the restore: %s", id(s)).isNull();
                }
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }

        // each transaction once across the two runs; some of the first half come out only now: held in the savepoint
        Set<String> all = new HashSet<>();
        Set<String> firstHalf = new HashSet<>();
        for (LabelledTransaction lt : w.txs()) {
            all.add(lt.tx().accountId + "/" + lt.tx().transactionId);
            if (lt.tx().eventTime < w.split()) {
                firstHalf.add(lt.tx().accountId + "/" + lt.tx().transactionId);
            }
        }
        assertThat(after.keySet()).as("scored after the restore and before it").doesNotContainAnyElementsOf(before);
        Set<String> union = new HashSet<>(after.keySet());
        union.addAll(before);
        assertThat(union).as("every transaction scored, before the savepoint or after the restore").isEqualTo(all);
        long released = after.keySet().stream().filter(firstHalf::contains).count();
        assertThat(released).as("transactions held by the terminal stage in the savepoint, scored after the restore")
                .isPositive();

        // the trainer's features, uninterrupted, with every label as known at each transaction's time; the restored
        // models' scores
        FeatureTable expected = FeatureTable.compute(w.txs(), new AccountFeatures(),
                JobOptions.terminalFeatures(new Configuration()), w.labels(), w.txs().size());
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < expected.rows; i++) {
            row.put(expected.accounts[i] + "/" + expected.transactionIds[i], i);
        }
        ModelLoader loader = new ModelLoader();
        try (LoadedModel champion = loader.load(champion(tmp.resolve(name + "-oracle")), null);
                LoadedModel shadow = loader.load(shadow(tmp.resolve(name + "-oracle")), null)) {
            for (ScoredTransaction s : after.values()) {
                double[] input = champion.select(expected.features[row.get(id(s))]);
                assertThat(s.features).as("features of %s", id(s)).containsExactly(input);
                assertThat(s.modelVersion).as("champion of %s (restored from state)", id(s)).isEqualTo("c2");
                assertThat(s.score).as("score of %s", id(s)).isEqualTo(champion.scorer().score(input));
                assertThat(s.shadowVersion).as("shadow of %s (restored from state)", id(s)).isEqualTo("s1");
                assertThat(s.shadowScore).as("shadow score of %s", id(s))
                        .isEqualTo(shadow.scorer().score(shadow.select(expected.features[row.get(id(s))])));
                assertThat(s.decision).isEqualTo(s.score >= champion.threshold() ? ScoredTransaction.DECLINE
                        : s.score >= champion.reviewThreshold() ? ScoredTransaction.REVIEW : ScoredTransaction.APPROVE);
            }
        }
        System.out.printf("kept savepoint %s (%s): restored, %,d transactions scored after it (%,d of them held in it),"
                + " features and scores exact%n", name, p.getProperty("made"), after.size(), released);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        assertThat(dir).doesNotExist();
    }
}
