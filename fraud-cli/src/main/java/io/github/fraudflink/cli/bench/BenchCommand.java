package io.github.fraudflink.cli.bench;

import io.github.fraudflink.cli.common.DelayedLabels;
import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.cli.demo.DemoSummary;
import io.github.fraudflink.cli.demo.DemoWorkload;
import io.github.fraudflink.cli.local.JobRest;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.PassThroughJob;
import io.github.fraudflink.job.TopicSetup;
import io.github.fraudflink.job.features.AccountFeaturesFunction;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.sql.SchemaMigrator;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./fraud bench}: the end-to-end benchmark. One in-process Kafka broker; the transactions topic is preloaded
 * with simulated transactions (and their delayed labels) before any clock starts, so the generator does not compete.
 * Then, each on a fresh MiniCluster reading the preloaded topics to their end with exactly-once checkpoints:
 * <ol>
 *   <li>the pass-through job ({@link PassThroughJob}: same source, parse, DLQ routing and exactly-once sink; no state,
 *       no model), the ceiling;</li>
 *   <li>the scoring job, its throughput also as a share of the ceiling;</li>
 *   <li>the scoring job with the PostgreSQL sink on (a PostgreSQL started here).</li>
 * </ol>
 * Each output is counted afterwards (every valid transaction once). Then the scoring job at fixed loads (50% and 80% of
 * its measured rate, live event time) gives the latency from a transaction's append to Kafka to its score, and the
 * operators' own per-event time. The state an account costs is measured on the preloaded data with the job's state
 * serializer.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"End-to-end benchmark: throughput against a pass-through ceiling, with and without PostgreSQL,"
                + " latency at 50%% and 80%% of the sustained rate, checkpoints, and state per account.",
                "Everything runs in this JVM (Kafka broker, MiniClusters, PostgreSQL); nothing else should run on the machine."})
