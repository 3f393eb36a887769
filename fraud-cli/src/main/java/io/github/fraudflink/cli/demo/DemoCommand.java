package io.github.fraudflink.cli.demo;

import io.github.fraudflink.cli.common.ErrorReport;
import io.github.fraudflink.cli.local.JobRest;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.sql.SchemaMigrator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./fraud demo}: the whole pipeline on this machine, with no cluster and no Docker. A {@link LocalEnvironment}
 * (a Kafka broker in-process unless {@code --bootstrap-servers} names one, PostgreSQL started here unless
 * {@code --postgres-url} names one or {@code --no-postgres}, the job on a Flink MiniCluster with RocksDB and
 * exactly-once checkpoints); a {@link DemoWorkload} (the Fraud Detection Handbook simulator, sized to {@code --events},
 * with a sprinkle of malformed messages, and each transaction's label {@code --label-delay} of event time later); a
 * {@link DemoOutput} that reads the output with {@code read_committed} until every event is accounted for; and a
 * {@link DemoSummary}, as text or as JSON, with the champion's live quality against the labels.
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

    @Option(names = "--customers", description = "Accounts in the simulated population (default: one per "
            + DemoWorkload.SimulationSize.EVENTS_PER_CUSTOMER + " events, at least " + DemoWorkload.SimulationSize.MIN_CUSTOMERS
            + ", at most " + DemoWorkload.SimulationSize.MAX_CUSTOMERS + ").")
    Integer customers;

    @Option(names = "--days", description = "Days of the simulation (default: enough for --events).")
    Integer days;

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

    @Option(names = "--label-delay", defaultValue = "7d", description = "Event time between a transaction and its label"
            + " (source demo, labelled_at = event_time + delay), sent to the job's labels topic (fraud-labels) once the"
            + " stream reaches that event time; the last delay of the run stays unlabelled (default: ${DEFAULT-VALUE}, as"
            + " replay). Labels feed the terminal features (windows ending 7 days before the transaction), so they count"
            + " only in runs covering more than 7 days of event time, e.g. the default 100,000 events (about 25 days);"
            + " the summary gives the champion's live precision and recall against them.")
    Duration labelDelay;

    @Option(names = "--no-labels", description = "Send no labels and run the job without a labels stream: the terminal fraud"
            + " shares stay 0 and the summary has no live quality.")
    boolean noLabels;

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

    @Option(names = "--json", description = "Print the summary as one JSON object (one line) instead of the text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (events <= 0 || parallelism <= 0 || (customers != null && customers <= 0) || (days != null && days <= 0)) {
            throw new IllegalArgumentException("--events, --customers, --days and --parallelism must be positive");
        }
        if (labelDelay.isNegative()) {
            throw new IllegalArgumentException("--label-delay must not be negative: a label is never dated before its transaction");
        }
        if (noPostgres && postgresUrl != null) {
            throw new IllegalArgumentException("--no-postgres and --postgres-url exclude each other; give one of them");
        }
        PrintWriter err = spec.commandLine().getErr();
        LocalEnvironment.Postgres pg = noPostgres ? LocalEnvironment.Postgres.none()
                : postgresUrl != null ? LocalEnvironment.Postgres.existing(postgresUrl, postgresUser) : LocalEnvironment.Postgres.startHere();
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir, parallelism, checkpointInterval,
                webUiPort, metricsPort, bootstrapServers, pg), err)) {
            if (modelUri != null) {
                env.configuration().set(JobOptions.MODEL_URI, modelUri);
            }
            String labelsTopic = noLabels ? null : env.configuration().get(JobOptions.TOPIC_LABELS);
            if (noLabels) {
                env.configuration().set(JobOptions.TOPIC_LABELS, ""); // the job reads no labels and never waits for them
            }
            String idPrefix = env.runId() + "-";
            DemoWorkload workload = new DemoWorkload(events, DemoWorkload.SimulationSize.forEvents(events, customers, days),
                    seed, badShare, rate, idPrefix, labelDelay);
            DemoSummary summary;
            try (DemoOutput output = new DemoOutput(env, idPrefix)) {
                env.submit("fraud-scoring-demo");
                long start = System.nanoTime();
                CompletableFuture<Void> producing = workload.startProducing(env.bootstrapServers(),
                        env.configuration().get(JobOptions.TOPIC_TRANSACTIONS), labelsTopic);
                try {
                    output.awaitComplete(workload.produced(), producing, start, timeout, events);
                } finally {
                    workload.stop();
                }
                long totalNanos = System.nanoTime() - start;
                JobRest.CheckpointStats checkpoints = env.checkpointStats();
                env.cancelJob();
                DemoSummary.Live postgresLive = null;
                if (output.rows() != null) {
                    output.rows().finish(env.configuration().get(JobOptions.TRANSACTIONAL_ID_PREFIX));
                    if (labelsTopic != null && workload.produced().firstEventTime != 0) {
                        postgresLive = output.rows().liveQuality(utcDay(workload.produced().firstEventTime),
                                utcDay(workload.produced().lastEventTime));
                    }
                }
                summary = DemoSummary.of(workload, output, totalNanos, checkpointInterval, checkpoints,
                        labelsTopic == null ? null : env.configuration().get(JobOptions.LABEL_DELAY), postgresLive);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(summary.json());
                out.flush();
            } else {
                summary.printText(out);
            }
            if (!summary.exact()) {
                err.println("error: the output is not exactly once (" + summary.duplicates() + " duplicates in Kafka"
                        + (summary.postgresRows() == null ? "" : ", " + summary.postgresRows() + " rows in PostgreSQL for "
                        + summary.scored() + " scored, " + summary.postgresRowsWrittenTwice() + " written twice")
                        + (summary.postgresLabels() == null ? "" : ", " + summary.postgresLabels() + " labels in PostgreSQL for "
                        + summary.labelsSent() + " sent")
                        + "); the job's log is in " + ErrorReport.logFile());
                return 1;
            }
            return 0;
        }
    }

    private static LocalDate utcDay(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC).toLocalDate();
    }
}
