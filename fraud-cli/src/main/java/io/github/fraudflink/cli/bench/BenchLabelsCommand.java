package io.github.fraudflink.cli.bench;

import io.github.fraudflink.cli.demo.DemoSummary;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelJson;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./fraud bench-labels}: what the labels stream costs a live transaction. Two runs on a fresh in-process Kafka
 * and MiniCluster each, the same live-paced load (event time = the clock): one with labels flowing as they would in
 * production (each transaction labelled a few seconds after it, {@code labelled_at} = now), one without a labels
 * stream. It prints the latency from a transaction's append to Kafka to its score ({@code scored_time - ingest_time})
 * of both, after a warm-up, so the difference is the terminal stage's alignment and the labels' traffic.
 */
@Command(name = "bench-labels", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark the labels stream's cost to live transactions: append-to-score latency with and without labels.")
public final class BenchLabelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--rate", defaultValue = "500", description = "Transactions per second, and as many labels (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "40", description = "Length of each run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warm-up", defaultValue = "10", description = "Seconds at the start of each run left out of the figures (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--label-after", defaultValue = "5s", description = "How long after its transaction a label is sent (default: ${DEFAULT-VALUE}).")
    Duration labelAfter;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "2", description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--work-dir", defaultValue = ".fraud/bench-labels", description = "Working directory (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--without-first", description = "Run without labels first (the first run of the JVM warms it up).")
    boolean withoutFirst;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        long[] without = withoutFirst ? run(false) : null;
        long[] with = run(true);
        if (!withoutFirst) {
            without = run(false);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("append-to-score latency at %,d transactions/s (ms), after %d s of warm-up:%n", rate, warmUp);
        out.printf("  %-16s %8s %8s %8s %8s %8s%n", "", "p50", "p99", "p99.9", "max", "scored");
        print(out, "with labels", with);
        print(out, "without labels", without);
        if (json) {
            out.printf("{\"rate\":%d,\"with_p50_ms\":%d,\"with_p99_ms\":%d,\"with_p999_ms\":%d,\"with_max_ms\":%d,"
                    + "\"without_p50_ms\":%d,\"without_p99_ms\":%d,\"without_p999_ms\":%d,\"without_max_ms\":%d}%n", rate,
                    q(with, 0.5), q(with, 0.99), q(with, 0.999), q(with, 1), q(without, 0.5), q(without, 0.99),
                    q(without, 0.999), q(without, 1));
        }
        return 0;
    }

    private static void print(PrintWriter out, String what, long[] l) {
        out.printf("  %-16s %8d %8d %8d %8d %8d%n", what, q(l, 0.5), q(l, 0.99), q(l, 0.999), q(l, 1), l.length);
    }

    private static long q(long[] sorted, double q) {
        return DemoSummary.quantile(sorted, q);
    }

    /** One run; returns the sorted latencies (ms) of the transactions appended after the warm-up. */
    private long[] run(boolean labels) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("run %s labels: %d s at %,d transactions/s%n", labels ? "with" : "without", seconds, rate);
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir.resolve(labels ? "with" : "without"),
                parallelism, Duration.ofSeconds(2), null, null, null, LocalEnvironment.Postgres.none()), err)) {
            String txTopic = env.configuration().get(JobOptions.TOPIC_TRANSACTIONS);
            String labelTopic = env.configuration().get(JobOptions.TOPIC_LABELS);
            if (!labels) {
                env.configuration().set(JobOptions.TOPIC_LABELS, "");
            }
            org.apache.flink.core.execution.JobClient job = env.submit("bench-labels");
            long start = System.currentTimeMillis();
            Iterator<LabelledTransaction> sim = new TransactionSimulator(SimulatorConfig.defaults().withCustomers(5000)
                    .withTerminals(10000).withDays(60)).iterator();
            ArrayDeque<LabelledTransaction> toLabel = new ArrayDeque<>();
            long t0 = System.nanoTime();
            long sent = 0;
            // the terminal stage's hold counter at the end of the warm-up, read beside the load
            java.util.concurrent.CompletableFuture<String> heldAtWarmUp = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    TimeUnit.SECONDS.sleep(warmUp); // the end of the warm-up is a point in time, not a result
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new RestMetrics(env.configuration(), job.getJobID()).describe("terminal_held_total", "sum");
            });
            try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(env.bootstrapServers())) {
                while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(seconds) && sim.hasNext()) {
                    LabelledTransaction lt = sim.next();
                    Transaction tx = lt.tx();
                    if (!(tx.amount > 0)) {
                        continue;
                    }
                    tx.eventTime = System.currentTimeMillis(); // live: event time is the clock
                    p.send(new ProducerRecord<>(txTopic, tx.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(tx)));
                    toLabel.add(lt);
                    while (labels && !toLabel.isEmpty() && toLabel.peekFirst().tx().eventTime + labelAfter.toMillis() <= System.currentTimeMillis()) {
                        Label l = label(toLabel.pollFirst());
                        p.send(new ProducerRecord<>(labelTopic, l.transactionId.getBytes(StandardCharsets.UTF_8), LabelJson.write(l)));
                    }
                    sent++;
                    long wait = t0 + (long) (sent * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // pacing the load generator, not waiting for a result
                    }
                }
            }
            RestMetrics metrics = new RestMetrics(env.configuration(), job.getJobID());
            List<Long> latencies = new ArrayList<>();
            long[] scored = {0};
            try (var r = new KafkaIO.CommittedReader(env.bootstrapServers(), env.configuration().get(JobOptions.TOPIC_SCORED), false)) {
                r.readUntil(sent, Duration.ofMinutes(2)).forEach(rec -> {
                    ScoredTransaction s = ScoredTransactionJson.read(rec.value());
                    scored[0]++;
                    if (s.ingestTime >= start + warmUp * 1000L) {
                        latencies.add(s.scoredTime - s.ingestTime);
                    }
                });
            }
            err.printf("  %,d sent, %,d scored; terminal stage: %s transactions held for the watermark by the end of the"
                    + " warm-up, %s by the end; %s released by the maximum wait%n", sent, scored[0], heldAtWarmUp.get(),
                    metrics.describe("terminal_held_total", "sum"), metrics.describe("terminal_released_unaligned_total", "sum"));
            env.cancelJob();
            return latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        }
    }

    private static Label label(LabelledTransaction lt) {
        return Label.of(lt.tx(), lt.fraud(), System.currentTimeMillis(), "bench");
    }
}
