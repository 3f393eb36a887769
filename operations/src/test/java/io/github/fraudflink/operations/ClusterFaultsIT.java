package io.github.fraudflink.operations;

import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.JobTestSupport;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.TopicSetup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.LabelledTransaction;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on a real cluster while traffic flows, with the recommended production topology: two jobs of the job jar on the
 * standalone cluster of {@code scripts/flink-cluster.sh} (the project's flink-conf/, so its restart strategy, and its
 * two TaskManagers, one a standby, with 4 task slots each so that both jobs fit on one). {@code FraudScoringJob} writes its decisions to Kafka only (no
 * {@code fraud.postgres.url}); {@code PostgresLoaderJob} (submitted with {@code -c}, its own transactional-id prefix)
 * reads the scored topic {@code read_committed} and writes {@code scored_transactions} exactly once. A Kafka broker
 * runs in a JVM of its own and a PostgreSQL 15 server in processes of its own, everything on 127.0.0.1. A producer sends
 * transactions at a steady rate throughout; in sequence, the TaskManager that runs the scoring job's decisions is
 * killed ({@code kill -9}; the tasks it ran must restart on the standby) and a new one started 2 s later, PostgreSQL is stopped ({@code pg_ctl stop -m immediate}) for 20 s and
 * started, the broker is killed for 20 s and started on the same data and port. After each fault the test waits until
 * both jobs are RUNNING with every task running, transactions that came in after the fault ended are committed in both
 * sinks, both sinks have caught up, and neither job has restarted for 10 s.
 *
 * <p>The point of the split: while the database is down the scoring job does not restart and keeps committing
 * decisions to Kafka (asserted: no restart, every task running throughout, and at least {@code RATE x (outage - Kafka
 * lag bound)} decisions committed on the scored topic during the outage); only the loader waits, and it catches up when
 * the database is back.
 *
 * <p>Afterwards every produced transaction is once on the scored topic ({@code read_committed}) and once in
 * {@code scored_transactions} (counted by {@code (account_id, transaction_id)}), both jobs are RUNNING, and once both
 * are stopped with a savepoint no prepared transaction is left. It prints, per fault and per job, the restarts it cost
 * (Flink's {@code numRestarts} on the JobManager's Prometheus endpoint, what the restart alerts read), the time to
 * RUNNING, to the next output (Kafka for the scoring job, a PostgreSQL row for the loader) and to caught up, and the
 * decisions committed to Kafka while the fault lasted (their number, rate and latency).
 */
@HostTools.Needs({HostTools.Tool.POSTGRESQL_15, HostTools.Tool.CURL})
class ClusterFaultsIT {
    /** Transactions per second, steady, for the whole run. */
    private static final int RATE = 200;
    /**
     * Kafka caught up: every transaction produced this long ago or earlier is committed on the scored topic (in steady
     * state output waits for the next checkpoint: interval 2 s, a checkpoint's duration, a minimum pause of 1 s).
     */
    private static final long LAG_BOUND_MS = 8_000;
    /**
     * PostgreSQL caught up: the table holds at least as many rows as there are transactions produced this long ago or
     * earlier (the loader's own checkpoint comes on top of the scoring job's).
     */
    private static final long PG_LAG_BOUND_MS = 12_000;
    private static final long OUTAGE_MS = 20_000;
    /** A TaskManager is started in place of the lost one this long after the loss (a supervisor restarting it). */
    private static final long REPLACEMENT_AFTER_MS = 2_000;
    /** Recovered: both jobs running with every task, caught up, no restart and no task down for this long. */
    private static final long STABLE_MS = 10_000;
    private static final long RECOVERY_TIMEOUT_MS = 180_000;
    private static final long SAMPLE_MS = 250;
    /**
     * Both jobs fit on one TaskManager (each takes as many slots as its parallelism, 2, config.yaml's), so the
     * script's standby can take over all the tasks of a lost one.
     */
    private static final int SLOTS = 4;
    private static final String SCORING = "fraud-scoring";
    private static final String LOADER = "fraud-postgres-loader";
    private static final String LOADER_CLASS = "io.github.fraudflink.job.PostgresLoaderJob";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the cluster's, the broker's logs
    static Path tmp;

