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
import io.github.fraudflink.data.LabelledTransaction;
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
 * {@code ./fraud bench-labels}: what the labels stream costs a live transaction. One run per scenario, each on a fresh
 * in-process Kafka and MiniCluster, the same live-paced load (event time = the clock), the labels fed as a real feed
 * would: {@code steady} (each transaction labelled a few seconds after it, {@code labelled_at} = now), {@code lagging}
 * (a chargeback feed whose verdicts are two hours old when they arrive), {@code bursty} (labels held back and sent
 * every 20 s at once), {@code paused} (labels for 10 s, then silent for 15 s, over and over), {@code backfill} (steady,
 * plus 3,000 verdicts on transactions of the last two days sent at once mid-run), and {@code without} (no labels
 * stream, the reference). It prints the latency from a transaction's append to Kafka to its score
 * ({@code scored_time - ingest_time}) after a warm-up, the transactions the terminal stage held for the labels, and the
 * labels it counted as late.
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

    @Option(names = "--scenarios", split = ",", defaultValue = "without,steady,lagging,bursty,paused,backfill",
            description = "Scenarios to run, in order: without, steady, lagging, bursty, paused, backfill (default: ${DEFAULT-VALUE}).")
    List<Scenario> scenarios;

    /** How the labels are fed. */
    enum Scenario { without, steady, lagging, bursty, paused, backfill }

    /** One run's figures: sorted latencies (ms) after the warm-up, and the terminal stage's counters at the end. */
    private record Run(Scenario scenario, long[] latencies, long labels, String held, String late, String unaligned) {}

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Run> runs = new ArrayList<>();
        for (Scenario sc : scenarios) {
            runs.add(run(sc));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("append-to-score latency at %,d transactions/s (ms), after %d s of warm-up; the terminal stage's counters:%n",
                rate, warmUp);
        out.printf("  %-10s %7s %7s %7s %7s %8s %8s %8s %8s %9s%n", "labels", "p50", "p99", "p99.9", "max", "scored",
                "labels", "held", "late", "unaligned");
        for (Run r : runs) {
            out.printf("  %-10s %7d %7d %7d %7d %8d %8d %8s %8s %9s%n", r.scenario(), q(r.latencies(), 0.5),
                    q(r.latencies(), 0.99), q(r.latencies(), 0.999), q(r.latencies(), 1), r.latencies().length, r.labels(),
                    r.held(), r.late(), r.unaligned());
        }
        if (json) {
            StringBuilder j = new StringBuilder("{\"rate\":" + rate);
            for (Run r : runs) {
                j.append(String.format(java.util.Locale.ROOT, ",\"%s\":{\"p50_ms\":%d,\"p99_ms\":%d,\"p999_ms\":%d,"
                        + "\"max_ms\":%d,\"scored\":%d,\"labels\":%d,\"held\":\"%s\",\"late\":\"%s\",\"unaligned\":\"%s\"}",
                        r.scenario(), q(r.latencies(), 0.5), q(r.latencies(), 0.99), q(r.latencies(), 0.999),
                        q(r.latencies(), 1), r.latencies().length, r.labels(), r.held(), r.late(), r.unaligned()));
            }
            out.println(j.append('}'));
        }
        return 0;
    }

    private static long q(long[] sorted, double q) {
        return DemoSummary.quantile(sorted, q);
    }

    /** One run: the latencies (ms) of the transactions appended after the warm-up, sorted, and the counters. */
    private Run run(Scenario scenario) throws Exception {
        boolean labels = scenario != Scenario.without;
        PrintWriter err = spec.commandLine().getErr();
        err.printf("run %s: %d s at %,d transactions/s%n", scenario, seconds, rate);
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir.resolve(scenario.name()),
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
            List<LabelledTransaction> recent = new ArrayList<>(); // for the backfill: transactions to label as old ones
            long t0 = System.nanoTime();
            long sent = 0;
            long labelsSent = 0;
            boolean backfilled = false;
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
                    long now = System.currentTimeMillis();
                    tx.eventTime = now; // live: event time is the clock
                    p.send(new ProducerRecord<>(txTopic, tx.accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(tx)));
                    toLabel.add(lt);
                    if (recent.size() < 3_000) {
                        recent.add(lt);
                    }
                    double runSeconds = (System.nanoTime() - t0) / 1e9;
                    boolean open = switch (scenario) {
                        case without -> false;
                        case bursty -> (long) runSeconds % 20 == 19; // a burst in the last second of every 20
                        case paused -> runSeconds % 25 < 10; // 10 s of labels, 15 s of silence
                        default -> true;
                    };
                    while (open && !toLabel.isEmpty() && toLabel.peekFirst().tx().eventTime + labelAfter.toMillis() <= now) {
                        Label l = label(toLabel.pollFirst(), scenario, now);
                        p.send(new ProducerRecord<>(labelTopic, l.transactionId.getBytes(StandardCharsets.UTF_8), LabelJson.write(l)));
                        labelsSent++;
                    }
                    if (scenario == Scenario.backfill && !backfilled && runSeconds >= seconds / 2.0) {
                        backfilled = true; // verdicts on transactions of the last two days, all sent now
                        java.util.Random r = new java.util.Random(7);
                        for (LabelledTransaction old : recent) {
                            Transaction o = copyAt(old.tx(), now - 2 * 86_400_000L + r.nextInt(86_400_000));
                            Label l = Label.of(o, old.fraud(), o.eventTime + r.nextInt(86_400_000), "backfill");
                            p.send(new ProducerRecord<>(labelTopic, l.transactionId.getBytes(StandardCharsets.UTF_8), LabelJson.write(l)));
                            labelsSent++;
                        }
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
            String held = metrics.describe("terminal_held_total", "sum");
            String late = metrics.describe("labels_late_total", "sum");
            String unaligned = metrics.describe("terminal_released_unaligned_total", "sum");
            err.printf("  %,d sent, %,d scored, %,d labels; terminal stage: %s transactions held for the watermark by the"
                    + " end of the warm-up, %s by the end; %s released by the maximum wait; %s labels late%n", sent,
                    scored[0], labelsSent, heldAtWarmUp.get(), held, unaligned, late);
            env.cancelJob();
            return new Run(scenario, latencies.stream().mapToLong(Long::longValue).sorted().toArray(), labelsSent, held,
                    late, unaligned);
        }
    }

    /**
     * The label of a live transaction, sent {@code now}: its verdict made now, or (lagging) two hours ago, about a
     * transaction of the same account and terminal three hours ago. No known_at: the record's timestamp says it.
     */
    private static Label label(LabelledTransaction lt, Scenario scenario, long now) {
        if (scenario == Scenario.lagging) {
            Transaction old = copyAt(lt.tx(), now - 3 * 3_600_000L);
            return Label.of(old, lt.fraud(), now - 2 * 3_600_000L, "chargeback");
        }
        return Label.of(lt.tx(), lt.fraud(), now, "bench");
    }

    /** The transaction with another id and event time (an older one of the same account and terminal). */
    private static Transaction copyAt(Transaction tx, long eventTime) {
        Transaction t = new Transaction(tx.transactionId + "-old", tx.accountId, eventTime, tx.amount);
        t.terminalId = tx.terminalId;
        t.merchantId = tx.merchantId;
        return t;
    }
}
