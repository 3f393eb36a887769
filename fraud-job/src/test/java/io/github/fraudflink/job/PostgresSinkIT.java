package io.github.fraudflink.job;

import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.sql.SchemaMigrator;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL sink with the whole job (real in-process Kafka, real PostgreSQL, MiniCluster with 2 task managers,
 * parallelism 2): N transactions in, exactly N rows in {@code scored_transactions} with the values of the Kafka
 * output (read_committed), repeats not written twice, prepared transactions left by an earlier run rolled back, none
 * left behind; and the same when a task manager is killed mid-stream.
 */
class PostgresSinkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The feature set of the shipped model, which scores here (the job computes {@link FeatureCatalog#SERVED}, a superset). */
    private static final FeatureCatalog.FeatureSet SHIPPED_SET = FeatureCatalog.ACCOUNT_TERMINAL_FRAUDS;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    @RegisterExtension
    static final RealServers SERVERS = new RealServers(() -> tmp);

    /** Job options on topics and a database of their own. */
    private static Configuration jobConfig(String run, boolean bounded) throws Exception {
        Configuration c = JobTestSupport.jobConfig(SERVERS.kafka(), run, bounded);
        // no labels stream (the sink is under test here; LabelsIT runs labels with failures): transactions never wait
        c.set(JobOptions.TOPIC_LABELS, "");
        c.set(JobOptions.POSTGRES_URL, SERVERS.pg().createDatabase(run));
        c.set(JobOptions.POSTGRES_USER, SERVERS.pg().user());
        return c;
    }

    /** One row of the table, as the test reads it back. */
    record Row(String accountId, double amount, long eventTime, double[] features, String featureSchema, double score,
            String decision, double threshold, String model, String modelVersion, double reviewThreshold, JsonNode reasons) {}

    private static Map<String, Row> readTable(String url) throws Exception {
        Map<String, Row> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, SERVERS.pg().user(), null); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT transaction_id, account_id, amount, event_time, features::text,"
                        + " feature_schema, score, decision, threshold, model, model_version, review_threshold, reasons::text"
                        + " FROM scored_transactions")) {
            while (r.next()) {
                JsonNode f = JSON.readTree(r.getString(5));
                // the model's features, named (jsonb keeps no key order: read them in the model's)
                List<String> names = new ArrayList<>();
                f.fieldNames().forEachRemaining(names::add);
                // the shipped model's set (account-terminal-v3): the job computes more (SERVED), the row holds the model's
                assertThat(names).containsExactlyInAnyOrderElementsOf(SHIPPED_SET.names());
                double[] features = SHIPPED_SET.names().stream().mapToDouble(n -> f.get(n).asDouble()).toArray();
                rows.put(r.getString(1), new Row(r.getString(2), r.getDouble(3),
                        r.getObject(4, OffsetDateTime.class).toInstant().toEpochMilli(), features, r.getString(6),
                        r.getDouble(7), r.getString(8), r.getDouble(9), r.getString(10), r.getString(11), r.getDouble(12),
                        r.getString(13) == null ? null : JSON.readTree(r.getString(13))));
            }
        }
        return rows;
    }

    private static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, SERVERS.pg().user(), null); Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Polls the committed row count until it reaches {@code expected} (or the time is up); returns the last count. */
    private static long awaitRows(String url, long expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long n = count(url, "SELECT count(*) FROM scored_transactions");
        while (n < expected && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200); // polling interval of an observable condition, not a wait for an event
            n = count(url, "SELECT count(*) FROM scored_transactions");
        }
        return n;
    }

    /** Leaves a prepared transaction {@code gid} that inserted a row for {@code tx}. */
    private static void prepareOrphan(String url, String gid, io.github.fraudflink.features.Transaction tx) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, SERVERS.pg().user(), null); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO scored_transactions (transaction_id, account_id, amount, event_time, ingest_time,"
                    + " scored_time, features, feature_schema, score, decision, threshold, model, model_version)"
                    + " VALUES ('" + tx.transactionId + "', '" + tx.accountId + "', 1, now(), now(), now(), '{}', 'x', -1, 'approve', 1,"
                    + " 'orphan', 'orphan')");
            s.execute("PREPARE TRANSACTION '" + gid + "'");
        }
    }

    private static long prepared(String url, String prefix) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, SERVERS.pg().user(), null);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_prepared_xacts WHERE starts_with(gid, ?)")) {
            s.setString(1, prefix + ":");
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * Exactly one row per transaction (the primary key holds it), each with the values of its first occurrence on
     * the Kafka topic.
     */
    private static void assertTableMatchesKafka(List<LabelledTransaction> txs, Map<String, Row> table,
            List<ConsumerRecord<byte[], byte[]>> kafkaOut) {
        Map<String, ScoredTransaction> first = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafkaOut) {
            ScoredTransaction s = ScoredTransactionJson.read(r.value());
            if (!s.duplicate) {
                assertThat(first.put(s.transactionId, s)).as("Kafka: a second first occurrence of %s", s.transactionId).isNull();
            }
        }
        assertThat(table).hasSize(txs.size());
        assertThat(table.keySet()).containsExactlyInAnyOrderElementsOf(first.keySet());
        for (Map.Entry<String, Row> e : table.entrySet()) {
            Row row = e.getValue();
            ScoredTransaction s = first.get(e.getKey());
            assertThat(row.features()).as("features of %s", e.getKey()).containsExactly(s.features);
            assertThat(row.score()).as("score of %s", e.getKey()).isEqualTo(s.score);
            assertThat(row.modelVersion()).isEqualTo(s.modelVersion);
            assertThat(row.model()).isEqualTo(s.model);
            assertThat(row.decision()).isEqualTo(s.decision);
            assertThat(row.threshold()).isEqualTo(s.threshold);
            assertThat(row.reviewThreshold()).isEqualTo(s.reviewThreshold);
            if (s.reasons == null) {
                assertThat(row.reasons()).as("reasons of %s", e.getKey()).isNull();
            } else { // jsonb gives the numbers as PostgreSQL's numeric text: compared as doubles
                assertThat(row.reasons()).as("reasons of %s", e.getKey()).hasSize(s.reasons.size());
                for (int i = 0; i < s.reasons.size(); i++) {
                    assertThat(row.reasons().get(i).get("feature").asText()).isEqualTo(s.reasons.features[i]);
                    assertThat(row.reasons().get(i).get("value").asDouble()).isEqualTo(s.reasons.values[i]);
                    assertThat(row.reasons().get(i).get("contribution").asDouble()).isEqualTo(s.reasons.contributions[i]);
                }
            }
            assertThat(row.accountId()).isEqualTo(s.accountId);
            assertThat(row.amount()).isEqualTo(s.amount);
            assertThat(row.eventTime()).isEqualTo(s.eventTime);
            assertThat(row.featureSchema()).isEqualTo(s.featureSchema).isEqualTo(SHIPPED_SET.id());
        }
    }

    @Test
    void everyTransactionOnceWithTheValuesOfTheKafkaOutputAndBadInputOnlyInTheDlq(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        long t0 = System.nanoTime();
        Configuration c = jobConfig("pg_bounded", true);
        String url = c.get(JobOptions.POSTGRES_URL);
        List<LabelledTransaction> txs = JobTestSupport.workload(11, 4000);
        // 25 transactions sent twice: the job scores the repeat again (duplicate=true on Kafka), the table keeps one row
        List<LabelledTransaction> input = new ArrayList<>(txs);
        for (int i = 0; i < 25; i++) {
            input.add(txs.get(1000 + 100 * i));
        }
        List<BadEvents.BadEvent> bad = BadEvents.corpus("pg");
        JobTestSupport.produce(SERVERS.kafka(), c, input, bad);
        // what a crashed earlier job with this prefix can leave: prepared transactions holding rows the job is about
        // to write (subtask 0, and subtask 3 of a run with more parallelism); and one of another prefix
        SchemaMigrator.migrate(url, SERVERS.pg().user(), null);
        prepareOrphan(url, "pg_bounded-pg:0123abcd:0:7", txs.get(0).tx());
        prepareOrphan(url, "pg_bounded-pg:0123abcd:3:2", txs.get(1).tx());
        prepareOrphan(url, "other-pg:0123abcd:0:1", new io.github.fraudflink.features.Transaction("not-in-the-workload", "orphan", 0, 1));

        // a start without a checkpoint refuses to roll back another job's transactions: a checkpoint may cover them
        StreamExecutionEnvironment refused = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(() -> FraudScoringJob.build(refused, c))
                .isInstanceOf(io.github.fraudflink.job.postgres.LeftoverTransactions.RefusedException.class)
                .hasMessageContaining("pg_bounded-pg:0123abcd:").hasMessageContaining("flink run -s");
        assertThat(prepared(url, "pg_bounded-pg")).isEqualTo(2);
        // the operator says that job is gone for good
        c.set(JobOptions.POSTGRES_ROLLBACK_FOREIGN_LEFTOVERS, true);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(env, c);
        JobID id = env.execute("pg-bounded").getJobID();
        assertThat(JobTestSupport.failures(cluster, id)).as("bad input made the job fail").isEmpty();

        try (var scored = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false);
                var dlq = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_DLQ), false)) {
            List<ConsumerRecord<byte[], byte[]>> out = scored.readUntil(input.size(), Duration.ofSeconds(30));
            out.addAll(scored.readUntil(input.size() + 1, Duration.ofSeconds(2)));
            assertThat(out).hasSize(input.size());
            assertThat(out).filteredOn(r -> ScoredTransactionJson.read(r.value()).duplicate).hasSize(25);
            assertTableMatchesKafka(txs, readTable(url), out);
            JobTestSupport.assertDeadLetters(dlq, bad);
        }
        assertThat(prepared(url, "pg_bounded-pg")).as("prepared transactions left (the orphans rolled back)").isZero();
        assertThat(prepared(url, "other-pg")).as("another job's prepared transaction is not touched").isOne();
        assertThat(io.github.fraudflink.job.postgres.PostgresSessions.rollbackAll(url, SERVERS.pg().user(), "other-pg")).isOne();
        System.out.printf("postgres bounded: %d rows in %.1f s%n", txs.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Throws once, inside the features task, at each of the armed transactions (the set is shared across restarts). */
    static final class FailAt implements org.apache.flink.api.common.functions.MapFunction<FeaturizedTransaction, FeaturizedTransaction> {
        private static final long serialVersionUID = 1L;
        static final Set<String> ARMED = ConcurrentHashMap.newKeySet();
        static final Set<String> FIRED = ConcurrentHashMap.newKeySet();

        @Override
        public FeaturizedTransaction map(FeaturizedTransaction f) {
            String id = f.transaction.transactionId;
            if (ARMED.contains(id) && FIRED.add(id)) {
                throw new IllegalStateException("injected failure at transaction " + id);
            }
            return f;
        }
    }

    /** Ends every connection of the sink to the database: its next statement fails, inside the sink writer. */
    private static int terminateSinkConnections(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, SERVERS.pg().user(), null); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND application_name = 'fraud-scoring' AND pid <> pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    /**
     * 100,000 transactions replayed while four failures hit the job at random points: two exceptions thrown in the
     * features task, the sink's PostgreSQL connections killed (which the sink survives by reconnecting, without a
     * restart), and the task managers killed. Afterwards Kafka
     * (read_committed) and PostgreSQL hold every transaction once, with the features and score an uninterrupted run
     * computes. {@code -Dfraud.failure-seed=N} repeats a run's failure points.
     */
    @Test
    void hundredThousandTransactionsThroughFourInjectedFailures(@InjectMiniCluster MiniCluster cluster) throws Exception {
        long t0 = System.nanoTime();
        long seed = Long.getLong("fraud.failure-seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        int n = 100_000;
        Configuration c = jobConfig("pg_failures", false);
        String url = c.get(JobOptions.POSTGRES_URL);
        String prefix = c.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-pg";
        List<LabelledTransaction> txs = JobTestSupport.workload(12, n);
        // the four failure points: two transactions whose scoring throws, and two committed-row counts at which the
        // database connections and then a task manager are killed (spread over the run, at least 10,000 apart)
        int[] at = new int[4];
        do {
            for (int i = 0; i < at.length; i++) {
                // within the first 60%: the job must still be running when the last one hits (it drains the rest
                // of the replay in a few seconds, and the killed connections no longer slow it down)
                at[i] = 5_000 + random.nextInt(n * 6 / 10 - 5_000);
            }
            java.util.Arrays.sort(at);
        } while (at[1] - at[0] < 10_000 || at[2] - at[1] < 10_000 || at[3] - at[2] < 10_000);
        List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
        java.util.Collections.shuffle(order, random);
        int exception1 = at[order.get(0)];
        int exception2 = at[order.get(1)];
        int killConnections = at[order.get(2)];
        int killTaskManager = at[order.get(3)];
        System.out.printf("failures (seed %d): exceptions at transactions %d and %d, PostgreSQL connections killed at"
                + " %d rows, task manager killed at %d rows%n", seed, exception1, exception2, killConnections, killTaskManager);
        FailAt.ARMED.clear();
        FailAt.FIRED.clear();
        FailAt.ARMED.add(txs.get(exception1).tx().transactionId);
        FailAt.ARMED.add(txs.get(exception2).tx().transactionId);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(env, c, featurized -> featurized.map(new FailAt()).name("fault injection"));
        JobClient job = env.executeAsync("pg-failures");
        try (var scored = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false);
                LoadedModel model = new ModelLoader().load(URI.create(JobOptions.MODEL_URI.defaultValue()), null)) {
            // the whole replay is produced while the failures happen
            // paced (about 25 s in all): the job is faster than the faults' polling, so a full-speed replay could be
            // committed before the first fault
            Thread load = new Thread(() -> JobTestSupport.produce(SERVERS.kafka(), c, txs, List.of(), 4_000));
            load.start();
            for (int rows : new int[] {Math.min(killConnections, killTaskManager), Math.max(killConnections, killTaskManager)}) {
                long before = awaitRows(url, rows, Duration.ofMinutes(3));
                assertThat(before).as("rows committed before the failure").isBetween((long) rows, n - 1L);
                if (rows == killConnections) {
                    // (if an exception's restart is under way, the sink connects again within seconds)
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                    while (terminateSinkConnections(url) == 0) {
                        assertThat(System.nanoTime()).as("no sink connection to kill").isLessThan(deadline);
                        TimeUnit.MILLISECONDS.sleep(100); // polling for the sink's connection, an observable condition
                    }
                    System.out.printf("  PostgreSQL connections killed at %,d rows%n", before);
                } else {
                    // both: after a restart the scheduler may have put every task of the job on one of them
                    cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
                    cluster.terminateTaskManager(1).get(30, TimeUnit.SECONDS);
                    System.out.printf("  task managers killed at %,d rows%n", before);
                    cluster.startTaskManager();
                    cluster.startTaskManager();
                }
            }
            load.join();

            assertThat(awaitRows(url, n, Duration.ofMinutes(5))).isEqualTo(n);
            List<ConsumerRecord<byte[], byte[]>> out = scored.readUntil(n, Duration.ofMinutes(2));
            out.addAll(scored.readUntil(n + 1, Duration.ofSeconds(3)));
            assertThat(FailAt.FIRED).as("both injected exceptions were thrown").hasSize(2);
            List<String> failures = JobTestSupport.failures(cluster, job.getJobID());
            failures.forEach(f -> System.out.println("  failure: " + f.lines().findFirst().orElse("")));
            assertThat(failures).as("failures recorded by the JobManager").hasSizeGreaterThanOrEqualTo(3);
            assertThat(failures).filteredOn(f -> f.contains("injected failure at transaction")).hasSize(2);
            // the sink reconnects and writes its open transaction again: killed connections cost no restart
            assertThat(failures).filteredOn(f -> f.contains("org.postgresql")).isEmpty();
            assertThat(failures).filteredOn(f -> f.contains("TaskExecutor") || f.contains("TaskManager")).isNotEmpty();
            assertThat(prepared(url, prefix)).as("prepared transactions left").isZero();
            JobTestSupport.assertExactlyTheExpectedOutputs(txs, out, model);
            assertTableMatchesKafka(txs, readTable(url), out);
            System.out.printf("failures: %,d transactions, %d failures, each once in Kafka and PostgreSQL with the"
                    + " uninterrupted values, in %.1f s%n", n, failures.size(), (System.nanoTime() - t0) / 1e9);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
            io.github.fraudflink.job.postgres.PostgresSessions.rollbackAll(url, SERVERS.pg().user(), prefix);
        }
    }

    /** Kafka output by transaction id (the first occurrence of each). */
    private static Map<String, ScoredTransaction> byId(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, ScoredTransaction> m = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ScoredTransaction s = ScoredTransactionJson.read(r.value());
            assertThat(m.put(s.transactionId, s)).as("duplicate output for %s", s.transactionId).isNull();
        }
        return m;
    }

    @Test
    void stoppedWithASavepointAndRestoredWritesWhatAnUninterruptedRunWrites() throws Exception {
        List<LabelledTransaction> txs = JobTestSupport.workload(13, 12_000);

        // the uninterrupted run
        Configuration a = jobConfig("det_a", true);
        JobTestSupport.produce(SERVERS.kafka(), a, txs, List.of());
        StreamExecutionEnvironment envA = StreamExecutionEnvironment.getExecutionEnvironment();
        envA.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(envA, a);
        envA.execute("det-a");
        Map<String, ScoredTransaction> kafkaA;
        try (var r = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), a.get(JobOptions.TOPIC_SCORED), false)) {
            kafkaA = byId(r.readUntil(txs.size(), Duration.ofSeconds(30)));
        }
        Map<String, Row> tableA = readTable(a.get(JobOptions.POSTGRES_URL));

        // the same input, stopped with a savepoint part-way and restored into a new job
        Configuration b = jobConfig("det_b", false);
        String urlB = b.get(JobOptions.POSTGRES_URL);
        JobTestSupport.produce(SERVERS.kafka(), b, txs.subList(0, 6_000), List.of());
        StreamExecutionEnvironment envB = StreamExecutionEnvironment.getExecutionEnvironment();
        envB.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(envB, b);
        JobClient first = envB.executeAsync("det-b");
        long atStop = awaitRows(urlB, 1_000, Duration.ofMinutes(2));
        String savepoint = first.stopWithSavepoint(false, tmp.resolve("det-savepoints").toUri().toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        long afterStop = count(urlB, "SELECT count(*) FROM scored_transactions");
        assertThat(afterStop).as("stopped part-way").isLessThan(txs.size());
        JobTestSupport.produce(SERVERS.kafka(), b, txs.subList(6_000, txs.size()), List.of()); // the replay goes on while it is stopped

        Configuration restore = new Configuration();
        restore.setString("execution.state-recovery.path", savepoint);
        StreamExecutionEnvironment envB2 = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        envB2.setParallelism(JobTestSupport.PARALLELISM);
        FraudScoringJob.build(envB2, b);
        JobClient second = envB2.executeAsync("det-b-restored");
        Map<String, ScoredTransaction> kafkaB;
        try {
            assertThat(awaitRows(urlB, txs.size(), Duration.ofMinutes(2))).isEqualTo(txs.size());
            try (var r = new KafkaIO.CommittedReader(SERVERS.kafka().bootstrapServers(), b.get(JobOptions.TOPIC_SCORED), false)) {
                List<ConsumerRecord<byte[], byte[]>> out = r.readUntil(txs.size(), Duration.ofMinutes(1));
                out.addAll(r.readUntil(txs.size() + 1, Duration.ofSeconds(3)));
                kafkaB = byId(out);
            }
        } finally {
            second.cancel().get(1, TimeUnit.MINUTES);
            io.github.fraudflink.job.postgres.PostgresSessions.rollbackAll(urlB, SERVERS.pg().user(), b.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-pg");
        }
        Map<String, Row> tableB = readTable(urlB);

        assertThat(kafkaB.keySet()).isEqualTo(kafkaA.keySet()).hasSize(txs.size());
        assertThat(tableB.keySet()).isEqualTo(tableA.keySet()).isEqualTo(kafkaA.keySet());
        for (String id : kafkaA.keySet()) {
            ScoredTransaction x = kafkaA.get(id);
            ScoredTransaction y = kafkaB.get(id);
            assertThat(y.features).as("features of %s", id).containsExactly(x.features);
            assertThat(y.score).as("score of %s", id).isEqualTo(x.score);
            assertThat(y.modelVersion).isEqualTo(x.modelVersion);
            assertThat(y.decision).isEqualTo(x.decision);
            Row ra = tableA.get(id);
            Row rb = tableB.get(id);
            assertThat(rb.features()).containsExactly(ra.features());
            assertThat(rb.score()).isEqualTo(ra.score());
            assertThat(rb.modelVersion()).isEqualTo(ra.modelVersion());
        }
        System.out.printf("determinism: stopped at %d (%d committed after the stop) of %d rows, restored, identical%n",
                atStop, afterStop, txs.size());
    }
}
