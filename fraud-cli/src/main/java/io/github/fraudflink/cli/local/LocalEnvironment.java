package io.github.fraudflink.cli.local;

import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.TopicSetup;

import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.sql.SchemaMigrator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a local run of the scoring job needs, started in one place and torn down in one place (use it with
 * try-with-resources): a Kafka broker in this JVM unless bootstrap servers are given, a PostgreSQL server (started
 * here, an existing one, or none), and the job on a Flink MiniCluster (RocksDB, exactly-once checkpoints, the REST API
 * on loopback). {@link #close()} cancels the job, which stops its MiniCluster, then stops PostgreSQL and Kafka.
 * Progress lines go to the given writer (standard error); the servers' own output goes to the log.
 */
public final class LocalEnvironment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEnvironment.class);

    /** Where the scored transactions are also written: nowhere, a PostgreSQL started here, or an existing database. */
    public record Postgres(boolean embedded, String url, String user) {
        public static Postgres none() {
            return new Postgres(false, null, null);
        }

        public static Postgres startHere() {
            return new Postgres(true, null, null);
        }

        public static Postgres existing(String url, String user) {
            return new Postgres(false, url, user);
        }
    }

    /**
     * What to start. {@code bootstrapServers} null starts a broker here; {@code webUiPort} null serves the REST API on
     * a free port; {@code metricsPort} null serves no Prometheus metrics. Checkpoints and broker and database data go
     * under {@code workDir}.
     */
    public record Settings(Path workDir, int parallelism, Duration checkpointInterval, Integer webUiPort, Integer metricsPort,
            String bootstrapServers, Postgres postgres) {}

    private final long runId = System.currentTimeMillis();
    private final PrintWriter progress;
    private EmbeddedKafka kafka;
    private EmbeddedPostgres postgres;
    private Configuration conf;
    private String pgUrl;
    private String pgUser;
    private JobClient job;
    private CompletableFuture<JobExecutionResult> jobResult;
    private long runningSince;

    private LocalEnvironment(PrintWriter progress) {
        this.progress = progress;
    }

    /** Starts the servers (not the job yet: {@link #submit}); what is started is stopped again if a later step fails. */
    public static LocalEnvironment start(Settings s, PrintWriter progress) throws Exception {
        LocalEnvironment env = new LocalEnvironment(progress);
        try {
            env.startServers(s);
            return env;
        } catch (Exception e) {
            env.closeAfter(e);
            throw e;
        }
    }

    private void startServers(Settings s) throws Exception {
        Path work = Files.createDirectories(s.workDir()).toAbsolutePath();
        String bootstrap = s.bootstrapServers();
        if (bootstrap == null) {
            say("starting an in-process Kafka broker ...");
            kafka = EmbeddedKafka.start(Files.createTempDirectory(work, "kafka-"));
            bootstrap = kafka.bootstrapServers();
        }
        pgUrl = s.postgres().url();
        pgUser = s.postgres().user();
        if (s.postgres().embedded()) {
            say("starting a local PostgreSQL ...");
            postgres = EmbeddedPostgres.start(work.resolve("postgres"), true);
            pgUrl = postgres.jdbcUrl();
            pgUser = postgres.user();
        }
        conf = LocalFlink.configuration(work.resolve("run-" + runId), s.parallelism(), s.checkpointInterval(), s.webUiPort());
        if (s.metricsPort() != null) {
            conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            conf.setString("metrics.reporter.prom.host", "127.0.0.1");
            conf.setString("metrics.reporter.prom.port", Integer.toString(s.metricsPort()));
            conf.setString("metrics.reporter.prom.filterLabelValueCharacters", "false"); // model versions as they are
            say("metrics for Prometheus at http://127.0.0.1:" + s.metricsPort() + "/metrics");
        }
        conf.set(JobOptions.BOOTSTRAP_SERVERS, bootstrap);
        // one consumer group, transactional ids and start offset per run: runs sharing a broker stay apart
        conf.set(JobOptions.GROUP_ID, "fraud-local-" + runId);
        conf.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "fraud-local-" + runId);
        conf.set(JobOptions.START_FROM_TIMESTAMP, runId);
        if (pgUrl != null) {
            conf.set(JobOptions.POSTGRES_URL, pgUrl);
            conf.set(JobOptions.POSTGRES_USER, pgUser);
        }
        List<String> created = TopicSetup.ensureTopics(conf, 2 * s.parallelism());
        say("kafka " + bootstrap + (created.isEmpty() ? "" : ", created topics " + created));
        if (pgUrl != null) {
            say("postgresql " + pgUrl + " (table " + SchemaMigrator.SCORED_TABLE + ")");
        }
    }

    /** When this environment was started (epoch ms): the job reads the records produced since. */
    public long runId() {
        return runId;
    }

    /** The job's configuration; options set here before {@link #submit} reach the job. */
    public Configuration configuration() {
        return conf;
    }

    public String bootstrapServers() {
        return conf.get(JobOptions.BOOTSTRAP_SERVERS);
    }

    /** The PostgreSQL database the job writes to, null without one. */
    public String postgresUrl() {
        return pgUrl;
    }

    public String postgresUser() {
        return pgUser;
    }

    /** Builds the scoring job, runs it on a MiniCluster and waits until every task runs. */
    public JobClient submit(String jobName) throws Exception {
        return submit(jobName, FraudScoringJob::build);
    }

    /** Builds the pipeline {@code pipeline} adds, runs it on a MiniCluster and waits until every task runs. */
    public JobClient submit(String jobName, java.util.function.BiConsumer<StreamExecutionEnvironment, Configuration> pipeline) throws Exception {
        return submit(jobName, pipeline, false);
    }

    /**
     * As {@link #submit(String, java.util.function.BiConsumer)}; a {@code bounded} job may also finish (successfully)
     * before every task was seen running. {@link #runningSinceNanos()} says from when its tasks ran.
     */
    public JobClient submit(String jobName, java.util.function.BiConsumer<StreamExecutionEnvironment, Configuration> pipeline,
            boolean bounded) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        pipeline.accept(env, conf);
        long submitted = System.nanoTime();
        job = env.executeAsync(jobName);
        jobResult = job.getJobExecutionResult();
        say("job " + job.getJobID() + " submitted to a local MiniCluster (parallelism " + conf.getString("parallelism.default", "?")
                + ", RocksDB, checkpoints every " + conf.getString("execution.checkpointing.interval", "?") + "), web UI "
                + LocalFlink.restAddress(conf));
        try {
            long since = JobRest.awaitRunning(conf, job.getJobID(), Duration.ofMinutes(2),
                    bounded ? this::checkJobNotFailed : this::checkJobRunning);
            // Flink's own timestamp of the last task running, on this JVM's nanosecond clock (never before submission)
            runningSince = Math.max(submitted, System.nanoTime() - Math.max(0, System.currentTimeMillis() - since) * 1_000_000);
        } catch (FinishedEarly e) {
            runningSince = submitted; // a bounded job done before all its tasks were seen running: from submission
        }
        return job;
    }

    /**
     * When the job's last task started running by Flink's timestamps ({@link System#nanoTime()} scale), or when it was
     * submitted if it ended before its tasks were all seen running.
     */
    public long runningSinceNanos() {
        return runningSince;
    }

    /** A bounded job ended successfully while {@link #submit} waited for its tasks to run. */
    private static final class FinishedEarly extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FinishedEarly() {
            super("the job finished", null, false, false);
        }
    }

    /** Fails with the job's failure if it failed; throws {@link FinishedEarly} if it finished. */
    private void checkJobNotFailed() {
        if (jobResult != null && jobResult.isDone()) {
            try {
                jobResult.join();
            } catch (CompletionException | CancellationException e) {
                throw new IllegalStateException("the job failed", e.getCause() == null ? e : e.getCause());
            }
            throw new FinishedEarly();
        }
    }

    /**
     * Waits until the job ends by itself (a bounded run), running {@code meanwhile} about once a second while it runs;
     * returns {@link System#nanoTime()} at the moment it ended; fails with the job's failure, or after {@code timeout}.
     */
    public long awaitFinished(Duration timeout, Runnable meanwhile) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<Long> ended = jobResult.thenApply(r -> System.nanoTime());
        while (true) {
            try {
                return ended.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job has not finished after " + timeout + "; see the log", e);
                }
                meanwhile.run();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the job failed", e.getCause());
            }
        }
    }

    /** The running job's id, null before {@link #submit}. */
    public org.apache.flink.api.common.JobID jobId() {
        return job == null ? null : job.getJobID();
    }

    /** Checkpoint statistics of the running job. */
    public JobRest.CheckpointStats checkpointStats() throws Exception {
        return JobRest.CheckpointStats.fetch(conf, job.getJobID());
    }

    /** Fails if the job has stopped by itself (it gave up restarting), with the job's failure as the cause. */
    public void checkJobRunning() {
        if (jobResult != null && jobResult.isDone()) {
            try {
                jobResult.join();
            } catch (CompletionException | CancellationException e) {
                throw new IllegalStateException("the job failed and stopped restarting", e.getCause() == null ? e : e.getCause());
            }
            throw new IllegalStateException("the job finished before its input did");
        }
    }

    /** Cancels the job, if it runs (idempotent); its MiniCluster stops with it. */
    public void cancelJob() throws Exception {
        JobClient j = job;
        job = null;
        if (j == null || jobResult.isDone()) {
            return; // a job that stopped by itself took its MiniCluster with it
        }
        try {
            j.cancel().get(1, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            LOG.info("job {} had already stopped", j.getJobID(), e); // what cancelling is for
        }
    }

    /** Cancels the job, then stops PostgreSQL and Kafka (the reverse of the start); every step runs even if one fails. */
    @Override
    public void close() throws Exception {
        Exception failure = closeAfter(null);
        if (failure != null) {
            throw failure;
        }
    }

    /** Tears everything down; failures are added to {@code primary} if given, else the first is returned. */
    private Exception closeAfter(Exception primary) {
        Exception failure = primary;
        for (AutoCloseable step : new AutoCloseable[] {this::cancelJob, postgres, kafka}) {
            try {
                if (step != null) {
                    step.close();
                }
            } catch (Exception e) {
                LOG.warn("tearing down the local environment", e);
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        postgres = null;
        kafka = null;
        return primary == null ? failure : null;
    }

    private void say(String line) {
        progress.println(line);
        progress.flush();
    }
}
