package io.github.fraudflink.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.cli.local.LocalFlink;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;

/**
 * Operator metrics of a running local job, read from Flink's REST API ({@code /jobs/:id/vertices/:v/subtasks/metrics}):
 * a metric whose id ends in a given suffix, aggregated over the subtasks of every vertex that has it. The REST API's
 * metric store fills a few seconds after the first request, so a read asks a few times before it says "none".
 */
final class RestMetrics {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI details;
    private final URI base;

    RestMetrics(Configuration conf, JobID job) {
        this.details = LocalFlink.restAddress(conf).resolve("/jobs/" + job);
        this.base = LocalFlink.restAddress(conf).resolve("/jobs/" + job + "/");
    }

    /**
     * The metric ending in {@code suffix}, aggregated with {@code agg} ("sum", "max", "min", "avg") over the subtasks,
     * and summed (for "sum") or maxed (otherwise) over the vertices; empty when no vertex has it.
     */
    OptionalDouble read(String suffix, String agg) throws Exception {
        return read(suffix, agg, 10);
    }

    /** {@link #read}, asking once: empty when the metric store has nothing yet. */
    OptionalDouble readNow(String suffix, String agg) throws Exception {
        return read(suffix, agg, 1);
    }

    private OptionalDouble read(String suffix, String agg, int attempts) throws Exception {
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                TimeUnit.SECONDS.sleep(2); // the REST metric store has not fetched yet: an observable condition
            }
            double total = 0;
            int found = 0;
            for (JsonNode v : MAPPER.readTree(get(details)).path("vertices")) {
                String metrics = base.resolve("vertices/" + v.path("id").asText() + "/subtasks/metrics").toString();
                for (JsonNode m : MAPPER.readTree(get(URI.create(metrics)))) {
                    String id = m.path("id").asText();
                    if (id.equals(suffix) || id.endsWith("." + suffix)) {
                        JsonNode values = MAPPER.readTree(get(URI.create(metrics + "?get="
                                + URLEncoder.encode(id, StandardCharsets.UTF_8) + "&agg=" + agg)));
                        double x = values.path(0).path(agg).asDouble();
                        total = found == 0 ? x : "sum".equals(agg) ? total + x : Math.max(total, x);
                        found++;
                    }
                }
            }
            if (found > 0) {
                return OptionalDouble.of(total);
            }
        }
        return OptionalDouble.empty();
    }

    /** {@link #read} as text for a report: the value, "(no metric ...)" or what went wrong. */
    String describe(String suffix, String agg) {
        try {
            OptionalDouble d = read(suffix, agg);
            return d.isPresent() ? String.format("%,d", (long) d.getAsDouble()) : "(no metric " + suffix + ")";
        } catch (Exception e) {
            return "(" + e + ")";
        }
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
