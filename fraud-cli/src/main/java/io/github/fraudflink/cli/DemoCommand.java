package io.github.fraudflink.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.PostgresSink;
import io.github.fraudflink.job.ScoredTransaction;
import io.github.fraudflink.job.ScoredTransactionJson;
import io.github.fraudflink.job.TopicSetup;
import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.sql.SchemaMigrator;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud demo}: the whole pipeline on this machine, with no cluster and no Docker. Starts a real
 * Kafka broker in-process (unless {@code --bootstrap-servers} names one), runs the job on a Flink
 * MiniCluster with RocksDB and exactly-once checkpoints, streams a seeded synthetic workload (the
 * Fraud Detection Handbook simulator, with a sprinkle of malformed messages), reads the output with
 * {@code read_committed}, writes it to PostgreSQL too (an embedded server unless {@code --postgres-url} names one,
 * none with {@code --no-postgres}), and prints a summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the scoring job end to end on this machine: in-process Kafka (KRaft), Flink MiniCluster with"
                + " RocksDB and exactly-once checkpoints, a local PostgreSQL, a synthetic transaction stream, and a summary"
                + " at the end."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "100000", description = "Transactions to stream (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--customers", defaultValue = "2000", description = "Accounts in the simulated population (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "2", description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "2s",
            description = "Exactly-once checkpoint interval; output becomes visible at each checkpoint (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--rate", defaultValue = "0", description = "Events per second to produce; 0 = as fast as possible (default).")
    int rate;

    @Option(names = "--bad-share", defaultValue = "0.002",
            description = "Share of malformed messages mixed into the stream, to exercise the dead-letter topic (default: ${DEFAULT-VALUE}).")
    double badShare;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of starting one in-process.")
    String bootstrapServers;

    @Option(names = "--no-postgres", description = "Do not write the scored transactions to PostgreSQL.")
    boolean noPostgres;

    @Option(names = "--postgres-url", description = "Write to this PostgreSQL database (jdbc:postgresql://host:5432/db) instead of"
            + " starting one; it needs max_prepared_transactions > 0. Password: environment variable " + SchemaMigrator.PASSWORD_ENV + ".")
    String postgresUrl;

    @Option(names = "--postgres-user", defaultValue = "fraud", description = "User for --postgres-url (default: ${DEFAULT-VALUE}).")
    String postgresUser;

    @Option(names = "--model", description = "Model manifest URI (file://, http(s)://, classpath:); default: the model shipped in the job jar.")
    String modelUri;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the workload (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--work-dir", defaultValue = ".fraud/demo", description = "Checkpoints and Kafka data go here (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--web-ui", description = "Serve the Flink web UI on this port (e.g. 8081) while the demo runs.")
    Integer webUiPort;

    @Option(names = "--metrics-port", description = "Serve the job's metrics for Prometheus on this port (e.g. 9249; scrape"
            + " it with prometheus/prometheus-local.yml).")
    Integer metricsPort;

    @Option(names = "--timeout", defaultValue = "15min", description = "Give up if the output is not complete after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the summary as one JSON object on the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (events <= 0 || customers <= 0 || parallelism <= 0) {
            throw new IllegalArgumentException("--events, --customers and --parallelism must be positive");
        }
        PrintWriter err = spec.commandLine().getErr();
        Files.createDirectories(workDir);
        long runId = System.currentTimeMillis();
        if (noPostgres && postgresUrl != null) {
            throw new IllegalArgumentException("--no-postgres and --postgres-url exclude each other");
        }
        EmbeddedKafka kafka = null;
        EmbeddedPostgres postgres = null;
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                err.println("starting an in-process Kafka broker ...");
                err.flush();
                kafka = EmbeddedKafka.start(Files.createTempDirectory(workDir.toAbsolutePath(), "kafka-"));
                bootstrap = kafka.bootstrapServers();
            }
            String pgUrl = postgresUrl;
            String pgUser = postgresUser;
            if (pgUrl == null && !noPostgres) {
                err.println("starting a local PostgreSQL ...");
                err.flush();
                postgres = EmbeddedPostgres.start(workDir.toAbsolutePath().resolve("postgres"), true);
                pgUrl = postgres.jdbcUrl();
                pgUser = postgres.user();
            }
            Configuration conf = LocalFlink.configuration(workDir.resolve("run-" + runId), parallelism, checkpointInterval, webUiPort);
            if (metricsPort != null) {
                conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
                conf.setString("metrics.reporter.prom.host", "127.0.0.1");
                conf.setString("metrics.reporter.prom.port", Integer.toString(metricsPort));
                conf.setString("metrics.reporter.prom.filterLabelValueCharacters", "false"); // model versions as they are
                err.println("metrics for Prometheus at http://127.0.0.1:" + metricsPort + "/metrics");
            }
            conf.set(JobOptions.BOOTSTRAP_SERVERS, bootstrap);
            conf.set(JobOptions.GROUP_ID, "fraud-demo-" + runId);
            conf.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "fraud-demo-" + runId);
            conf.set(JobOptions.START_FROM_TIMESTAMP, runId);
            if (modelUri != null) {
                conf.set(JobOptions.MODEL_URI, modelUri);
            }
            if (pgUrl != null) {
                conf.set(JobOptions.POSTGRES_URL, pgUrl);
                conf.set(JobOptions.POSTGRES_USER, pgUser);
            }
            List<String> created = TopicSetup.ensureTopics(conf, 2 * parallelism);
            err.println("kafka " + bootstrap + (created.isEmpty() ? "" : ", created topics " + created));
            if (pgUrl != null) {
                err.println("postgresql " + pgUrl + " (table " + SchemaMigrator.SCORED_TABLE + ")");
            }
            RowCounter rows = pgUrl == null ? null : new RowCounter(pgUrl, pgUser, runId + "-");

            KafkaIO.CommittedReader scored = new KafkaIO.CommittedReader(bootstrap, conf.get(JobOptions.TOPIC_SCORED), true);
            KafkaIO.CommittedReader dlq = new KafkaIO.CommittedReader(bootstrap, conf.get(JobOptions.TOPIC_DLQ), true);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            FraudScoringJob.build(env, conf);
            JobClient job = env.executeAsync("fraud-scoring-demo");
            err.println("job " + job.getJobID() + " submitted to a local MiniCluster (parallelism " + parallelism
                    + ", RocksDB, checkpoints every " + checkpointInterval.toMillis() + " ms), web UI "
                    + LocalFlink.restAddress(conf));
            err.flush();
            LocalFlink.awaitRunning(conf, job.getJobID(), Duration.ofMinutes(2));

            long start = System.nanoTime();
            // produced on another thread while the output is read, so the visibility latency is real
            Produced produced = new Produced();
            String brokers = bootstrap;
            java.util.concurrent.CompletableFuture<Void> producing = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    produce(brokers, conf.get(JobOptions.TOPIC_TRANSACTIONS), runId, produced);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });

            long deadline = start + timeout.toNanos();
            Tally tally = new Tally();
            try (ProgressBar pb = Progress.bar("scored", events)) {
                while (!producing.isDone() || tally.ids.size() < produced.valid || dlq.count() < produced.bad
                        || (rows != null && rows.count < produced.valid)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("timed out after " + timeout + " with " + tally.ids.size() + " of "
                                + produced.valid + " scored, " + dlq.count() + " of " + produced.bad + " dead letters"
                                + (rows == null ? "" : " and " + rows.count + " rows in PostgreSQL")
                                + "; see the log for the job's errors");
                    }
                    if (producing.isCompletedExceptionally()) {
                        producing.join(); // throws what stopped the producer
                    }
                    if (producing.isDone() && produced.nanos == 0) {
                        produced.nanos = System.nanoTime() - start;
                        pb.maxHint(produced.valid);
                    }
                    if (rows != null) {
                        rows.refresh(start);
                    }
                    if (job.getJobStatus().get().isGloballyTerminalState()) {
                        throw new IllegalStateException("the job ended early (" + job.getJobStatus().get() + "); see the log");
                    }
                    scored.poll(Duration.ofMillis(100), r -> tally.add(ScoredTransactionJson.read(r.value())));
                    dlq.poll(Duration.ZERO, r -> { });
                    pb.stepTo(tally.ids.size());
                    pb.setExtraMessage(" produced " + produced.sent);
                }
            }
            long producedNanos = produced.nanos;
            long totalNanos = System.nanoTime() - start;
            LocalFlink.CheckpointStats checkpoints = LocalFlink.CheckpointStats.fetch(conf, job.getJobID());
            job.cancel().get(30, TimeUnit.SECONDS);
            scored.close();
            dlq.close();
            if (rows != null) {
                rows.finish(conf.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-pg");
            }
            summarize(produced, tally, dlq.count(), producedNanos, totalNanos, rows, checkpoints);
            boolean pgExact = rows == null || (rows.count == tally.ids.size() && rows.repeated == 0);
            return tally.duplicates == 0 && pgExact ? 0 : 1;
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    /** What was sent: counts and the ids of the simulator's frauds. */
    private static final class Produced {
        volatile long sent;
        volatile long valid;
        volatile long bad;
        volatile long nanos;
        final Set<String> frauds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    }

    private void produce(String bootstrap, String topic, long runId, Produced out) throws Exception {
        int days = Math.max(2, (int) Math.ceil(events / (customers * 2.0)) + 1);
        SimulatorConfig sim = SimulatorConfig.defaults().withCustomers(customers).withTerminals(2 * customers)
                .withDays(days).withSeed(seed);
        SplittableRandom r = new SplittableRandom(seed);
        List<BadEvents.BadEvent> corpus = BadEvents.corpus("demo");
        Iterator<LabelledTransaction> it = new TransactionSimulator(sim).iterator();
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = KafkaIO.producer(bootstrap)) {
            for (long i = 0; i < events; i++) {
                byte[] key;
                byte[] value;
                if (r.nextDouble() < badShare) {
                    BadEvents.BadEvent bad = corpus.get(r.nextInt(corpus.size()));
                    key = null;
                    value = bad.bytes();
                    out.bad++;
                } else {
                    if (!it.hasNext()) {
                        throw new IllegalStateException("the simulator ran out of transactions; raise --customers");
                    }
                    LabelledTransaction lt = it.next();
                    lt.tx().transactionId = runId + "-" + lt.tx().transactionId;
                    key = lt.tx().accountId.getBytes(StandardCharsets.UTF_8);
                    value = TransactionJson.write(lt.tx());
                    if (!(lt.tx().amount > 0)) {
                        out.bad++; // the handbook's rounding makes a few 0.00 amounts: the job rejects them
                    } else {
                        out.valid++;
                        if (lt.fraud()) {
                            out.frauds.add(lt.tx().transactionId);
                        }
                    }
                }
                producer.send(new ProducerRecord<>(topic, key, value));
                out.sent = i + 1;
                if (rate > 0) {
                    long due = t0 + (long) ((i + 1) * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            }
            producer.flush();
        }
    }

    /** Counts of the scored output, checked for duplicates, with the simulator's labels. */
    private static final class Tally {
        final Set<String> ids = new HashSet<>();
        final Set<String> flaggedIds = new HashSet<>();
        long duplicates;
        String model;
        String modelVersion;
        /** Per transaction: ms from its Kafka timestamp (when it was produced) until a read_committed consumer saw it. */
        private long[] visibleMs = new long[1024];

        void add(ScoredTransaction s) {
            if (!ids.add(s.transactionId)) {
                duplicates++;
                return;
            }
            model = s.model;
            modelVersion = s.modelVersion;
            if (ids.size() > visibleMs.length) {
                visibleMs = java.util.Arrays.copyOf(visibleMs, 2 * visibleMs.length);
            }
            visibleMs[ids.size() - 1] = System.currentTimeMillis() - s.ingestTime;
            if (ScoredTransaction.DECLINE.equals(s.decision)) {
                flaggedIds.add(s.transactionId);
            }
        }
    }

    /** The {@code q} quantile (0..1) of sorted values. */
    private static long quantile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    /** Follows the demo's rows in PostgreSQL: how many are committed, and when the last one was. */
    private static final class RowCounter {
        private static final long EVERY_NANOS = 500_000_000L;
        final String url;
        final String user;
        final String idPrefix;
        long count;
        long repeated;
        long completeNanos;
        private long lastRefresh;

        RowCounter(String url, String user, String idPrefix) {
            this.url = url;
            this.user = user;
            this.idPrefix = idPrefix;
        }

        /** Counts the committed rows, at most every half second; remembers how long after {@code start} they were all there. */
        void refresh(long start) throws SQLException {
            long now = System.nanoTime();
            if (now - lastRefresh < EVERY_NANOS) {
                return;
            }
            lastRefresh = now;
            long before = count;
            count = query("SELECT count(*) FROM " + SchemaMigrator.SCORED_TABLE + " WHERE starts_with(transaction_id, ?)");
            if (count != before) {
                completeNanos = now - start;
            }
        }

        /** Rows flagged as written twice, and clean-up of the cancelled job's last prepared transaction. */
        void finish(String transactionPrefix) throws SQLException {
            count = query("SELECT count(*) FROM " + SchemaMigrator.SCORED_TABLE + " WHERE starts_with(transaction_id, ?)");
            repeated = query("SELECT count(*) FROM " + SchemaMigrator.SCORED_TABLE + " WHERE starts_with(transaction_id, ?) AND duplicate");
            PostgresSink.rollbackPrepared(url, user, transactionPrefix);
        }

        private long query(String sql) throws SQLException {
            try (Connection c = new org.postgresql.Driver().connect(url, properties()); PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, idPrefix);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        }

        private java.util.Properties properties() {
            java.util.Properties p = new java.util.Properties();
            p.setProperty("user", user);
            String password = SchemaMigrator.passwordFromEnvironment();
            if (password != null) {
                p.setProperty("password", password);
            }
            return p;
        }
    }

    private void summarize(Produced produced, Tally t, long dlqCount, long producedNanos, long totalNanos, RowCounter rows,
            LocalFlink.CheckpointStats cp) {
        long[] visible = java.util.Arrays.copyOf(t.visibleMs, t.ids.size());
        java.util.Arrays.sort(visible);
        double seconds = totalNanos / 1e9;
        double eps = t.ids.size() / seconds;
        PrintWriter out = spec.commandLine().getOut();
        long trueFrauds = produced.frauds.size();
        long flagged = t.flaggedIds.size();
        long flaggedFraud = t.flaggedIds.stream().filter(produced.frauds::contains).count();
        out.printf("%nfraud demo summary%n");
        out.printf("  events in        %,d (%,d valid, %,d malformed)%n", produced.valid + produced.bad, produced.valid, produced.bad);
        out.printf("  scored           %,d distinct, %,d duplicates (read_committed)%n", t.ids.size(), t.duplicates);
        out.printf("  dead letters     %,d%n", dlqCount);
        out.printf("  flagged          %,d declined; %,d of them simulated frauds (precision %.3f, recall %.3f of %,d frauds)%n",
                flagged, flaggedFraud, flagged == 0 ? 0.0 : (double) flaggedFraud / flagged,
                trueFrauds == 0 ? 0.0 : (double) flaggedFraud / trueFrauds, trueFrauds);
        out.printf("  duration         %.1f s (producing %.1f s); %,.0f events/s end to end%n", seconds, producedNanos / 1e9, eps);
        out.printf("  visible after    p50 %,d ms, p99 %,d ms, max %,d ms (produced -> seen by a read_committed consumer)%n",
                quantile(visible, 0.5), quantile(visible, 0.99), quantile(visible, 1.0));
        out.printf("  checkpoints      %,d completed, %,d failed or not started (a trigger before every task runs counts as failed), every %,d ms; duration p50 %,d ms, max %,d ms; %,d bytes on average%n",
                cp.completed(), cp.failed(), checkpointInterval.toMillis(), cp.durationP50Ms(), cp.durationMaxMs(), cp.sizeAvgBytes());
        out.printf("  model            %s %s%n", t.model, t.modelVersion);
        double pgSeconds = rows == null ? 0 : rows.completeNanos / 1e9;
        double pgRate = rows == null || pgSeconds == 0 ? 0 : rows.count / pgSeconds;
        if (rows != null) {
            out.printf("  postgresql       %,d rows (%s), %,d written twice; all committed after %.1f s: %,.0f rows/s%n",
                    rows.count, rows.count == t.ids.size() ? "one per scored transaction" : "MISMATCH with " + t.ids.size() + " scored",
                    rows.repeated, pgSeconds, pgRate);
        }
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("events_in", produced.valid + produced.bad);
            o.put("scored", t.ids.size());
            o.put("duplicates", t.duplicates);
            o.put("dlq", dlqCount);
            o.put("flagged", flagged);
            o.put("flagged_fraud", flaggedFraud);
            o.put("simulated_frauds", trueFrauds);
            o.put("duration", Math.round(seconds * 1000) / 1000.0);
            o.put("events_per_second", Math.round(eps));
            o.put("visible_ms_p50", quantile(visible, 0.5));
            o.put("visible_ms_p99", quantile(visible, 0.99));
            o.put("visible_ms_max", quantile(visible, 1.0));
            o.put("checkpoint_interval_ms", checkpointInterval.toMillis());
            o.put("checkpoints_completed", cp.completed());
            o.put("checkpoints_failed", cp.failed());
            o.put("checkpoint_duration_ms_p50", cp.durationP50Ms());
            o.put("checkpoint_duration_ms_max", cp.durationMaxMs());
            o.put("checkpoint_size_bytes_avg", cp.sizeAvgBytes());
            o.put("model", t.model);
            o.put("model_version", t.modelVersion);
            if (rows != null) {
                o.put("postgres_rows", rows.count);
                o.put("postgres_rows_written_twice", rows.repeated);
                o.put("postgres_seconds", Math.round(pgSeconds * 1000) / 1000.0);
                o.put("postgres_rows_per_second", Math.round(pgRate));
            }
            out.println(o.toString());
        }
        out.flush();
    }
}