public final class BenchCommand implements Callable<Integer> {
    /** The operators' own per-event time histograms (µs): account features, terminal features, scoring. */
    private static final String[] OPERATOR_METRICS = {"feature_latency_us", "terminal_feature_latency_us", "score_latency_us"};
    /** The transactions of the latency runs come from this seed, the preloaded ones from --seed. */
    private static final long LATENCY_SEED_OFFSET = 1_000_003L;

    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "2000000", description = "Transactions preloaded for the throughput runs (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--accounts", defaultValue = "100000", description = "Simulated accounts (customers) (default: ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--terminals", description = "Simulated terminals (default: twice the accounts, as the demo). The"
            + " simulator lists each account's terminals within reach, so with a million accounts give fewer, e.g. 10000.")
    Integer terminals;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "2", description = "Parallelism of the jobs (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backend", defaultValue = "rocksdb", description = "rocksdb or hashmap (default: ${DEFAULT-VALUE}).")
    String stateBackend;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", description = "Exactly-once checkpoint interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--no-labels", description = "Preload no labels and run the job without a labels stream.")
    boolean noLabels;

    @Option(names = "--label-delay", defaultValue = "7d", description = "Event time after its transaction a preloaded label is dated (default: ${DEFAULT-VALUE}).")
    Duration labelDelay;

    @Option(names = "--repeat", defaultValue = "1", description = "Scoring runs one after the other (the JIT still compiles"
            + " during the first; later ones show the warm figure) (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--model", description = "Manifest URI of the model that scores (file://, http(s)://, classpath:);"
            + " default: the model shipped in the job jar.")
    String modelUri;

    @Option(names = "--no-postgres", description = "Skip the run with the PostgreSQL sink.")
    boolean noPostgres;

    @Option(names = "--no-latency", description = "Skip the latency runs at fixed load.")
    boolean noLatency;

    @Option(names = "--latency-seconds", defaultValue = "40", description = "Length of each latency run (default: ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--warm-up", defaultValue = "10", description = "Seconds at the start of a latency run left out of its figures (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--seed", defaultValue = "42", description = "Simulator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--work-dir", defaultValue = ".fraud/bench", description = "Working directory (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--json", description = "Also print the figures as one JSON object on the last line.")
    boolean json;

    /** One throughput run: what it read and wrote, how long it ran, its checkpoints. */
    record Throughput(String run, long outputs, long expected, double seconds, JobRest.CheckpointStats checkpoints) {
        double perSecond() {
            return outputs / seconds;
        }
    }

    /**
     * One latency run at a fixed rate: the append-to-score latencies (ms, sorted) and the operators' own per-event time
     * (µs, the worst subtask's percentiles, read each second after the warm-up: {@code feature_latency_us_p99} is the
     * median of those reads, {@code feature_latency_us_p99_worst} the largest; {@code operator_windows} counts the reads).
     */
    record Latency(double share, int rate, double achievedRate, long[] millis, Map<String, Double> operatorMicros) {}

    /** Transactions a latency run generates ahead at most, unless --events asks for more (about 300 MB of them). */
    static final long MAX_LATENCY_LOAD = 1_000_000;


    /** Preloaded input: from when (the runs start reading there) and how many valid transactions. */
    record Preload(long fromTimestamp, long valid, long invalid, long labels, int terminals, long[] stateBytes) {}

    @Override
    public Integer call() throws Exception {
        if (!stateBackend.equals("rocksdb") && !stateBackend.equals("hashmap")) {
            throw new IllegalArgumentException("--state-backend must be rocksdb or hashmap, not " + stateBackend);
        }
        if (events < 1 || accounts < 1 || parallelism < 1 || repeat < 1 || latencySeconds <= warmUp) {
            throw new IllegalArgumentException("--events, --accounts, --parallelism and --repeat must be positive and"
                    + " --latency-seconds longer than --warm-up");
        }
        PrintWriter err = spec.commandLine().getErr();
        Path work = Files.createDirectories(workDir).toAbsolutePath();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory(work, "kafka-"))) {
            String bootstrap = kafka.bootstrapServers();
            Configuration topics = new Configuration();
            topics.set(JobOptions.BOOTSTRAP_SERVERS, bootstrap);
            TopicSetup.ensureTopics(topics, 2 * parallelism);
            Preload preload = preload(bootstrap, topics, err);

            List<Throughput> runs = new ArrayList<>();
            Throughput ceiling = throughput("pass-through", bootstrap, preload, false, true, err);
            runs.add(ceiling);
            Throughput scoring = null;
            for (int i = 1; i <= repeat; i++) {
                scoring = throughput(repeat == 1 ? "scoring" : "scoring, run " + i, bootstrap, preload, false, false, err);
                runs.add(scoring);
            }
            if (!noPostgres) {
                runs.add(throughput("scoring + PostgreSQL", bootstrap, preload, true, false, err));
            }
            List<Latency> latencies = new ArrayList<>();
            if (!noLatency) {
                for (double share : new double[] {0.5, 0.8}) {
                    latencies.add(latency(share, (int) Math.round(share * scoring.perSecond()), bootstrap, err));
                }
            }
            report(preload, runs, ceiling, latencies);
        }
        return 0;
    }

    /** Writes the simulated transactions (and labels) to the input topics, and measures the account state they make. */
    private Preload preload(String bootstrap, Configuration topics, PrintWriter err) throws Exception {
        DemoWorkload.SimulationSize size = DemoWorkload.SimulationSize.forEvents(events, accounts, null);
        Iterator<LabelledTransaction> sim = new TransactionSimulator(simulation(size, seed)).iterator();
        DelayedLabels labels = noLabels ? null : new DelayedLabels(topics.get(JobOptions.TOPIC_LABELS), labelDelay, "bench");
        AccountFeatures features = new AccountFeatures();
        Map<String, AccountHistory> histories = new HashMap<>();
        long from = System.currentTimeMillis();
        long valid = 0;
        long invalid = 0;
        String topic = topics.get(JobOptions.TOPIC_TRANSACTIONS);
        try (KafkaProducer<byte[], byte[]> producer = KafkaIO.producer(bootstrap);
                ProgressBar bar = Progress.bar("preloading (not timed)", events)) {
            for (int i = 0; i < events; i++) {
                if (!sim.hasNext()) {
                    throw new IllegalStateException("the simulation of " + size.customers() + " accounts over " + size.days()
                            + " days made only " + i + " transactions; raise --accounts or lower --events");
                }
                LabelledTransaction lt = sim.next();
                Transaction tx = lt.tx();
                producer.send(new ProducerRecord<>(topic, tx.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(tx)));
                if (tx.amount > 0) {
                    valid++;
                    features.apply(histories.computeIfAbsent(tx.accountId, a -> new AccountHistory()), tx);
                } else {
                    invalid++; // the handbook's rounding makes a few 0.00 amounts: the job sends them to the DLQ
                }
                if (labels != null) {
                    labels.add(lt);
                    labels.sendDue(producer, tx.eventTime, l -> { });
                }
                bar.step();
            }
            producer.flush();
        }
        long[] bytes = stateBytes(histories.values());
        err.printf("preloaded %,d transactions (%,d valid) of %,d accounts and %,d labels%n", events, valid, histories.size(),
                labels == null ? 0 : labels.sent());
        return new Preload(from, valid, invalid, labels == null ? 0 : labels.sent(), simulation(size, seed).terminals(), bytes);
    }

    /** The simulator's configuration: {@code size}, with --terminals if given. */
    private io.github.fraudflink.trainer.sim.SimulatorConfig simulation(DemoWorkload.SimulationSize size, long seed) {
        var c = size.config(seed);
        return terminals == null ? c : c.withTerminals(terminals);
    }

    /** The serialized size of each account's history with the job's own state serializer, sorted. */
    private static long[] stateBytes(java.util.Collection<AccountHistory> histories) throws Exception {
        ValueStateDescriptor<AccountHistory> d = AccountFeaturesFunction.historyDescriptor(Duration.ofDays(40));
        d.initializeSerializerUnlessSet(new ExecutionConfig());
        TypeSerializer<AccountHistory> serializer = d.getSerializer();
        DataOutputSerializer out = new DataOutputSerializer(4096);
        long[] sizes = new long[histories.size()];
        int i = 0;
        for (AccountHistory h : histories) {
            out.clear();
            serializer.serialize(h, out);
            sizes[i++] = out.length();
        }
        java.util.Arrays.sort(sizes);
        return sizes;
    }

    /** One bounded run over the preloaded topics; returns its throughput, after counting its output. */
    private Throughput throughput(String run, String bootstrap, Preload preload, boolean postgres, boolean passThrough,
            PrintWriter err) throws Exception {
        err.printf("run: %s%n", run);
        String slug = run.toLowerCase(Locale.ROOT).replaceAll("[^a-z]+", "-");
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir.resolve(slug), parallelism,
                checkpointInterval, null, null, bootstrap,
                postgres ? LocalEnvironment.Postgres.startHere() : LocalEnvironment.Postgres.none()), err)) {
            Configuration conf = configure(env, true);
            conf.set(JobOptions.START_FROM_TIMESTAMP, preload.fromTimestamp());
            String output = "bench-" + slug + "-" + env.runId();
            createTopic(bootstrap, output);
            if (!passThrough) {
                conf.set(JobOptions.TOPIC_SCORED, output);
            }
            env.submit("bench " + run, passThrough ? (e, c) -> PassThroughJob.build(e, c, output)
                    : io.github.fraudflink.job.FraudScoringJob::build, true);
            long t0 = env.runningSinceNanos();
            JobRest.CheckpointStats[] last = {null};
            long t1;
            try (ProgressBar bar = Progress.bar(run + " (read)", preload.valid())) {
                RestMetrics metrics = new RestMetrics(conf, env.jobId());
                t1 = env.awaitFinished(Duration.ofHours(2), () -> {
                    try {
                        last[0] = env.checkpointStats();
                        metrics.readNow("events_valid_total", "sum").ifPresent(x -> bar.stepTo((long) x));
                    } catch (Exception e) {
                        // the job is finishing: its REST API goes with it; the figures read before stand
                    }
                });
            }
            double seconds = (t1 - t0) / 1e9;
            long outputs = countOutput(bootstrap, output, preload.valid());
            if (postgres) {
                long rows = countRows(env);
                err.printf("  PostgreSQL: %,d rows in %s%n", rows, SchemaMigrator.SCORED_TABLE);
                outputs = Math.min(outputs, rows);
            }
            Throughput t = new Throughput(run, outputs, preload.valid(), seconds, last[0]);
            err.printf("  %,d of %,d in %.1f s: %,.0f per second%n", outputs, preload.valid(), seconds, t.perSecond());
            if (outputs != preload.valid()) {
                throw new IllegalStateException(run + " wrote " + outputs + " results for " + preload.valid()
                        + " valid transactions; exactly once means one each; see the log under " + workDir);
            }
            return t;
        }
    }

    /** The job's options for a benchmark run on {@code env}: the state backend, labels or not, bounded or not. */
    private Configuration configure(LocalEnvironment env, boolean bounded) {
        Configuration conf = env.configuration();
        conf.setString("state.backend.type", stateBackend);
        conf.set(JobOptions.SOURCE_BOUNDED, bounded);
        if (modelUri != null) {
            conf.set(JobOptions.MODEL_URI, modelUri);
        }
        if (noLabels) {
            conf.set(JobOptions.TOPIC_LABELS, "");
        }
        return conf;
    }

    /** Counts the committed records of {@code topic}, until {@code expected} or nothing more comes for 10 s. */
    private static long countOutput(String bootstrap, String topic, long expected) {
        try (KafkaIO.CommittedReader r = new KafkaIO.CommittedReader(bootstrap, topic, false)) {
            while (r.count() < expected && r.poll(Duration.ofSeconds(10), rec -> { }) > 0) {
                // counting
            }
            r.poll(Duration.ofMillis(500), rec -> { }); // anything beyond the expected count would show here
            return r.count();
        }
    }

    private static long countRows(LocalEnvironment env) throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(env.postgresUrl(), env.postgresUser(),
                SchemaMigrator.passwordFromEnvironment());
                java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + SchemaMigrator.SCORED_TABLE)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void createTopic(String bootstrap, String topic) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
    }

    /**
     * The scoring job, unbounded, fed live at {@code rate} transactions/s (event time = the clock) for
     * {@link #latencySeconds}: the append-to-score latency of the transactions sent after the warm-up, and the
     * operators' own per-event time, their metric windows read each second meanwhile ({@link OperatorSamples}).
     */
    private Latency latency(double share, int rate, String bootstrap, PrintWriter err) throws Exception {
        err.printf("latency run at %.0f%% of the sustained rate: %,d transactions/s for %d s%n", share * 100, rate, latencySeconds);
        // generated ahead of the paced loop, but not without bound: a scoring run too short to time (everything read
        // before its last task ran) can report an absurd rate, whose load would not fit in memory
        long wanted = Math.min((long) rate * latencySeconds, Math.max(events, MAX_LATENCY_LOAD));
        if (wanted < (long) rate * latencySeconds) {
            err.printf("  %,d transactions/s for %d s is more than this run generates ahead (%,d): it ends early if they"
                    + " run out (the scoring run was too short to time: give --events more)%n", rate, latencySeconds, wanted);
        }
        List<Transaction> load = new ArrayList<>();
        Iterator<LabelledTransaction> sim = new TransactionSimulator(simulation(DemoWorkload.SimulationSize
                .forEvents((int) wanted, accounts, null), seed + LATENCY_SEED_OFFSET)).iterator();
        while (load.size() < wanted && sim.hasNext()) {
            Transaction tx = sim.next().tx();
            if (tx.amount > 0) {
                load.add(tx);
            }
        }
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir.resolve("latency"), parallelism,
                checkpointInterval, null, null, bootstrap, LocalEnvironment.Postgres.none()), err)) {
            Configuration conf = configure(env, false);
            // no labels stream: until an idle one counted as idle the terminal stage would hold every transaction
            // (./fraud bench-labels measures what a live labels stream adds: no waiting)
            conf.set(JobOptions.TOPIC_LABELS, "");
            String output = "bench-latency-" + env.runId();
            createTopic(bootstrap, output);
            conf.set(JobOptions.TOPIC_SCORED, output);
            env.submit("bench latency");
            String topic = conf.get(JobOptions.TOPIC_TRANSACTIONS);
            Map<String, Double> operators = new LinkedHashMap<>();
            long warmUpEnd = System.currentTimeMillis() + warmUp * 1000L;
            long t0 = System.nanoTime();
            long sent = 0;
            RestMetrics metrics = new RestMetrics(conf, env.jobId());
            List<String> sampled = new ArrayList<>();
            for (String m : OPERATOR_METRICS) {
                sampled.add(m + "_median");
                sampled.add(m + "_p99");
            }
            // the operators' windows read every second after the warm-up, while the load runs
            try (OperatorSamples samples = new OperatorSamples(metrics, sampled, Duration.ofSeconds(warmUp), Duration.ofSeconds(1));
                    KafkaProducer<byte[], byte[]> p = KafkaIO.producer(bootstrap)) {
                for (Transaction tx : load) {
                    if (System.nanoTime() - t0 >= TimeUnit.SECONDS.toNanos(latencySeconds)) {
                        break;
                    }
                    tx.eventTime = System.currentTimeMillis(); // live: event time is the clock
                    p.send(new ProducerRecord<>(topic, tx.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(tx)));
                    sent++;
                    long wait = t0 + (long) (sent * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // pacing the load generator, not waiting for a result
                    }
                }
                samples.close(); // the reads are complete (closing again at the end of the block does nothing)
                for (String m : sampled) {
                    operators.put(m, samples.median(m));
                }
                for (String m : OPERATOR_METRICS) {
                    operators.put(m + "_p99_worst", samples.worst(m + "_p99"));
                }
                operators.put("operator_windows", (double) samples.reads(OPERATOR_METRICS[0] + "_p99").size());
            }
            double achieved = sent / ((System.nanoTime() - t0) / 1e9);
            List<Long> millis = new ArrayList<>();
            try (KafkaIO.CommittedReader r = new KafkaIO.CommittedReader(bootstrap, output, false)) {
                r.readUntil(sent, Duration.ofMinutes(2)).forEach(rec -> {
                    ScoredTransaction s = ScoredTransactionJson.read(rec.value());
                    if (s.ingestTime >= warmUpEnd) {
                        millis.add(s.scoredTime - s.ingestTime);
                    }
                });
                if (r.count() < sent) {
                    throw new IllegalStateException("only " + r.count() + " of " + sent + " transactions were scored within 2 minutes");
                }
            }
            err.printf("  sent %,d at %,.0f/s; scored all%n", sent, achieved);
            return new Latency(share, rate, achieved, millis.stream().mapToLong(Long::longValue).sorted().toArray(), operators);
        }
    }

    private void report(Preload preload, List<Throughput> runs, Throughput ceiling, List<Latency> latencies) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "end-to-end benchmark: %,d transactions (%,d valid) of %,d accounts at %,d terminals%s preloaded;"
                + " parallelism %d, %s, exactly-once checkpoints every %s; model %s%n", events, preload.valid(), accounts,
                preload.terminals(), noLabels ? "" : String.format(" and %,d labels", preload.labels()), parallelism,
                stateBackend, checkpointInterval.toMillis() + " ms", model());
        out.printf("  %-22s %12s %10s %9s %26s%n", "run", "events/s", "of ceiling", "seconds", "checkpoints p50/max ms, state");
        for (Throughput t : runs) {
            JobRest.CheckpointStats c = t.checkpoints();
            out.printf(Locale.ROOT, "  %-22s %,12.0f %9.0f%% %9.1f %26s%n", t.run(), t.perSecond(),
                    100 * t.perSecond() / ceiling.perSecond(), t.seconds(),
                    c == null ? "-" : String.format(Locale.ROOT, "%d / %d, %.1f MB", c.durationP50Ms(), c.durationMaxMs(),
                            c.latestStateSizeBytes() / 1e6));
        }
        long[] b = preload.stateBytes();
        out.printf(Locale.ROOT, "  account state (the job's serializer): mean %.0f, p99 %d, max %d bytes over %,d accounts%n",
                java.util.Arrays.stream(b).average().orElse(0), DemoSummary.quantile(b, 0.99), DemoSummary.quantile(b, 1), b.length);
        if (!latencies.isEmpty()) {
            out.printf("  append-to-score latency (ms) after %d s of warm-up; operators' own per-event time (µs), account /"
                    + " terminal / score: p50 | p99 of the median window | p99 of the worst window (windows read each second)%n", warmUp);
            out.printf("  %-14s %8s %6s %6s %6s %6s %9s %44s%n", "load", "achieved", "p50", "p99", "p99.9", "max", "scored",
                    "operators p50 | p99 | worst p99");
            for (Latency l : latencies) {
                out.printf(Locale.ROOT, "  %3.0f%% (%,d/s) %,8.0f %6d %6d %6d %6d %,9d %44s%n", l.share() * 100, l.rate(),
                        l.achievedRate(), q(l, 0.5), q(l, 0.99), q(l, 0.999), q(l, 1), l.millis().length,
                        micros(l, "_median") + " | " + micros(l, "_p99") + " | " + micros(l, "_p99_worst"));
            }
        }
        if (json) {
            out.println(json(preload, runs, ceiling, latencies));
        }
        out.flush();
    }

    /** The model that scored: its manifest URI. */
    private String model() {
        return modelUri != null ? modelUri : JobOptions.MODEL_URI.defaultValue();
    }

    /** The operators' percentile {@code suffix} of a latency run, as "account / terminal / score". */
    private static String micros(Latency l, String suffix) {
        StringBuilder b = new StringBuilder();
        for (String m : OPERATOR_METRICS) {
            Double x = l.operatorMicros().get(m + suffix);
            b.append(b.length() == 0 ? "" : " / ").append(x == null || x.isNaN() ? "-" : String.format(Locale.ROOT, "%.0f", x));
        }
        return b.toString();
    }

    private static long q(Latency l, double q) {
        return DemoSummary.quantile(l.millis(), q);
    }

    private String json(Preload preload, List<Throughput> runs, Throughput ceiling, List<Latency> latencies) {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = mapper.createObjectNode();
        root.put("events", events).put("valid", preload.valid()).put("accounts", accounts).put("terminals", preload.terminals())
                .put("labels", preload.labels())
                .put("parallelism", parallelism).put("state_backend", stateBackend)
                .put("checkpoint_interval_ms", checkpointInterval.toMillis()).put("model", model());
        var rs = root.putArray("runs");
        for (Throughput t : runs) {
            var o = rs.addObject().put("run", t.run()).put("events_per_second", t.perSecond())
                    .put("share_of_ceiling", t.perSecond() / ceiling.perSecond()).put("seconds", t.seconds())
                    .put("outputs", t.outputs());
            if (t.checkpoints() != null) {
                o.put("checkpoints_completed", t.checkpoints().completed()).put("checkpoint_p50_ms", t.checkpoints().durationP50Ms())
                        .put("checkpoint_max_ms", t.checkpoints().durationMaxMs())
                        .put("state_size_bytes", t.checkpoints().latestStateSizeBytes());
            }
        }
        long[] b = preload.stateBytes();
        root.put("account_state_mean_bytes", java.util.Arrays.stream(b).average().orElse(0))
                .put("account_state_p99_bytes", DemoSummary.quantile(b, 0.99)).put("account_state_max_bytes", DemoSummary.quantile(b, 1));
        var ls = root.putArray("latency");
        for (Latency l : latencies) {
            var o = ls.addObject().put("share", l.share()).put("rate", l.rate()).put("achieved_rate", l.achievedRate())
                    .put("p50_ms", q(l, 0.5)).put("p99_ms", q(l, 0.99)).put("p999_ms", q(l, 0.999)).put("max_ms", q(l, 1))
                    .put("scored", l.millis().length);
            l.operatorMicros().forEach(o::put);
        }
        return root.toString();
    }
}
