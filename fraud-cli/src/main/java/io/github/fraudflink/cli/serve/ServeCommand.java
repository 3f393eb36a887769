package io.github.fraudflink.cli.serve;

import io.github.fraudflink.api.ApiOptions;
import io.github.fraudflink.api.ApiServer;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.cli.local.LocalFlink;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.sql.SchemaMigrator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./fraud serve}: the REST API and the analyst review queue ({@link ApiServer}) in front of a running scoring
 * job (its Kafka, topics and PostgreSQL), or with {@code --demo} in front of the local stack of {@code ./fraud demo}
 * (a broker, PostgreSQL and the job on a MiniCluster), fed by a {@link LiveDemoStream}. Runs until interrupted
 * (Ctrl-C) or for {@code --duration}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve the REST API (POST /v1/transactions, /v1/labels, lookups, /v1/models, /health, /metrics,"
                + " /openapi.json) and the analyst review queue (/review/) in front of the scoring job.",
                "The API key comes from the environment variable " + ApiOptions.API_KEY_ENV + " (with --demo: generated"
                + " and printed when unset). See docs/api.md."})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--demo", description = "Start the local stack of ./fraud demo (in-process Kafka, a local PostgreSQL,"
            + " the job on a MiniCluster) and a live simulated stream, and serve the API on it.")
    boolean demo;

    @Option(names = "--bootstrap-servers", description = "The job's Kafka (" + "fraud.kafka.bootstrap-servers" + ").")
    String bootstrapServers;

    @Option(names = "--postgres-url", description = "The job's PostgreSQL (jdbc:postgresql://host:5432/db), for lookups and"
            + " the review queue; password: environment variable " + SchemaMigrator.PASSWORD_ENV + ".")
    String postgresUrl;

    @Option(names = "--postgres-user", defaultValue = "fraud", description = "User for --postgres-url (default: ${DEFAULT-VALUE}).")
    String postgresUser;

    @Option(names = "--flink-rest", description = "Flink's REST address (http://host:8081): /health checks the job runs there.")
    String flinkRest;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--decision-timeout", defaultValue = "2s", description = "Wait this long for the job's decision, then"
            + " answer 202 with a location to poll (default: ${DEFAULT-VALUE}).")
    Duration decisionTimeout;

    @Option(names = "--read-committed", description = "Return only decisions whose checkpoint has committed (adds up to a"
            + " checkpoint interval of latency; see docs/api.md).")
    boolean readCommitted;

    @Option(names = {"-D", "--conf"}, paramLabel = "KEY=VALUE", description = "Any other option of the job or the API"
            + " (fraud.kafka.topic.*, fraud.parser.*, fraud.api.*), as the job is configured.")
    Map<String, String> conf = new java.util.LinkedHashMap<>();

    @Option(names = "--rate", defaultValue = "2", description = "--demo: live transactions per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--history-days", defaultValue = "10", description = "--demo: days of simulated history streamed first,"
            + " so the terminal features have labels (default: ${DEFAULT-VALUE}).")
    int historyDays;

    @Option(names = "--customers", defaultValue = "2000", description = "--demo: simulated customers (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = "--seed", defaultValue = "42", description = "--demo: seed of the simulation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--work-dir", defaultValue = ".fraud/serve", description = "--demo: checkpoints and data (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--duration", description = "Stop after this long (default: run until interrupted).")
    Duration duration;

    /** Counted down once everything is closed: a shutdown (Ctrl-C, SIGTERM) waits for it, so nothing is left running. */
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        try {
            return serve();
        } finally {
            closed.countDown();
        }
    }

    private int serve() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        String key = System.getenv(ApiOptions.API_KEY_ENV);
        if (demo) {
            if (bootstrapServers != null || postgresUrl != null) {
                throw new IllegalArgumentException("--demo starts its own Kafka and PostgreSQL; leave out --bootstrap-servers"
                        + " and --postgres-url, or leave out --demo to serve an existing job");
            }
            if (!(rate > 0) || historyDays < 8 || customers < 1) {
                throw new IllegalArgumentException("--rate must be positive, --history-days at least 8 (labels come 7 days"
                        + " after their transaction) and --customers at least 1");
            }
            if (key == null || key.isBlank()) {
                byte[] b = new byte[24];
                new SecureRandom().nextBytes(b);
                key = HexFormat.of().formatHex(b);
                err.println("no " + ApiOptions.API_KEY_ENV + " in the environment: this run's API key is " + key);
            }
            try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir, 2, Duration.ofSeconds(2),
                    null, null, null, LocalEnvironment.Postgres.startHere()), err)) {
                // the latency profile of docs/api.md: records do not wait in network buffers or producer batches
                env.configuration().setString("execution.buffer-timeout.interval", "5 ms");
                env.configuration().set(JobOptions.PRODUCER_LINGER, Duration.ZERO);
                env.submit("fraud-scoring-serve-demo");
                Configuration c = apiConfiguration(env.configuration());
                c.set(ApiOptions.FLINK_REST, LocalFlink.restAddress(env.configuration()).toString());
                LiveDemoStream stream = new LiveDemoStream(env.bootstrapServers(), c.get(JobOptions.TOPIC_TRANSACTIONS),
                        c.get(JobOptions.TOPIC_LABELS), customers, historyDays, rate, seed, env.runId() + "-", Duration.ofDays(7));
                Thread producing = new Thread(stream, "serve-demo-stream");
                producing.setDaemon(true);
                try (ApiServer api = ApiServer.start(c, key)) {
                    producing.start();
                    announce(err, api, env.postgresUrl());
                    err.println("streaming " + historyDays + " days of simulated history, then " + rate + " live transactions/s");
                    waitForStop(err, () -> env.checkJobRunning(), stream);
                } finally {
                    stream.stop();
                }
                err.println("stopping ...");
                err.flush();
            }
            return 0;
        }
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("no API key: set the environment variable " + ApiOptions.API_KEY_ENV
                    + " (clients send it as 'Authorization: Bearer <key>'), e.g. export " + ApiOptions.API_KEY_ENV
                    + "=$(openssl rand -hex 24)");
        }
        Configuration c = apiConfiguration(new Configuration());
        if (bootstrapServers != null) {
            c.set(JobOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        if (postgresUrl != null) {
            c.set(JobOptions.POSTGRES_URL, postgresUrl);
            c.set(JobOptions.POSTGRES_USER, postgresUser);
        }
        if (flinkRest != null) {
            c.set(ApiOptions.FLINK_REST, flinkRest);
        }
        if (c.getOptional(JobOptions.BOOTSTRAP_SERVERS).isEmpty()) {
            throw new IllegalArgumentException("give the job's Kafka with --bootstrap-servers (or try ./fraud serve --demo)");
        }
        try (ApiServer api = ApiServer.start(c, key)) {
            announce(err, api, c.getOptional(JobOptions.POSTGRES_URL).orElse(null));
            waitForStop(err, () -> { }, null);
        }
        out.flush();
        return 0;
    }

    /** The job's configuration plus the API's options and the -D overrides. */
    private Configuration apiConfiguration(Configuration job) {
        Configuration c = new Configuration(job);
        c.set(ApiOptions.HOST, host);
        c.set(ApiOptions.PORT, port);
        c.set(ApiOptions.DECISION_TIMEOUT, decisionTimeout);
        c.set(ApiOptions.READ_COMMITTED, readCommitted);
        conf.forEach((k, v) -> {
            if (!k.startsWith("fraud.")) {
                throw new IllegalArgumentException("-D " + k + ": only fraud.* options (docs/configuration.md, docs/api.md)");
            }
            c.setString(k, v);
        });
        JobOptions.validate(c);
        return c;
    }

    private void announce(PrintWriter err, ApiServer api, String pg) {
        String base = "http://" + host + ":" + api.port();
        err.println("API on " + base + " (OpenAPI: " + base + "/openapi.json, health: " + base + "/health)");
        err.println("review queue: " + base + "/review/" + (pg == null ? " (needs --postgres-url)" : ""));
        err.println("press Ctrl-C to stop");
        err.flush();
    }

    private void waitForStop(PrintWriter err, Runnable check, LiveDemoStream stream) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(60, TimeUnit.SECONDS); // the JVM ends when the hooks do: let the API, the job and the servers close
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        boolean announced = false;
        try {
            while (!stop.await(1, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
                check.run();
                if (stream != null && stream.caughtUp && !announced) {
                    announced = true;
                    err.println("history streamed (" + stream.history + " transactions); live from now on");
                    err.flush();
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
        }
    }
}
