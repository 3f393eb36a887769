package io.github.fraudflink.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * {@code GET /health}: Kafka (the cluster answers), PostgreSQL (a trivial query answers, when configured), the scoring
 * job (Flink's REST API lists it running, when {@code fraud.api.flink-rest} is set) and the API's own decisions reader,
 * each within {@code fraud.api.health-timeout}. Healthy: 200; otherwise 503 with the failing checks and their causes.
 */
public final class HealthCheck implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Admin kafka;
    private final DecisionStore store;
    private final DecisionFeed feed;
    private final String flinkRest;
    private final Duration timeout;
    private final HttpClient http;

    public HealthCheck(String bootstrap, DecisionStore store, DecisionFeed feed, String flinkRest, Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        this.kafka = Admin.create(p);
        this.store = store;
        this.feed = feed;
        this.flinkRest = flinkRest == null ? null : flinkRest.replaceAll("/+$", "");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The report; {@code healthy} says whether every check passed. */
    public record Report(boolean healthy, ObjectNode json) {}

    public Report check() {
        ObjectNode checks = JSON.createObjectNode();
        boolean ok = record(checks, "kafka", this::kafkaProblem);
        ok &= record(checks, "decisions", feed::problem);
        if (store != null) {
            ok &= record(checks, "postgres", store::problem);
        } else {
            checks.putObject("postgres").put("status", "not configured");
        }
        if (flinkRest != null) {
            ok &= record(checks, "job", this::jobProblem);
        } else {
            checks.putObject("job").put("status", "not checked (fraud.api.flink-rest unset)");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("status", ok ? "ok" : "unavailable");
        if (!ok) {
            StringBuilder cause = new StringBuilder();
            checks.properties().forEach(e -> {
                if (e.getValue().has("error")) {
                    cause.append(cause.isEmpty() ? "" : "; ").append(e.getKey()).append(": ").append(e.getValue().get("error").asText());
                }
            });
            o.put("cause", cause.toString());
        }
        o.set("checks", checks);
        return new Report(ok, o);
    }

    private static boolean record(ObjectNode checks, String name, Supplier<String> problem) {
        String p;
        try {
            p = problem.get();
        } catch (RuntimeException e) {
            p = e.toString();
        }
        ObjectNode c = checks.putObject(name);
        c.put("status", p == null ? "ok" : "failing");
        if (p != null) {
            c.put("error", p);
        }
        return p == null;
    }

    private String kafkaProblem() {
        try {
            int nodes = kafka.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            return nodes > 0 ? null : "the cluster reports no brokers";
        } catch (Exception e) {
            return "no answer from the brokers within " + timeout.toMillis() + " ms ("
                    + (e.getCause() != null ? e.getCause() : e) + ")";
        }
    }

    private String jobProblem() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(flinkRest + "/jobs/overview"))
                    .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return "Flink's REST API at " + flinkRest + " answered " + r.statusCode();
            }
            for (JsonNode j : JSON.readTree(r.body()).path("jobs")) {
                if ("RUNNING".equals(j.path("state").asText())) {
                    return null;
                }
            }
            return "no job is RUNNING on the Flink cluster at " + flinkRest;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            return "Flink's REST API at " + flinkRest + " did not answer: " + e;
        }
    }

    @Override
    public void close() {
        kafka.close(Duration.ofSeconds(5));
    }
}
