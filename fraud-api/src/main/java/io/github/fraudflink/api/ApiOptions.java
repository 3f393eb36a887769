package io.github.fraudflink.api;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.github.fraudflink.job.JobOptions;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/**
 * The API server's own keys ({@code fraud.api.*}), beside the job's ({@link JobOptions}: the Kafka topics, the parser's
 * contract, PostgreSQL), which it reads from the same configuration so the two never disagree. Secrets come from the
 * environment: {@value #API_KEY_ENV}, and PostgreSQL's password in {@code FRAUD_POSTGRES_PASSWORD}.
 */
public final class ApiOptions {
    /** The environment variable holding the API key every {@code /v1} request must send as {@code Authorization: Bearer <key>}. */
    public static final String API_KEY_ENV = "FRAUD_API_KEY";

    public static final ConfigOption<String> HOST = key("fraud.api.host").stringType().defaultValue("127.0.0.1")
            .withDescription("Address the API listens on (loopback by default; 0.0.0.0 for every interface).");
    public static final ConfigOption<Integer> PORT = key("fraud.api.port").intType().defaultValue(8080)
            .withDescription("Port of the API and the review page (0: any free port).");
    public static final ConfigOption<Duration> DECISION_TIMEOUT = key("fraud.api.decision-timeout").durationType()
            .defaultValue(Duration.ofSeconds(2))
            .withDescription("How long POST /v1/transactions waits for the job's decision before answering 202 with a"
                    + " location to poll.");
    public static final ConfigOption<Boolean> READ_COMMITTED = key("fraud.api.read-committed").booleanType()
            .defaultValue(false)
            .withDescription("Read decisions with isolation.level=read_committed: only decisions whose checkpoint has"
                    + " committed, at the cost of up to a checkpoint interval of latency. Off: the decision is returned"
                    + " as soon as the job writes it (see docs/api.md, 'Decisions and exactly once').");
    public static final ConfigOption<String> FLINK_REST = key("fraud.api.flink-rest").stringType().noDefaultValue()
            .withDescription("The Flink REST address (http://host:8081) /health asks whether the scoring job runs;"
                    + " unset: the job is judged by its output topic only.");
    public static final ConfigOption<Duration> HEALTH_TIMEOUT = key("fraud.api.health-timeout").durationType()
            .defaultValue(Duration.ofSeconds(2))
            .withDescription("Deadline of each /health check (Kafka, PostgreSQL, the job).");
    public static final ConfigOption<Integer> MAX_PENDING = key("fraud.api.max-pending").intType().defaultValue(10_000)
            .withDescription("Requests waiting for a decision at most; past it POST /v1/transactions answers 503.");

    /** All of them, for the documentation. */
    public static final ConfigOption<?>[] ALL = {HOST, PORT, DECISION_TIMEOUT, READ_COMMITTED, FLINK_REST, HEALTH_TIMEOUT, MAX_PENDING};

    private ApiOptions() {}
}
