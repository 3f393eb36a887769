package io.github.fraudflink.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;

/**
 * Flink settings for running the job in this JVM (a MiniCluster): RocksDB with incremental
 * checkpoints in a local folder, exactly-once checkpoints, one slot per parallel instance.
 */
final class LocalFlink {
    private LocalFlink() {}

    static Configuration configuration(Path workDir, int parallelism, Duration checkpointInterval, Integer webUiPort) {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.incremental", "true");
        c.setString("execution.checkpointing.dir", workDir.resolve("checkpoints").toAbsolutePath().toUri().toString());
        c.setString("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toAbsolutePath().toUri().toString());
        c.setString("execution.checkpointing.interval", checkpointInterval.toMillis() + " ms");
        c.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
        c.setString("parallelism.default", Integer.toString(parallelism));
        c.setString("taskmanager.numberOfTaskSlots", Integer.toString(parallelism));
        c.setString("pipeline.generic-types", "false");
        // RocksDB's block cache and write buffers come out of managed memory; a local MiniCluster gets 128 MB unless told,
        // which left the terminal histories of the benchmark's 200,000 terminals mostly outside the cache (reads went to
        // the files: operators' p99 80-110 µs, 2.3 s latency at 80% load); with 512 MB they are 30-40 µs (BENCHMARKS.md)
        c.setString("taskmanager.memory.managed.size", "512m");
        c.setString("restart-strategy.type", "fixed-delay");
        c.setString("restart-strategy.fixed-delay.attempts", "10");
        c.setString("restart-strategy.fixed-delay.delay", "1 s");
        // the REST API (and web UI) always runs, on loopback: the demo reads checkpoint statistics from it
        c.setString("rest.port", Integer.toString(webUiPort != null ? webUiPort : freePort()));
        c.setString("rest.address", "127.0.0.1");
        c.setString("rest.bind-address", "127.0.0.1");
        return c;
    }

    /** The REST API's address in a configuration made here. */
    static java.net.URI restAddress(Configuration c) {
        return java.net.URI.create("http://127.0.0.1:" + c.getString("rest.port", "8081"));
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("no free port on loopback", e);
        }
    }

    /**
     * Waits until every task of the job runs (the REST API's {@code /jobs/:id}), so what is produced next meets a running
     * job. {@code alive} throws if the job has stopped meanwhile (its MiniCluster, and the REST API, go with it). Returns
     * when the last task started running by Flink's own timestamps (epoch ms, {@code subtasktimes}), not when this poll
     * saw it: a short job may be nearly done by then.
     */
    static long awaitRunning(Configuration c, org.apache.flink.api.common.JobID job, Duration timeout, Runnable alive) throws Exception {
        java.net.URI uri = restAddress(c).resolve("/jobs/" + job);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            alive.run();
            java.net.http.HttpResponse<String> r;
            try {
                r = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(uri).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                alive.run(); // a REST API gone with a stopped job: say why the job stopped
                throw e;
            }
            if (r.statusCode() == 200) {
                com.fasterxml.jackson.databind.JsonNode vertices = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("vertices");
                boolean all = vertices.size() > 0;
                for (com.fasterxml.jackson.databind.JsonNode v : vertices) {
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
    private static long lastRunningSince(Configuration c, org.apache.flink.api.common.JobID job,
            com.fasterxml.jackson.databind.JsonNode vertices) {
        long last = 0;
        try {
            for (com.fasterxml.jackson.databind.JsonNode v : vertices) {
                java.net.URI uri = restAddress(c).resolve("/jobs/" + job + "/vertices/" + v.path("id").asText() + "/subtasktimes");
                java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(uri).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    return System.currentTimeMillis();
                }
                for (com.fasterxml.jackson.databind.JsonNode t : new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("subtasks")) {
                    last = Math.max(last, t.path("timestamps").path("RUNNING").asLong(0));
                }
            }
        } catch (java.io.IOException e) {
            return System.currentTimeMillis();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return System.currentTimeMillis();
        }
        return last > 0 ? last : System.currentTimeMillis();
    }

    /** Checkpoint statistics of a running job, from the REST API ({@code /jobs/:id/checkpoints}). */
    record CheckpointStats(long completed, long failed, long durationP50Ms, long durationMaxMs, long sizeAvgBytes,
            long latestStateSizeBytes) {
        static CheckpointStats fetch(Configuration c, org.apache.flink.api.common.JobID job) throws Exception {
            java.net.URI uri = restAddress(c).resolve("/jobs/" + job + "/checkpoints");
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(uri).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered " + r.statusCode() + ": " + r.body());
            }
            com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            com.fasterxml.jackson.databind.JsonNode d = j.path("summary").path("end_to_end_duration");
            return new CheckpointStats(j.path("counts").path("completed").asLong(), j.path("counts").path("failed").asLong(),
                    d.path("p50").asLong(), d.path("max").asLong(), j.path("summary").path("checkpointed_size").path("avg").asLong(),
                    j.path("latest").path("completed").path("state_size").asLong());
        }
    }
}
