package io.github.fraudflink.job;

import io.github.fraudflink.job.records.ParsedRecord;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.input.InputDeserializer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.local.HostileCorpus;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A generated hostile corpus ({@link HostileCorpus}, at least 1,000 messages of every category) mixed into good
 * traffic with identifier collisions (the same transaction_id on other accounts, in other partitions and subtasks,
 * within one checkpoint; exact repeats), on a real Kafka broker, a real PostgreSQL and a MiniCluster at parallelism
 * 2. Afterwards: the job never restarted; every transaction is once in Kafka (read_committed) and once in
 * PostgreSQL, with the same identities in both; every message the parser rejects is in the DLQ once with its
 * reason, within the producer's limits. The seed is printed; {@code -Dfraud.corpus-seed=N} replays a run.
 */
class HostileInputIT {
    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    @RegisterExtension
    static final RealServers SERVERS = new RealServers(() -> tmp);

    /** What one input must become: a scored transaction of this identity, or a dead letter with this reason. */
    private record Expected(String identity, String reason) {}

    @Test
    void aHostileCorpusNeverStopsScoringAndLosesNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        long seed = Long.getLong("fraud.corpus-seed", System.nanoTime());
        System.out.println("hostile corpus seed " + seed + " (replay with -Dfraud.corpus-seed=" + seed + ")");
        Configuration c = JobTestSupport.jobConfig(SERVERS.kafka(), "hostile", true);
        String url = SERVERS.pg().createDatabase("hostile");
        c.set(JobOptions.POSTGRES_URL, url);
        c.set(JobOptions.POSTGRES_USER, SERVERS.pg().user());
        String topic = c.get(JobOptions.TOPIC_TRANSACTIONS);
        keepForever(topic);

        // good traffic, the same transaction ids on other accounts, and exact repeats
        List<LabelledTransaction> good = JobTestSupport.workload(21, 3000);
        SplittableRandom r = new SplittableRandom(seed);
        List<ProducerRecord<byte[], byte[]>> input = new ArrayList<>();
        for (LabelledTransaction lt : good) {
            input.add(record(topic, lt.tx()));
        }
        for (int i = 0; i < 150; i++) {
            Transaction t = copy(good.get(r.nextInt(good.size())).tx());
            t.accountId = "collide-" + r.nextInt(40) + "-" + t.accountId; // another account, most likely another subtask
            input.add(record(topic, t));
        }
        for (int i = 0; i < 40; i++) {
            input.add(record(topic, good.get(r.nextInt(good.size())).tx())); // the same transaction again
        }
        long now = System.currentTimeMillis();
        List<HostileCorpus.Message> corpus = HostileCorpus.generate(seed, 1400, now);
        Map<String, Integer> categories = new TreeMap<>();
        for (HostileCorpus.Message m : corpus) {
            categories.merge(m.category(), 1, Integer::sum);
            input.add(new ProducerRecord<>(topic, m.key(), m.value()));
        }
        // valid transactions under implausible record timestamps (a producer's clock at 1970, or seconds as ms)
        for (int i = 0; i < 20; i++) {
            Transaction t = copy(good.get(r.nextInt(good.size())).tx());
            t.transactionId = "bad-clock-" + i;
            input.add(new ProducerRecord<>(topic, null, i % 2 == 0 ? (long) i : 1_700_000_000L + i,
                    t.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(t)));
        }
        categories.put("record-timestamp", 20);
        System.out.println("hostile corpus categories: " + categories);
        Collections.shuffle(input, new java.util.Random(seed)); // any interleaving of good and bad, per partition too

        // the outcome of each input, from the parser the job uses (the contract), at the time it is produced
        TransactionParser parser = new TransactionParser();
        Map<String, Integer> scoredIdentities = new HashMap<>(); // identity -> how many times it is sent
        Map<String, Integer> deadLetters = new HashMap<>();     // sha256 + reason -> how many
        try (KafkaProducer<byte[], byte[]> p = producer()) {
            for (ProducerRecord<byte[], byte[]> rec : input) {
                var sent = p.send(rec).get();
                InputDeserializer d = InputDeserializer.transactions(parser, JobOptions.DLQ_MAX_VALUE_BYTES.defaultValue());
                List<ParsedRecord> out = new ArrayList<>();
                d.deserialize(new ConsumerRecord<>(topic, sent.partition(), sent.offset(), sent.timestamp(),
                        org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, rec.key(), rec.value(),
                        new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty()),
                        new org.apache.flink.util.Collector<>() {
                            public void collect(ParsedRecord pr) { out.add(pr); }
                            public void close() {}
                        });
                assertThat(out).hasSize(1);
                if (out.get(0).transaction != null) {
                    scoredIdentities.merge(identity(out.get(0).transaction.accountId, out.get(0).transaction.transactionId), 1, Integer::sum);
                } else {
                    deadLetters.merge(out.get(0).deadLetter.valueSha256 + " " + out.get(0).deadLetter.reason, 1, Integer::sum);
                }
            }
        }
        int totalScored = scoredIdentities.values().stream().mapToInt(Integer::intValue).sum();
        int totalDead = deadLetters.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(totalDead).as("hostile messages rejected").isGreaterThanOrEqualTo(1000);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(env, c);
        JobID id = env.execute("hostile").getJobID();
        assertThat(JobTestSupport.failures(cluster, id)).as("hostile input made the job fail").isEmpty();