    private static final String DB_PASSWORD = "pw-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static PostgresServer pg;
    private static KafkaBrokerProcess kafka;
    private static ClusterScript cluster;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start(Path.of(System.getProperty("java.io.tmpdir")), "su-" + UUID.randomUUID());
        pg.createDatabase("fraud", "fraud", DB_PASSWORD);
        kafka = KafkaBrokerProcess.start(tmp.resolve("kafka"));
        // the loader's password reaches the client (schema migration) and every TaskManager through the environment;
        // the REST API's job details are cached for 3 s by default: 500 ms for finer recovery times
        cluster = new ClusterScript(tmp, SLOTS, Map.of("FRAUD_POSTGRES_PASSWORD", DB_PASSWORD), "web.refresh-interval: 500 ms");
    }

    @AfterAll
    static void stop() throws Exception {
        Repo.closeAll(cluster, kafka, pg);
    }

    /**
     * One look at the system, taken every {@value #SAMPLE_MS} ms. A lag is the age of the oldest transaction not yet
     * committed in that sink (0: none); PostgreSQL's by count, the age of the transaction whose rank is the number of
     * rows (its figures stay those of the last answer while it is down).
     */
    record Sample(long at, boolean scoringRunning, boolean loaderRunning, long kafkaLag, long pgLag, long pgRows,
            long pgMaxIngest, long scoringRestarts, long loaderRestarts) {
        boolean kafkaCaughtUp() {
            return kafkaLag <= LAG_BOUND_MS;
        }

        boolean pgCaughtUp() {
            return pgLag <= PG_LAG_BOUND_MS;
        }
    }

    /** A fault: when it was injected, when it ended (the replacement up, the server back), and the wait after it. */
    static final class Fault {
        final String name;
        long injected;
        long ended;
        long recovered;
        boolean timedOut;
        long scoringRestarts;
        long loaderRestarts;

        Fault(String name) {
            this.name = name;
        }
    }

    // the workload and what became of each transaction (index = production order)
    private List<LabelledTransaction> txs;
    private final Map<String, Integer> index = new HashMap<>();
    private AtomicLongArray producedAt;
    private AtomicLongArray seenAt;
    private final AtomicInteger produced = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final List<Sample> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean stopProducing = new AtomicBoolean();
    private final AtomicBoolean stopWatching = new AtomicBoolean();
    private volatile int frontier; // lowest index not yet seen on the scored topic
    private volatile String scoringId;
    private volatile String loaderId;
    private volatile int jobManagerMetricsPort = -1;

    private static String key(String accountId, String transactionId) {
        return accountId + "\u0000" + transactionId;
    }

    @Test
    void scoringKeepsDecidingThroughTheDatabaseOutageAndBothSinksGetEveryTransactionOnce() throws Exception {
        long t0 = System.currentTimeMillis();
        txs = JobTestSupport.workload(47, RATE * 600); // more than a run produces
        for (int i = 0; i < txs.size(); i++) {
            var tx = txs.get(i).tx();
            assertThat(index.put(key(tx.accountId, tx.transactionId), i)).as("identity of %s", tx.transactionId).isNull();
        }
        producedAt = new AtomicLongArray(txs.size());
        seenAt = new AtomicLongArray(txs.size());

        // the scoring job: Kafka only
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(JobOptions.TOPIC_TRANSACTIONS, "faults-transactions");
        c.set(JobOptions.TOPIC_SCORED, "faults-scored");
        c.set(JobOptions.TOPIC_DLQ, "faults-dlq");
        c.set(JobOptions.TOPIC_MODEL_CONTROL, "faults-model-control");
        c.set(JobOptions.TOPIC_MODEL_STATUS, "faults-model-status");
        c.set(JobOptions.GROUP_ID, "faults");
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "faults");
        TopicSetup.ensureTopics(c, 4);
        // the loader: the same topics, the database, a transactional-id prefix of its own
        Configuration loader = new Configuration(c);
        loader.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "faults-loader");
        loader.set(JobOptions.POSTGRES_URL, pg.jdbcUrl("fraud"));
        loader.set(JobOptions.POSTGRES_USER, "fraud");

        cluster.run(300, "start");
        List<String> submit = new ArrayList<>(List.of("submit"));
        submit.addAll(List.of(ClusterScript.jobArgs(c)));
        scoringId = cluster.run(300, submit.toArray(String[]::new));
        assertThat(scoringId).as("scoring job id").matches("[0-9a-f]{32}");
        submit = new ArrayList<>(List.of("submit", "-c", LOADER_CLASS));
        submit.addAll(List.of(ClusterScript.jobArgs(loader)));
        loaderId = cluster.run(300, submit.toArray(String[]::new));
        assertThat(loaderId).as("loader job id").matches("[0-9a-f]{32}").isNotEqualTo(scoringId);
        long setUp = System.currentTimeMillis() - t0;

        Thread producer = thread("producer", () -> produce(c));
        Thread consumer = thread("scored-reader", () -> consume(c));
        Thread watcher = thread("watcher", this::watch);
        try {
            faultsAndChecks(c, t0, setUp, producer, consumer, watcher);
        } finally {
            stopProducing.set(true);
            stopWatching.set(true);
        }
    }

    /** The faults in sequence, the figures of each, then the checks of both sinks and of both jobs. */
    private void faultsAndChecks(Configuration c, long t0, long setUp, Thread producer, Thread consumer, Thread watcher)
            throws Exception {
        List<Fault> faults = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        Sample atStart = null;
        try {
            // steady state first
            Fault warmUp = new Fault("warm-up");
            warmUp.injected = warmUp.ended = System.currentTimeMillis();
            awaitRecovery(warmUp);
            assertThat(warmUp.timedOut).as("both jobs run, score and load before any fault (logs in %s)", cluster.logs())
                    .isFalse();
            atStart = last();
            // the live-quality monitor (the loader's) read PostgreSQL on its first try: on a cluster DriverManager does
            // not see the driver in the user-code class loader ("No suitable driver found", retried 30 s later)
            Matcher failures = LIVE_QUALITY_FAILURES.matcher(cluster.metrics());
            List<Double> failed = new ArrayList<>();
            while (failures.find()) {
                failed.add(Double.parseDouble(failures.group(1)));
            }
            assertThat(failed).as("fraud_live_quality_refresh_failures_total of the running jobs").isNotEmpty()
                    .allSatisfy(v -> assertThat(v).isZero());
            long steady = System.currentTimeMillis();
            report.append(String.format("steady state: Kafka %s; %s%n", latencies(warmUp.ended, steady),
                    lags(warmUp.recovered - STABLE_MS, steady)));

            // the TaskManager that runs the scoring job's decisions is killed; the script's standby takes its tasks
            // over; a new TaskManager is started 2 s after the loss (a supervisor restarting it) and becomes the standby
            Set<String> before = taskManagerIds();
            assertThat(before).as("TaskManagers of the cluster: the one that runs the jobs and a standby").hasSize(2);
            String killed = scoringTaskManagers().iterator().next();
            faults.add(inject("TaskManager kill -9, new one 2 s later", () -> {
                ProcessHandle taskManager = ProcessHandle.of(cluster.taskManagerPid(killed)).orElseThrow();
                taskManager.destroyForcibly(); // SIGKILL
                taskManager.onExit().get(30, TimeUnit.SECONDS);
            }, REPLACEMENT_AFTER_MS, () -> cluster.run(180, "start-taskmanager")));
            Set<String> took = scoringTaskManagers();
            report.append(String.format("TaskManager lost: %s (it ran scoring tasks); they run on %s now%n", killed, took));
            assertThat(took).as("where the scoring job's decisions run after the loss of %s: the standby, which was"
                    + " there before the loss (%s), not the TaskManager started in place of the lost one", killed, before)
                    .isSubsetOf(before).doesNotContain(killed);
            faults.add(inject("PostgreSQL stop -m immediate, 20 s down", pg::stopImmediately, OUTAGE_MS, pg::start));
            faults.add(inject("Kafka broker kill -9, 20 s down", kafka::kill, OUTAGE_MS, kafka::start));

            assertThat(producer.isAlive()).as("the producer still had transactions to send at the last fault").isTrue();
        } finally {
            stopProducing.set(true);
            producer.join(TimeUnit.MINUTES.toMillis(3));
            report.append(figures(faults));
            System.out.print(report);
        }
        int n = produced.get();
        long producing = producedAt.get(n - 1) - producedAt.get(0);

        // every produced transaction reaches both sinks; then both jobs still run with all their tasks
        await("every transaction committed on the scored topic", 180_000, () -> frontier >= n);
        await("every transaction committed in PostgreSQL", 180_000, () -> last().pgRows() >= n);
        TimeUnit.SECONDS.sleep(3); // a few more checkpoints: anything written twice would show now
        for (String id : List.of(scoringId, loaderId)) {
            JsonNode job = json("/jobs/" + id);
            assertThat(job.path("state").asText()).as("state of %s after the faults", job.path("name")).isEqualTo("RUNNING");
            assertThat(allTasksRunning(job)).as("every task of %s running: %s", job.path("name"), job.path("vertices")).isTrue();
        }
        Map<String, Long> restarts = jobRestarts();
        stopWatching.set(true);
        watcher.join();
        consumer.join();

        // Kafka, read again from the start with read_committed: each transaction once, nothing else
        Map<String, Integer> onTopic = new HashMap<>();
        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(scored.readUntil(n, Duration.ofMinutes(1)));
            records.addAll(scored.readUntil(n + 1, Duration.ofSeconds(5))); // nothing more: no repeats
            for (ConsumerRecord<byte[], byte[]> r : records) {
                ScoredTransaction s = ScoredTransactionJson.read(r.value());
                onTopic.merge(key(s.accountId, s.transactionId), 1, Integer::sum);
            }
        }
        // PostgreSQL: each (account_id, transaction_id) once, none marked as written again
        Map<String, Integer> inTable = new HashMap<>();
        long markedDuplicate;
        try (Connection db = fraudDb(); Statement s = db.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT account_id, transaction_id, count(*) FROM scored_transactions GROUP BY 1, 2")) {
                while (r.next()) {
                    inTable.put(key(r.getString(1), r.getString(2)), r.getInt(3));
                }
            }
            // schema V1 flags a row written again (ON CONFLICT ... SET duplicate = true); V2 drops the column
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM information_schema.columns"
                    + " WHERE table_name = 'scored_transactions' AND column_name = 'duplicate'")) {
                r.next();
                markedDuplicate = 0;
                if (r.getLong(1) > 0) {
                    try (Statement q = db.createStatement();
                            ResultSet d = q.executeQuery("SELECT count(*) FROM scored_transactions WHERE duplicate")) {
                        d.next();
                        markedDuplicate = d.getLong(1);
                    }
                }
            }
        }
        // both stopped with a savepoint, the scoring job first: the last prepared transactions are committed, none is
        // left behind
        String scoringSavepoint = cluster.run(300, "stop-job", scoringId, tmp.resolve("savepoints").toUri().toString());
        String loaderSavepoint = cluster.run(300, "stop-job", loaderId, tmp.resolve("savepoints").toUri().toString());
        long prepared;
        try (Connection db = fraudDb(); Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM pg_prepared_xacts")) {
            r.next();
            prepared = r.getLong(1);
        }
        long inTableAfterStop;
        try (Connection db = fraudDb(); Statement s = db.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM scored_transactions")) {
            r.next();
            inTableAfterStop = r.getLong(1);
        }

        System.out.printf("cluster faults: %,d transactions at %d/s over %.0f s; job restarts in all: scoring %d,"
                + " loader %d (%d, %d before the first fault); savepoints %s, %s; %d prepared transactions left;"
                + " run %.0f s (set-up %.0f s)%n", n, RATE, producing / 1e3, restarts.get(scoringId),
                restarts.get(loaderId), atStart == null ? -1 : atStart.scoringRestarts(),
                atStart == null ? -1 : atStart.loaderRestarts(), scoringSavepoint, loaderSavepoint, prepared,
                (System.currentTimeMillis() - t0) / 1e3, setUp / 1e3);
        List<String> expected = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            var tx = txs.get(i).tx();
            expected.add(key(tx.accountId, tx.transactionId));
        }
        assertThat(problems).as("producer, reader and watcher problems").isEmpty();
        assertThat(faults).as("faults the jobs did not recover from within %d s", RECOVERY_TIMEOUT_MS / 1000)
                .noneMatch(f -> f.timedOut);
        Fault taskManager = faults.get(0);
        assertThat(taskManager.scoringRestarts).as("scoring job restarts after the TaskManager's loss in"
                + " flink_jobmanager_job_numRestarts, the series of the restart alerts").isPositive();
        assertThat(taskManager.loaderRestarts).as("loader restarts after the TaskManager's loss").isPositive();
        // the point of the loader: the database outage does not reach the decisions
        Fault database = faults.get(1);
        List<Sample> outage = window(database.injected, database.ended);
        assertThat(database.scoringRestarts).as("scoring job restarts while PostgreSQL was down").isZero();
        assertThat(outage).as("samples while PostgreSQL was down").hasSizeGreaterThan(10)
                .allMatch(Sample::scoringRunning, "the scoring job RUNNING with every task");
        assertThat(committedBetween(database.injected, database.ended))
                .as("decisions committed on the scored topic while PostgreSQL was down")
                .isGreaterThanOrEqualTo((int) (RATE * (OUTAGE_MS - LAG_BOUND_MS) / 1000));
        assertThat(onTopic.keySet()).as("scored topic (read_committed)").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(onTopic.entrySet()).as("scored topic: transactions there more than once")
                .filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(inTable.keySet()).as("scored_transactions").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(inTable.entrySet()).as("scored_transactions: rows there more than once")
                .filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(markedDuplicate).as("rows the sink wrote a second time (duplicate = true)").isZero();
        assertThat(inTableAfterStop).as("rows after the stops with a savepoint").isEqualTo(n);
        assertThat(prepared).as("prepared transactions left after the stops with a savepoint (pg_prepared_xacts)").isZero();
        assertThat(List.of(scoringSavepoint, loaderSavepoint)).allMatch(p -> p.startsWith("file:"), "savepoint paths");
    }

    /** Injects a fault, leaves it for {@code downMs}, repairs it and waits for the job to recover. */
    private Fault inject(String name, ThrowingRunnable fault, long downMs, ThrowingRunnable repair) throws Exception {
        Fault f = new Fault(name);
        f.injected = System.currentTimeMillis();
        fault.run();
        TimeUnit.MILLISECONDS.sleep(downMs - (System.currentTimeMillis() - f.injected)); // the outage itself
        repair.run();
        f.ended = System.currentTimeMillis();
        awaitRecovery(f);
        return f;
    }

    private Thread thread(String name, ThrowingRunnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                problems.add(name + ": " + e);
                e.printStackTrace();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Sends the workload at {@value #RATE} per second until told to stop; each record's timestamp is its send time. */
    private void produce(Configuration c) throws Exception {
        String topic = c.get(JobOptions.TOPIC_TRANSACTIONS);
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(kafka.bootstrapServers())) {
            long start = System.nanoTime();
            for (int i = 0; i < txs.size() && !stopProducing.get(); i++) {
                long due = start + i * 1_000_000_000L / RATE;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the steady rate
                }
                var tx = txs.get(i).tx();
                long now = System.currentTimeMillis();
                producedAt.set(i, now);
                int at = i;
                p.send(new ProducerRecord<>(topic, null, now, tx.accountId.getBytes(StandardCharsets.UTF_8),
                        TransactionJson.write(tx)), (meta, e) -> {
                            if (e != null) {
                                problems.add("transaction " + at + " not produced: " + e);
                            }
                        });
                produced.set(i + 1);
            }
            p.flush();
        }
    }

    /** Follows the scored topic (read_committed) and notes when each transaction is first seen. */
    private void consume(Configuration c) {
        try (var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false)) {
            while (!stopWatching.get()) {
                scored.poll(Duration.ofMillis(200), r -> {
                    long now = System.currentTimeMillis();
                    ScoredTransaction s = ScoredTransactionJson.read(r.value());
                    Integer i = index.get(key(s.accountId, s.transactionId));
                    if (i == null) {
                        problems.add("scored a transaction that was not produced: " + s.transactionId);
                    } else {
                        seenAt.compareAndSet(i, 0, now); // the first sighting; repeats are counted at the end
                    }
                });
                int f = frontier;
                while (f < produced.get() && seenAt.get(f) != 0) {
                    f++;
                }
                frontier = f;
            }
        }
    }

    /**
     * Samples both jobs' states and restarts, the table and both sinks' lags every {@value #SAMPLE_MS} ms.
     */
    private void watch() throws Exception {
        Connection db = null;
        long pgRows = 0;
        long pgMaxIngest = 0;
        while (!stopWatching.get()) {
            long now = System.currentTimeMillis();
            boolean scoringRunning = running(scoringId);
            boolean loaderRunning = running(loaderId);
            try {
                if (db == null) {
                    db = fraudDb();
                }
                try (Statement s = db.createStatement();
                        ResultSet r = s.executeQuery("SELECT count(*), max(ingest_time) FROM scored_transactions")) {
                    r.next();
                    pgRows = r.getLong(1);
                    pgMaxIngest = r.getTimestamp(2) == null ? 0 : r.getTimestamp(2).getTime();
                }
            } catch (SQLException e) {
                close(db); // the database is down (or just came back): the last figures stand, reconnect next time
                db = null;
            }
            int p = produced.get();
            int f = frontier;
            long kafkaLag = f >= p ? 0 : Math.max(0, now - producedAt.get(f));
            long pgLag = pgRows >= p ? 0 : Math.max(0, now - producedAt.get((int) pgRows));
            long scoringRestarts = samples.isEmpty() ? 0 : last().scoringRestarts();
            long loaderRestarts = samples.isEmpty() ? 0 : last().loaderRestarts();
            try {
                Map<String, Long> restarts = jobRestarts();
                scoringRestarts = restarts.getOrDefault(scoringId, scoringRestarts);
                loaderRestarts = restarts.getOrDefault(loaderId, loaderRestarts);
            } catch (Exception e) {
                // the JobManager's endpoint did not answer this time
            }
            samples.add(new Sample(now, scoringRunning, loaderRunning, kafkaLag, pgLag, pgRows, pgMaxIngest,
                    scoringRestarts, loaderRestarts));
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS); // the sampling period
        }
        close(db);
    }

    /** The job RUNNING with every task running (false when the REST API does not answer). */
    private boolean running(String jobId) {
        try {
            JsonNode job = json("/jobs/" + jobId);
            return "RUNNING".equals(job.path("state").asText()) && allTasksRunning(job);
        } catch (Exception e) {
            return false;
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // it is gone anyway
            }
        }
    }

    private Connection fraudDb() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl("fraud") + "?connectTimeout=2&socketTimeout=10", "fraud", DB_PASSWORD);
    }

    private Sample last() {
        return samples.get(samples.size() - 1);
    }

    /**
     * Waits until the fault is over: both jobs RUNNING with every task running, a transaction produced after the fault
     * ended committed in both sinks, both sinks caught up, and all of it (and no new restart of either job) for
     * {@value #STABLE_MS} ms.
     */
    private void awaitRecovery(Fault f) throws InterruptedException {
        long deadline = f.ended + RECOVERY_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS); // polling the samples
            long now = System.currentTimeMillis();
            if (now - f.ended < STABLE_MS || samples.isEmpty()) {
                continue;
            }
            List<Sample> recent = window(now - STABLE_MS, now);
            Sample l = last();
            boolean stable = !recent.isEmpty() && recent.stream().allMatch(s -> s.scoringRunning() && s.loaderRunning())
                    && recent.get(0).scoringRestarts() == l.scoringRestarts()
                    && recent.get(0).loaderRestarts() == l.loaderRestarts();
            if (stable && l.kafkaCaughtUp() && l.pgCaughtUp() && l.pgMaxIngest() >= f.ended && firstSeenAfter(f.ended) > 0) {
                f.recovered = now;
                return;
            }
        }
        f.recovered = System.currentTimeMillis();
        f.timedOut = true;
    }

    /** The samples taken in [from, to]. */
    private List<Sample> window(long from, long to) {
        return samples.stream().filter(s -> s.at() >= from && s.at() <= to).toList();
    }

    /** How many transactions were first seen committed on the scored topic in [from, to]. */
    private int committedBetween(long from, long to) {
        int count = 0;
        for (int i = 0; i < produced.get(); i++) {
            long s = seenAt.get(i);
            if (s >= from && s <= to) {
                count++;
            }
        }
        return count;
    }

    /** The lags of both sinks over the samples of [from, to]. */
    private String lags(long from, long to) {
        List<Sample> w = window(from, to);
        if (w.isEmpty()) {
            return "no samples";
        }
        long[] kafka = w.stream().mapToLong(Sample::kafkaLag).sorted().toArray();
        long[] db = w.stream().mapToLong(Sample::pgLag).sorted().toArray();
        return String.format("lag Kafka p50 %.1f s, max %.1f s; PostgreSQL p50 %.1f s, max %.1f s", kafka[kafka.length / 2] / 1e3,
                kafka[kafka.length - 1] / 1e3, db[db.length / 2] / 1e3, db[db.length - 1] / 1e3);
    }

    private void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("%s within %d s", what, timeoutMs / 1000).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS); // polling the samples
        }
    }

    /** When the first transaction produced at or after {@code t} was seen committed on the scored topic (0: none yet). */
    private long firstSeenAfter(long t) {
        long first = 0;
        for (int i = produced.get() - 1; i >= 0 && producedAt.get(i) >= t; i--) {
            long s = seenAt.get(i);
            if (s != 0 && (first == 0 || s < first)) {
                first = s;
            }
        }
        return first;
    }

    /** End-to-end latency (produced to seen committed) of the transactions produced in [from, to). */
    private String latencies(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (int i = 0; i < produced.get(); i++) {
            long p = producedAt.get(i);
            if (p >= from && p < to && seenAt.get(i) != 0) {
                l.add(seenAt.get(i) - p);
            }
        }
        if (l.isEmpty()) {
            return "no output";
        }
        l.sort(null);
        return String.format("latency p50 %.1f s, p99 %.1f s, max %.1f s (%d transactions)", l.get(l.size() / 2) / 1e3,
                l.get((int) (l.size() * 0.99)) / 1e3, l.get(l.size() - 1) / 1e3, l.size());
    }

    /**
     * The table of the faults' figures, a line per job, every time counted from the fault's injection; the decisions
     * committed to Kafka while the fault lasted; then the failures that made a job restart (its exception history), by
     * fault.
     */
    private String figures(List<Fault> faults) {
        StringBuilder b = new StringBuilder(String.format("%ncluster faults at %d transactions/s (times from the fault;"
                + " \"caught up\": all output older than %d s committed on Kafka, as many rows as transactions older"
                + " than %d s in PostgreSQL)%n", RATE, LAG_BOUND_MS / 1000, PG_LAG_BOUND_MS / 1000));
        String row = "%-40s %7s  %-8s %8s %20s %17s %10s%n";
        b.append(String.format(row, "fault", "ended", "job", "restarts", "running (all tasks)", "next output", "caught up"));
        for (Fault f : faults) {
            List<Sample> w = window(f.injected, f.recovered);
            if (w.isEmpty()) {
                continue;
            }
            Sample before = samples.stream().filter(s -> s.at() < f.injected).reduce((a, z) -> z).orElse(w.get(0));
            Sample end = w.get(w.size() - 1);
            f.scoringRestarts = end.scoringRestarts() - before.scoringRestarts();
            f.loaderRestarts = end.loaderRestarts() - before.loaderRestarts();
            long pgOut = w.stream().filter(s -> s.pgMaxIngest() >= f.injected).mapToLong(Sample::at).findFirst().orElse(0);
            b.append(String.format(row, f.name, String.format("%.1fs", (f.ended - f.injected) / 1e3), "scoring",
                    f.scoringRestarts, secs(lastRecovery(w, Sample::scoringRunning), f.injected),
                    "Kafka " + secs(firstSeenAfter(f.injected), f.injected),
                    secs(lastRecovery(w, Sample::kafkaCaughtUp), f.injected)));
            b.append(String.format(row, f.timedOut ? "  NOT RECOVERED in " + RECOVERY_TIMEOUT_MS / 1000 + " s" : "", "",
                    "loader", f.loaderRestarts, secs(lastRecovery(w, Sample::loaderRunning), f.injected),
                    "PostgreSQL " + secs(pgOut, f.injected), secs(lastRecovery(w, Sample::pgCaughtUp), f.injected)));
            int committed = committedBetween(f.injected, f.ended);
            double lasted = Math.max(1, f.ended - f.injected) / 1e3;
            b.append(String.format("    while it lasted (%.1f s): %,d decisions committed to Kafka (%.0f/s), Kafka lag"
                    + " max %.1f s; Kafka %s of those produced until caught up%n", lasted, committed, committed / lasted,
                    window(f.injected, f.ended).stream().mapToLong(Sample::kafkaLag).max().orElse(0) / 1e3,
                    latencies(f.injected, Math.max(f.ended, lastRecovery(w, Sample::kafkaCaughtUp)))));
        }
        for (String[] job : new String[][] {{SCORING, scoringId}, {LOADER, loaderId}}) {
            try {
                JsonNode history = json("/jobs/" + job[1] + "/exceptions?maxExceptions=100").path("exceptionHistory");
                List<JsonNode> entries = new ArrayList<>();
                history.path("entries").forEach(entries::add);
                entries.sort(java.util.Comparator.comparingLong(e -> e.path("timestamp").asLong())); // the API lists the newest first
                for (Fault f : faults) {
                    for (JsonNode e : entries) {
                        long at = e.path("timestamp").asLong();
                        if (at >= f.injected && at <= f.recovered) {
                            b.append(String.format("  %s, %s, +%.1fs: %s%n", job[0], f.name, (at - f.injected) / 1e3,
                                    cause(e.path("stacktrace").asText())));
                        }
                    }
                }
                b.append(history.path("truncated").asBoolean() ? "  (" + job[0] + ": exception history truncated)\n" : "");
            } catch (Exception e) {
                b.append("  (no exception history of ").append(job[0]).append(": ").append(e).append(")\n");
            }
        }
        return b.toString();
    }

    /** The first line of a stack trace and the message of its innermost cause, shortened. */
    private static String cause(String stacktrace) {
        String[] lines = stacktrace.split("\n");
        String root = lines[0];
        for (String l : lines) {
            if (l.startsWith("Caused by: ")) {
                root = l.substring("Caused by: ".length());
            }
        }
        String text = lines[0].equals(root) ? root : lines[0] + " <- " + root;
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /**
     * When the condition last became true in the window after having been false: -1 when it never was false, 0 when
     * it still is.
     */
    private static long lastRecovery(List<Sample> window, java.util.function.Predicate<Sample> ok) {
        long back = -1;
        boolean down = false;
        for (Sample s : window) {
            if (!ok.test(s)) {
                down = true;
            } else if (down) {
                back = s.at();
                down = false;
            }
        }
        return down ? 0 : back;
    }

    private static String secs(long at, long from) {
        return at < 0 ? "stayed" : at == 0 ? "never" : String.format("%.1fs", (at - from) / 1e3);
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(cluster.rest(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return Repo.JSON.readTree(r.body());
    }

    /** The resource ids of the TaskManagers registered at the JobManager. */
    private Set<String> taskManagerIds() throws Exception {
        Set<String> ids = new java.util.TreeSet<>();
        json("/taskmanagers").path("taskmanagers").forEach(t -> ids.add(t.path("id").asText()));
        return ids;
    }

    /** The resource ids of the TaskManagers that run the scoring job's {@code score} tasks. */
    private Set<String> scoringTaskManagers() throws Exception {
        for (JsonNode v : json("/jobs/" + scoringId).path("vertices")) {
            if (v.path("name").asText().startsWith("score")) {
                Set<String> on = new java.util.TreeSet<>();
                json("/jobs/" + scoringId + "/vertices/" + v.path("id").asText() + "/taskmanagers").path("taskmanagers")
                        .forEach(t -> on.add(t.path("taskmanager-id").asText()));
                assertThat(on).as("TaskManagers of the score tasks").isNotEmpty();
                return on;
            }
        }
        throw new AssertionError("no score vertex in the scoring job");
    }

    /** Every vertex has all its subtasks RUNNING (not created, scheduled, deploying or initializing). */
    private static boolean allTasksRunning(JsonNode job) {
        JsonNode vertices = job.path("vertices");
        if (vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (v.path("tasks").path("RUNNING").asInt() != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    private static final Pattern LIVE_QUALITY_FAILURES = Pattern.compile(
            "(?m)^flink_taskmanager_job_task_operator_fraud_live_quality_refresh_failures_total\\{[^}]*\\} (\\S+)$");
    private static final Pattern RESTARTS = Pattern.compile("(?m)^flink_jobmanager_job_numRestarts\\{([^}]*)\\} (\\S+)$");
    private static final Pattern JOB_ID = Pattern.compile("job_id=\"([0-9a-f]{32})\"");

    /**
     * The jobs' {@code numRestarts} by job id, as the JobManager's Prometheus reporter exports them right now (the REST
     * API's metrics lag by up to 10 s): the series the restart alerts of prometheus/alerts.yml read.
     */
    private Map<String, Long> jobRestarts() {
        for (int i = 0; i < ClusterScript.METRICS_PORTS; i++) {
            int port = jobManagerMetricsPort >= 0 ? jobManagerMetricsPort : cluster.metricsPort + i;
            Map<String, Long> restarts = new HashMap<>();
            Matcher m = RESTARTS.matcher(ClusterScript.metrics(port));
            while (m.find()) {
                Matcher id = JOB_ID.matcher(m.group(1));
                if (id.find() && (m.group(1).contains("job_name=\"" + SCORING + "\"") || m.group(1).contains("job_name=\"" + LOADER + "\""))) {
                    restarts.put(id.group(1), (long) Double.parseDouble(m.group(2)));
                }
            }
            if (!restarts.isEmpty()) {
                jobManagerMetricsPort = port;
                return restarts;
            }
            if (jobManagerMetricsPort >= 0) {
                break;
            }
        }
        throw new IllegalStateException("no flink_jobmanager_job_numRestarts of " + SCORING + " or " + LOADER
                + " on ports " + cluster.metricsPort + "+" + ClusterScript.METRICS_PORTS);
    }
}
