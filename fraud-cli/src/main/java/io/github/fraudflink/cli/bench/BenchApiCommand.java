package io.github.fraudflink.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.api.ApiOptions;
import io.github.fraudflink.api.ApiServer;
import io.github.fraudflink.cli.local.LocalEnvironment;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./fraud bench-api}: the latency of {@code POST /v1/transactions} (request sent to the job's decision back) at
 * a sustained request rate, on the local stack (in-process Kafka, the job on a MiniCluster with RocksDB and exactly-once
 * checkpoints, PostgreSQL unless {@code --no-postgres}). Open loop: requests leave on a fixed schedule whatever the
 * answers, and each latency is measured from its scheduled time, so a stall shows in the figures instead of slowing the
 * load down. Prints the percentiles of the measured period (after {@code --warmup}) and how many got their decision.
 */
@Command(name = "bench-api", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark the REST API: decision latency of POST /v1/transactions at a sustained request rate.")
public final class BenchApiCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--rate", defaultValue = "200", description = "Requests per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "60s", description = "Measured period (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "20s", description = "Load before measuring (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--accounts", defaultValue = "2000", description = "Accounts the requests spread over (default: ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--read-committed", description = "The API returns only committed decisions (fraud.api.read-committed).")
    boolean readCommitted;

    @Option(names = "--no-postgres", description = "Run the job without its PostgreSQL sink.")
    boolean noPostgres;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", description = "The job's checkpoint interval (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--buffer-timeout", defaultValue = "5ms", description = "The job's network buffer timeout"
            + " (execution.buffer-timeout.interval; Flink's default is 100 ms): how long a record may wait in a buffer"
            + " between two tasks (default: ${DEFAULT-VALUE}, the latency profile of docs/api.md).")
    Duration bufferTimeout;

    @Option(names = "--linger", defaultValue = "0ms", description = "The job's Kafka sinks' linger.ms (fraud.kafka.producer.linger;"
            + " the job's default is 20 ms) (default: ${DEFAULT-VALUE}, the latency profile of docs/api.md).")
    Duration linger;

    @Option(names = "--decision-timeout", defaultValue = "10s", description = "fraud.api.decision-timeout (default: ${DEFAULT-VALUE}).")
    Duration decisionTimeout;

    @Option(names = "--work-dir", defaultValue = ".fraud/bench-api", description = "Checkpoints and data (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--json", description = "Also print the figures as one JSON object on the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (rate <= 0 || accounts <= 0 || duration.isNegative() || duration.isZero() || warmup.isNegative()) {
            throw new IllegalArgumentException("--rate, --accounts and --duration must be positive, --warmup not negative");
        }
        PrintWriter err = spec.commandLine().getErr();
        String key = "bench-" + System.nanoTime();
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir, 2, checkpointInterval, null, null,
                null, noPostgres ? LocalEnvironment.Postgres.none() : LocalEnvironment.Postgres.startHere()), err)) {
            env.configuration().setString("execution.buffer-timeout.interval", bufferTimeout.toMillis() + " ms");
            env.configuration().set(io.github.fraudflink.job.JobOptions.PRODUCER_LINGER, linger);
            env.submit("fraud-scoring-bench-api");
            Configuration c = new Configuration(env.configuration());
            c.set(ApiOptions.PORT, 0);
            c.set(ApiOptions.READ_COMMITTED, readCommitted);
            c.set(ApiOptions.DECISION_TIMEOUT, decisionTimeout);
            try (ApiServer api = ApiServer.start(c, key)) {
                Result r = load(api.port(), key, err);
                r.print(spec.commandLine().getOut(), this);
                if (json) {
                    spec.commandLine().getOut().println(r.json(this));
                }
                spec.commandLine().getOut().flush();
                return r.decided == r.sent ? 0 : 1;
            }
        }
    }

    /** What the measured period gave: latencies (ms) of the decided requests, and the counts. */
    record Result(double[] latencyMs, double[] inJobMs, double[] afterJobMs, long sent, long decided, long pending, long failed,
            double achievedRate) {
        double percentile(double p) {
            return percentile(latencyMs, p);
        }

        static double percentile(double[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        void print(PrintWriter out, BenchApiCommand o) {
            out.printf("POST /v1/transactions at %d requests/s for %s (%s decisions, %s, checkpoints every %s, buffer timeout"
                    + " %s, linger %s):%n", o.rate, o.duration, o.readCommitted ? "committed" : "uncommitted",
                    o.noPostgres ? "no PostgreSQL" : "with PostgreSQL", o.checkpointInterval, o.bufferTimeout, o.linger);
            out.printf("  sent %,d (%.0f/s achieved), decided %,d, pending (202) %,d, failed %,d%n", sent, achievedRate,
                    decided, pending, failed);
            out.printf("  latency ms: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n", percentile(50), percentile(90),
                    percentile(99), percentile(99.9), latencyMs.length == 0 ? Double.NaN : latencyMs[latencyMs.length - 1]);
            out.printf("  of which in the job (ingest to scored, its clock): p50 %.0f  p99 %.0f; scored to answered: p50 %.0f  p99 %.0f%n",
                    percentile(inJobMs, 50), percentile(inJobMs, 99), percentile(afterJobMs, 50), percentile(afterJobMs, 99));
        }

        String json(BenchApiCommand o) {
            ObjectNode j = JSON.createObjectNode().put("rate", o.rate).put("duration_s", o.duration.toSeconds())
                    .put("read_committed", o.readCommitted).put("postgres", !o.noPostgres)
                    .put("buffer_timeout_ms", o.bufferTimeout.toMillis()).put("linger_ms", o.linger.toMillis()).put("sent", sent)
                    .put("decided", decided).put("pending", pending).put("failed", failed).put("achieved_rate", achievedRate)
                    .put("p50_ms", percentile(50)).put("p90_ms", percentile(90)).put("p99_ms", percentile(99))
                    .put("p999_ms", percentile(99.9)).put("max_ms", latencyMs.length == 0 ? Double.NaN : latencyMs[latencyMs.length - 1]);
            return j.toString();
        }
    }

    private Result load(int port, String key, PrintWriter err) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/transactions");
        SplittableRandom random = new SplittableRandom(1);
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> inJob = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> afterJob = new ConcurrentLinkedQueue<>();
        AtomicLong decided = new AtomicLong();
        AtomicLong pending = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong outstanding = new AtomicLong();
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        long sent = 0;
        long measuredSent = 0;
        err.println("warming up for " + warmup + ", then measuring for " + duration + " at " + rate + " requests/s ...");
        err.flush();
        for (long i = 0; ; i++) {
            long scheduled = start + i * intervalNanos;
            if (scheduled >= end) {
                break;
            }
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the open-loop schedule, not a wait for a result
            }
            boolean measured = scheduled >= measureFrom;
            String body = JSON.createObjectNode().put("transaction_id", "api-bench-" + i)
                    .put("account_id", "A" + random.nextInt(accounts)).put("amount", Math.round(random.nextDouble(1, 500) * 100) / 100.0)
                    .put("terminal_id", "T" + random.nextInt(accounts * 2)).put("event_time", Instant.now().toString()).toString();
            outstanding.incrementAndGet();
            sent++;
            if (measured) {
                measuredSent++;
            }
            http.sendAsync(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                            .header("Content-Type", "application/json").timeout(decisionTimeout.plusSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((resp, e) -> {
                        long done = System.nanoTime();
                        outstanding.decrementAndGet();
                        if (!measured) {
                            return;
                        }
                        if (e != null || (resp.statusCode() != 200 && resp.statusCode() != 202)) {
                            failed.incrementAndGet();
                        } else if (resp.statusCode() == 202) {
                            pending.incrementAndGet();
                        } else {
                            decided.incrementAndGet();
                            latencies.add((done - scheduled) / 1e6);
                            long wallDone = System.currentTimeMillis();
                            try {
                                com.fasterxml.jackson.databind.JsonNode d = JSON.readTree(resp.body());
                                long ingest = Instant.parse(d.get("ingest_time").asText()).toEpochMilli();
                                long scored = Instant.parse(d.get("scored_time").asText()).toEpochMilli();
                                inJob.add((double) (scored - ingest));
                                afterJob.add((double) (wallDone - scored));
                            } catch (Exception ex) {
                                // a decision without the times: counted, not broken down
                            }
                        }
                    });
        }
        double achieved = measuredSent / (duration.toNanos() / 1e9);
        long deadline = System.nanoTime() + decisionTimeout.plusSeconds(15).toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50); // the last answers
        }
        return new Result(sorted(latencies), sorted(inJob), sorted(afterJob), measuredSent, decided.get(), pending.get(),
                failed.get() + Math.max(0, outstanding.get()), achieved);
    }

    private static double[] sorted(ConcurrentLinkedQueue<Double> q) {
        double[] l = q.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(l);
        return l;
    }
}