        // Kafka: every input transaction once (repeats flagged), every identity's first occurrence once
        Map<String, Integer> kafkaFirst = new HashMap<>();
        int repeats = 0;
        try (var scored = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false);
                var dlq = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_DLQ), false)) {
            List<ConsumerRecord<byte[], byte[]>> out = scored.readUntil(totalScored, Duration.ofSeconds(60));
            out.addAll(scored.readUntil(totalScored + 1, Duration.ofSeconds(2)));
            assertThat(out).hasSize(totalScored);
            for (ConsumerRecord<byte[], byte[]> rec : out) {
                ScoredTransaction s = ScoredTransactionJson.read(rec.value());
                if (s.duplicate) {
                    repeats++;
                } else {
                    kafkaFirst.merge(identity(s.accountId, s.transactionId), 1, Integer::sum);
                }
            }
            assertThat(kafkaFirst.keySet()).isEqualTo(scoredIdentities.keySet());
            assertThat(kafkaFirst.values()).allMatch(n -> n == 1);

            List<ConsumerRecord<byte[], byte[]>> dead = dlq.readUntil(totalDead, Duration.ofSeconds(60));
            dead.addAll(dlq.readUntil(totalDead + 1, Duration.ofSeconds(2)));
            Map<String, Integer> gotDead = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> rec : dead) {
                String sha = header(rec, "dlq.value-sha256");
                gotDead.merge(sha + " " + header(rec, "dlq.reason"), 1, Integer::sum);
                assertThat(header(rec, "dlq.message")).isNotBlank();
                assertThat(rec.value() == null ? 0 : rec.value().length).isLessThanOrEqualTo(JobOptions.DLQ_MAX_VALUE_BYTES.defaultValue());
                assertThat(rec.key() == null ? 0 : rec.key().length).isLessThanOrEqualTo(InputDeserializer.MAX_KEY_BYTES);
            }
            // not isEqualTo: AssertJ prints at most 1,000 entries of each map, so a missing entry showed up as
            // another "unexpected" one (the first entry past the cut)
            assertThat(gotDead).as("dead letters (sha256 + reason -> count)").containsExactlyInAnyOrderEntriesOf(deadLetters);
        }
        assertThat(repeats).isEqualTo(totalScored - scoredIdentities.size());
        assertThat(earliestOffsets(topic)).as("input the broker deleted before the job read it").allMatch(o -> o == 0);

        // PostgreSQL: exactly the identities Kafka has, once each; nothing left prepared
        Set<String> table = new HashSet<>();
        try (Connection conn = DriverManager.getConnection(url, SERVERS.pg().user(), null); Statement s = conn.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT account_id, transaction_id FROM scored_transactions")) {
                while (rs.next()) {
                    assertThat(table.add(identity(rs.getString(1), rs.getString(2)))).isTrue();
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_prepared_xacts")) {
                rs.next();
                assertThat(rs.getLong(1)).as("prepared transactions left").isZero();
            }
        }
        assertThat(table).isEqualTo(kafkaFirst.keySet());
        System.out.printf("hostile: %d inputs, %d scored (%d identities, %d repeats), %d dead letters of %d kinds%n",
                input.size(), totalScored, scoredIdentities.size(), repeats, totalDead,
                deadLetters.keySet().stream().map(k -> k.substring(k.indexOf(' ') + 1)).distinct().count());
    }

    /**
     * The bad-clock records are stamped 1970. Under the broker's time retention (7 days by default) a segment whose
     * records are all that old is deleted at the next retention check (30 s after the broker starts, then every
     * 5 min), and a segment whose first batch is that old is rolled at the next append (segment.ms counts from the
     * first batch's timestamp): a bad-clock record that is the first of its partition is deleted before the job
     * reads it, and reaches neither the scored topic nor the DLQ. This topic keeps everything.
     */
    private static void keepForever(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                    new AlterConfigOp(new ConfigEntry(TopicConfig.RETENTION_MS_CONFIG, "-1"), AlterConfigOp.OpType.SET))))
                    .all().get();
        }
    }

    /** The log start offset of every partition of {@code topic} (0 unless the broker deleted records). */
    private static List<Long> earliestOffsets(String topic) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> q.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest()));
            return admin.listOffsets(q).all().get().values().stream().map(i -> i.offset()).toList();
        }
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SERVERS.kafka().bootstrapServers());
        return Admin.create(p);
    }

    private static String identity(String account, String transaction) {
        return account + "\u0000" + transaction;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, Transaction t) {
        return new ProducerRecord<>(topic, t.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(t));
    }

    private static Transaction copy(Transaction t) {
        Transaction c = new Transaction(t.transactionId, t.accountId, t.eventTime, t.amount);
        c.terminalId = t.terminalId;
        return c;
    }

    /** A producer that can send the corpus' largest messages (the broker's default limit is 1 MiB + 12 bytes). */
    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SERVERS.kafka().bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2 * 1024 * 1024));
        return new KafkaProducer<>(p);
    }
}
