package io.github.fraudflink.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.JobTestSupport;
import io.github.fraudflink.job.ScoredTransaction;
import io.github.fraudflink.job.ScoredTransactionJson;
import io.github.fraudflink.job.TopicSetup;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
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
 * Faults on a real cluster while traffic flows. The standalone cluster of {@code scripts/flink-cluster.sh} (the
 * project's flink-conf/, so its restart strategy) runs the job jar with both exactly-once sinks against a Kafka broker
 * in a JVM of its own and a PostgreSQL 15 server in processes of its own, everything on 127.0.0.1. A producer sends
 * transactions at a steady rate throughout; in sequence, the TaskManager is killed ({@code kill -9}) and a new one
 * started, PostgreSQL is stopped ({@code pg_ctl stop -m immediate}) for 20 s and started, the broker is killed for 20 s
 * and started on the same data and port. After each fault the test waits until the job is RUNNING with every task
 * running, output flows again in both sinks, the output has caught up, and nothing has restarted for 10 s.
 *
 * <p>Afterwards every produced transaction is once on the scored topic ({@code read_committed}) and once in
 * {@code scored_transactions} (counted by {@code (account_id, transaction_id)}), the job is RUNNING, and once it is
 * stopped with a savepoint no prepared transaction is left. It prints, per fault, the job restarts it cost (Flink's
 * {@code numRestarts} on the JobManager's Prometheus endpoint, what the restart alerts read) and its recovery times.
 */
class ClusterFaultsIT {
    /** Transactions per second, steady, for the whole run. */
    private static final int RATE = 200;
    /**
     * Caught up: every transaction produced this long ago or earlier is committed on the scored topic (in steady state
     * output waits for the next checkpoint: interval 2 s, a checkpoint's duration, a minimum pause of 1 s).
     */
    private static final long LAG_BOUND_MS = 8_000;
    private static final long OUTAGE_MS = 20_000;
    /** Recovered: running with every task, caught up, no restart and no task down for this long. */
    private static final long STABLE_MS = 10_000;
    private static final long RECOVERY_TIMEOUT_MS = 180_000;
    private static final long SAMPLE_MS = 250;
    private static final String JOB = "fraud-scoring";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the cluster's, the broker's logs
    static Path tmp;

    private static final String DB_PASSWORD = "pw-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static PostgresServer pg;
    private static KafkaBrokerProcess kafka;
    private static ClusterScript cluster;

    @BeforeAll
    static void start() throws Exception {
        String missing = PostgresServer.unavailable();
        assumeTrue(missing == null, () -> "ClusterFaultsIT skipped: " + missing);
        pg = PostgresServer.start(Path.of(System.getProperty("java.io.tmpdir")), "su-" + UUID.randomUUID());
        pg.createDatabase("fraud", "fraud", DB_PASSWORD);
        kafka = KafkaBrokerProcess.start(tmp.resolve("kafka"));
        // the job's password reaches the client (schema migration) and every TaskManager through the environment;
        // the REST API's job details are cached for 3 s by default: 500 ms for finer recovery times
        cluster = new ClusterScript(tmp, Map.of("FRAUD_POSTGRES_PASSWORD", DB_PASSWORD), "web.refresh-interval: 500 ms");
    }

    @AfterAll
    static void stop() throws Exception {
        Repo.closeAll(cluster, kafka, pg);
    }

    /** One look at the system, taken every {@value #SAMPLE_MS} ms. */
    record Sample(long at, boolean running, boolean caughtUp, long pgRows, long pgMaxIngest, long restarts) {}

    /** A fault: when it was injected, when it ended (the replacement up, the server back), and the wait after it. */
    static final class Fault {
        final String name;
        long injected;
        long ended;
        long recovered;
        boolean timedOut;
        long restarts;

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
    private volatile String jobId;
    private volatile int jobManagerMetricsPort = -1;

    private static String key(String accountId, String transactionId) {
        return accountId + "\u0000" + transactionId;
    }

    @Test
    void everyTransactionOnceInBothSinksThroughTaskManagerDatabaseAndBrokerFaults() throws Exception {
        long t0 = System.currentTimeMillis();
        txs = JobTestSupport.workload(47, RATE * 600); // more than a run produces
        for (int i = 0; i < txs.size(); i++) {
            var tx = txs.get(i).tx();
            assertThat(index.put(key(tx.accountId, tx.transactionId), i)).as("identity of %s", tx.transactionId).isNull();
        }
        producedAt = new AtomicLongArray(txs.size());
        seenAt = new AtomicLongArray(txs.size());

        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(JobOptions.TOPIC_TRANSACTIONS, "faults-transactions");
        c.set(JobOptions.TOPIC_SCORED, "faults-scored");
        c.set(JobOptions.TOPIC_DLQ, "faults-dlq");
        c.set(JobOptions.TOPIC_MODEL_CONTROL, "faults-model-control");
        c.set(JobOptions.TOPIC_MODEL_STATUS, "faults-model-status");
        c.set(JobOptions.GROUP_ID, "faults");
        c.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "faults");
        c.set(JobOptions.POSTGRES_URL, pg.jdbcUrl("fraud"));
        c.set(JobOptions.POSTGRES_USER, "fraud");
        TopicSetup.ensureTopics(c, 4);

        cluster.run(300, "start");
        List<String> submit = new ArrayList<>(List.of("submit"));
        submit.addAll(List.of(ClusterScript.jobArgs(c)));
        jobId = cluster.run(300, submit.toArray(String[]::new));
        assertThat(jobId).as("job id").matches("[0-9a-f]{32}");
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

    /** The faults in sequence, the figures of each, then the checks of both sinks and of the job. */
    private void faultsAndChecks(Configuration c, long t0, long setUp, Thread producer, Thread consumer, Thread watcher)
            throws Exception {
        List<Fault> faults = new ArrayList<>();
        StringBuilder report = new StringBuilder();
        long restartsAtStart = 0;
        try {
            // steady state first
            Fault warmUp = new Fault("warm-up");
            warmUp.injected = warmUp.ended = System.currentTimeMillis();
            awaitRecovery(warmUp);
            assertThat(warmUp.timedOut).as("the job runs and scores before any fault (logs in %s)", cluster.logs()).isFalse();
            restartsAtStart = last().restarts();
            report.append(String.format("steady state %s%n", latencies(warmUp.ended, System.currentTimeMillis())));

            faults.add(inject("TaskManager kill -9, new one started", () -> {
                ProcessHandle taskManager = ProcessHandle.of(cluster.pid("taskmanager")).orElseThrow();
                taskManager.destroyForcibly(); // SIGKILL
                taskManager.onExit().get(30, TimeUnit.SECONDS);
            }, 0, () -> cluster.run(180, "start-taskmanager")));
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

        // every produced transaction reaches both sinks; then the job still runs with all its tasks
        await("every transaction committed on the scored topic", 180_000, () -> frontier >= n);
        await("every transaction committed in PostgreSQL", 180_000, () -> last().pgRows() >= n);
        TimeUnit.SECONDS.sleep(3); // a few more checkpoints: anything written twice would show now
        JsonNode job = json("/jobs/" + jobId);
        assertThat(job.path("state").asText()).as("job state after the faults").isEqualTo("RUNNING");
        assertThat(allTasksRunning(job)).as("every task of the job running: %s", job.path("vertices")).isTrue();
        long restarts = jobRestarts();
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
        // stopped with a savepoint: the last prepared transactions are committed, none is left behind
        String savepoint = cluster.run(300, "stop-job", jobId, tmp.resolve("savepoints").toUri().toString());
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

        System.out.printf("cluster faults: %,d transactions at %d/s over %.0f s; %d job restarts in all (%d before the"
                + " first fault); savepoint %s; %d prepared transactions left; run %.0f s (set-up %.0f s)%n", n, RATE,
                producing / 1e3, restarts, restartsAtStart, savepoint, prepared,
                (System.currentTimeMillis() - t0) / 1e3, setUp / 1e3);
        List<String> expected = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            var tx = txs.get(i).tx();
            expected.add(key(tx.accountId, tx.transactionId));
        }
        assertThat(problems).as("producer, reader and watcher problems").isEmpty();
        assertThat(faults).as("faults the job did not recover from within %d s", RECOVERY_TIMEOUT_MS / 1000)
                .noneMatch(f -> f.timedOut);
        assertThat(faults.get(0).restarts).as("restarts after the TaskManager's loss in flink_jobmanager_job_numRestarts,"
                + " the series of the restart alerts").isPositive();
        assertThat(onTopic.keySet()).as("scored topic (read_committed)").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(onTopic.entrySet()).as("scored topic: transactions there more than once")
                .filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(inTable.keySet()).as("scored_transactions").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(inTable.entrySet()).as("scored_transactions: rows there more than once")
                .filteredOn(e -> e.getValue() != 1).isEmpty();
        assertThat(markedDuplicate).as("rows the sink wrote a second time (duplicate = true)").isZero();
        assertThat(inTableAfterStop).as("rows after the stop with a savepoint").isEqualTo(n);
        assertThat(prepared).as("prepared transactions left after the stop with a savepoint (pg_prepared_xacts)").isZero();
        assertThat(savepoint).startsWith("file:");
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

    /** Samples the job's state, the restarts, the table and the scored topic's lag every {@value #SAMPLE_MS} ms. */
    private void watch() throws Exception {
        Connection db = null;
        long pgRows = 0;
        long pgMaxIngest = 0;
        while (!stopWatching.get()) {
            long now = System.currentTimeMillis();
            boolean running;
            try {
                JsonNode job = json("/jobs/" + jobId);
                running = "RUNNING".equals(job.path("state").asText()) && allTasksRunning(job);
            } catch (Exception e) {
                running = false;
            }
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
            int f = frontier;
            boolean caughtUp = f >= produced.get() || producedAt.get(f) > now - LAG_BOUND_MS;
            long restarts = samples.isEmpty() ? 0 : last().restarts();
            try {
                restarts = jobRestarts();
            } catch (Exception e) {
                // the JobManager's endpoint did not answer this time
            }
            samples.add(new Sample(now, running, caughtUp, pgRows, pgMaxIngest, restarts));
            TimeUnit.MILLISECONDS.sleep(SAMPLE_MS); // the sampling period
        }
        close(db);
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
     * Waits until the fault is over: the job RUNNING with every task running, a transaction produced after the fault
     * ended committed in both sinks, the scored output caught up, and all of it (and no new restart) for
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
            List<Sample> recent = samples.stream().filter(s -> s.at() >= now - STABLE_MS).toList();
            Sample l = last();
            boolean stable = !recent.isEmpty() && recent.stream().allMatch(Sample::running)
                    && recent.get(0).restarts() == l.restarts();
            if (stable && l.caughtUp() && l.pgMaxIngest() >= f.ended && firstSeenAfter(f.ended) > 0) {
                f.recovered = now;
                return;
            }
        }
        f.recovered = System.currentTimeMillis();
        f.timedOut = true;
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
     * The table of the faults' figures, every time counted from the fault's injection; then the failures that made the
     * job restart (its exception history), by fault.
     */
    private String figures(List<Fault> faults) {
        StringBuilder b = new StringBuilder(String.format("%ncluster faults at %d transactions/s (times from the fault;"
                + " \"caught up\": all output older than %d s committed)%n", RATE, LAG_BOUND_MS / 1000));
        b.append(String.format("%-42s %8s %9s %20s %13s %10s %10s   %s%n", "fault", "ended", "restarts",
                "running (all tasks)", "Kafka output", "PG output", "caught up", "latency of what was produced until then"));
        for (Fault f : faults) {
            List<Sample> window = samples.stream().filter(s -> s.at() >= f.injected && s.at() <= f.recovered).toList();
            if (window.isEmpty()) {
                continue;
            }
            Sample before = samples.stream().filter(s -> s.at() < f.injected).reduce((a, z) -> z).orElse(window.get(0));
            long restarts = window.get(window.size() - 1).restarts() - before.restarts();
            f.restarts = restarts;
            long running = lastRecovery(window, Sample::running);
            long caughtUp = lastRecovery(window, Sample::caughtUp);
            long kafkaOut = firstSeenAfter(f.injected);
            long pgOut = window.stream().filter(s -> s.pgMaxIngest() >= f.injected).mapToLong(Sample::at).findFirst().orElse(0);
            b.append(String.format("%-42s %7.1fs %9d %20s %13s %10s %10s   %s%s%n", f.name, (f.ended - f.injected) / 1e3,
                    restarts, secs(running, f.injected), secs(kafkaOut, f.injected), secs(pgOut, f.injected),
                    secs(caughtUp, f.injected), latencies(f.injected, Math.max(f.ended, caughtUp)),
                    f.timedOut ? "  NOT RECOVERED in " + RECOVERY_TIMEOUT_MS / 1000 + " s" : ""));
        }
        try {
            JsonNode history = json("/jobs/" + jobId + "/exceptions?maxExceptions=100").path("exceptionHistory");
            List<JsonNode> entries = new ArrayList<>();
            history.path("entries").forEach(entries::add);
            entries.sort(java.util.Comparator.comparingLong(e -> e.path("timestamp").asLong())); // the API lists the newest first
            for (Fault f : faults) {
                for (JsonNode e : entries) {
                    long at = e.path("timestamp").asLong();
                    if (at >= f.injected && at <= f.recovered) {
                        b.append(String.format("  %s, +%.1fs: %s%n", f.name, (at - f.injected) / 1e3, cause(e.path("stacktrace").asText())));
                    }
                }
            }
            b.append(history.path("truncated").asBoolean() ? "  (exception history truncated)\n" : "");
        } catch (Exception e) {
            b.append("  (no exception history: ").append(e).append(")\n");
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

    private static final Pattern RESTARTS = Pattern.compile("(?m)^flink_jobmanager_job_numRestarts\\{([^}]*)\\} (\\S+)$");

    /**
     * The job's {@code numRestarts} as the JobManager's Prometheus reporter exports it right now (the REST API's
     * metrics lag by up to 10 s): the series the restart alerts of prometheus/alerts.yml read.
     */
    private long jobRestarts() {
        for (int i = 0; i < ClusterScript.METRICS_PORTS; i++) {
            int port = jobManagerMetricsPort >= 0 ? jobManagerMetricsPort : cluster.metricsPort + i;
            Matcher m = RESTARTS.matcher(ClusterScript.metrics(port));
            while (m.find()) {
                if (m.group(1).contains("job_id=\"" + jobId + "\"") && m.group(1).contains("job_name=\"" + JOB + "\"")) {
                    jobManagerMetricsPort = port;
                    return (long) Double.parseDouble(m.group(2));
                }
            }
            if (jobManagerMetricsPort >= 0) {
                break;
            }
        }
        throw new IllegalStateException("no flink_jobmanager_job_numRestarts of job " + jobId + " on ports "
                + cluster.metricsPort + "+" + ClusterScript.METRICS_PORTS);
    }
}
