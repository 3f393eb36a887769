package io.github.fraudflink.cli.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;

/**
 * A local job's progress from Flink's REST API: when all its tasks run, and its checkpoint statistics (the operator
 * metrics are read by the bench's RestMetrics).
 */
public final class JobRest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private JobRest() {}

    /**
     * Waits until every task of the job runs (the REST API's {@code /jobs/:id}), so what is produced next meets a running
     * job. {@code alive} throws if the job has stopped meanwhile (its MiniCluster, and the REST API, go with it). Returns
     * when the last task started running by Flink's own timestamps (epoch ms, {@code subtasktimes}), not when this poll
     * saw it: a short job may be nearly done by then.
     */
    static long awaitRunning(Configuration c, JobID job, Duration timeout, Runnable alive) throws Exception {
        URI uri = LocalFlink.restAddress(c).resolve("/jobs/" + job);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            alive.run();
            HttpResponse<String> r;
            try {
                r = get(uri);
            } catch (IOException e) {
                alive.run(); // a REST API gone with a stopped job: say why the job stopped
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                // the job runs: a failed connection to its REST endpoint is transient (the JDK client's connect retry
                // can fail with ClosedChannelException); ask again
                Thread.sleep(100);
                continue;
            }
            if (r.statusCode() == 200) {
                JsonNode vertices = MAPPER.readTree(r.body()).path("vertices");
                boolean all = vertices.size() > 0;
                for (JsonNode v : vertices) {
                    // a source that has nothing to read (no labels stream) finishes at once: that is fine too
                    all &= "RUNNING".equals(v.path("status").asText()) || "FINISHED".equals(v.path("status").asText());
                }
                if (all) {
                    return lastRunningSince(c, job, vertices);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job's tasks are not all running after " + timeout + "; see the log");
            }
            Thread.sleep(100); // polling the job's state, an observable condition
        }
    }

    /** The latest RUNNING timestamp (epoch ms) of the job's subtasks; now if Flink cannot say (the job is ending). */
    private static long lastRunningSince(Configuration c, JobID job, JsonNode vertices) {
        long last = 0;
        try {
            for (JsonNode v : vertices) {
                URI uri = LocalFlink.restAddress(c).resolve("/jobs/" + job + "/vertices/" + v.path("id").asText() + "/subtasktimes");
                HttpResponse<String> r = get(uri);
                if (r.statusCode() != 200) {
                    return System.currentTimeMillis();
                }
                for (JsonNode t : MAPPER.readTree(r.body()).path("subtasks")) {
                    last = Math.max(last, t.path("timestamps").path("RUNNING").asLong(0));
                }
            }
        } catch (IOException e) {
            return System.currentTimeMillis();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return System.currentTimeMillis();
        }
        return last > 0 ? last : System.currentTimeMillis();
    }

    /** Checkpoint statistics of a running job, from the REST API ({@code /jobs/:id/checkpoints}). */
    public record CheckpointStats(long completed, long failed, long durationP50Ms, long durationMaxMs, long sizeAvgBytes,
            long latestStateSizeBytes) {
        static CheckpointStats fetch(Configuration c, JobID job) throws Exception {
            URI uri = LocalFlink.restAddress(c).resolve("/jobs/" + job + "/checkpoints");
            HttpResponse<String> r = get(uri);
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered " + r.statusCode() + ": " + r.body());
            }
            JsonNode j = MAPPER.readTree(r.body());
            JsonNode d = j.path("summary").path("end_to_end_duration");
            return new CheckpointStats(j.path("counts").path("completed").asLong(), j.path("counts").path("failed").asLong(),
                    d.path("p50").asLong(), d.path("max").asLong(), j.path("summary").path("checkpointed_size").path("avg").asLong(),
                    j.path("latest").path("completed").path("state_size").asLong());
        }
    }

    /** Records a job's task read and wrote so far, by task name (Flink's {@code read-records}, {@code write-records}). */
    public record Vertex(String name, String status, long readRecords, long writeRecords) {}

    /** The job's tasks as the REST API shows them now; empty when it does not answer (the job is gone). */
    public static java.util.List<Vertex> vertices(Configuration c, JobID job) {
        try {
            HttpResponse<String> r = get(LocalFlink.restAddress(c).resolve("/jobs/" + job));
            java.util.List<Vertex> out = new java.util.ArrayList<>();
            if (r.statusCode() == 200) {
                for (JsonNode v : MAPPER.readTree(r.body()).path("vertices")) {
                    out.add(new Vertex(v.path("name").asText(), v.path("status").asText(),
                            v.path("metrics").path("read-records").asLong(), v.path("metrics").path("write-records").asLong()));
                }
            }
            return out;
        } catch (IOException e) {
            return java.util.List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.List.of();
        }
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
