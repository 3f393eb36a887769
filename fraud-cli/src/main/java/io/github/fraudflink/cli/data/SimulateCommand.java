package io.github.fraudflink.cli.data;

import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.trainer.sim.HandbookCsvWriter;
import io.github.fraudflink.trainer.sim.JsonLinesWriter;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud simulate}: writes a seeded synthetic dataset (the Fraud Detection Handbook's simulator) to a file. */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate labelled transactions with the Fraud Detection Handbook's simulator (customers,"
                + " terminals, three fraud scenarios). Same options and seed, same bytes."})
public final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out",
            description = "Output file: .csv or .csv.gz (the handbook's raw layout), .jsonl or .jsonl.gz (the job's input JSON plus is_fraud, fraud_scenario).")
    Path out;

    @Option(names = "--bootstrap-servers", description = "Stream to this Kafka instead of writing a file (key: account_id, value: the job's input JSON).")
    String bootstrapServers;

    @Option(names = "--topic", defaultValue = "transactions", description = "Topic to stream to (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rate", defaultValue = "0", description = "Events per second when streaming; 0 = as fast as possible (default).")
    int rate;

    @Option(names = "--customers", defaultValue = "5000", description = "Customers (accounts) (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = "--terminals", defaultValue = "10000", description = "Terminals (default: ${DEFAULT-VALUE}).")
    int terminals;

    @Option(names = "--days", defaultValue = "180", description = "Days to simulate (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--start", defaultValue = "2018-04-01", description = "First day (default: ${DEFAULT-VALUE}).")
    LocalDate start;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        SimulatorConfig cfg = SimulatorConfig.defaults().withCustomers(customers).withTerminals(terminals).withDays(days)
                .withStartDate(start).withSeed(seed);
        TransactionSimulator sim = new TransactionSimulator(cfg);
        if ((out == null) == (bootstrapServers == null)) {
            throw new IllegalArgumentException("give either --out FILE or --bootstrap-servers HOST:PORT");
        }
        if (bootstrapServers != null) {
            return stream(sim);
        }
        String name = out.getFileName().toString();
        boolean csv = name.endsWith(".csv") || name.endsWith(".csv.gz");
        boolean jsonl = name.endsWith(".jsonl") || name.endsWith(".jsonl.gz");
        if (!csv && !jsonl) {
            throw new IllegalArgumentException("--out must end with .csv, .csv.gz, .jsonl or .jsonl.gz, got " + name);
        }
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        long expected = Math.round(customers * 2.0 * days); // the simulator's mean rate: 2 transactions a customer a day
        long n;
        try (ProgressBar pb = Progress.bar("simulate", expected)) {
            Iterable<LabelledTransaction> counted = () -> new Iterator<>() {
                private final Iterator<LabelledTransaction> it = sim.iterator();

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public LabelledTransaction next() {
                    pb.step();
                    return it.next();
                }
            };
            n = csv ? HandbookCsvWriter.write(counted, start, out) : JsonLinesWriter.write(counted, out);
            pb.maxHint(n);
            pb.stepTo(n);
        }
        spec.commandLine().getOut().printf("wrote %,d transactions (%d customers, %d terminals, %d days from %s, seed %d) to %s (%,d bytes)%n",
                n, customers, terminals, days, start, seed, out, Files.size(out));
        return 0;
    }

    /** Streams the simulation to Kafka in event-time order, paced to {@code --rate}. */
    private int stream(TransactionSimulator sim) throws Exception {
        long expected = Math.round(customers * 2.0 * days);
        long n = 0;
        long t0 = System.nanoTime();
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> p = io.github.fraudflink.local.KafkaIO.producer(bootstrapServers);
                ProgressBar pb = Progress.bar("stream " + topic, expected)) {
            for (LabelledTransaction lt : sim) {
                p.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic,
                        lt.tx().accountId.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        io.github.fraudflink.features.TransactionJson.write(lt.tx())));
                n++;
                pb.step();
                if (rate > 0) {
                    long wait = t0 + (long) (n * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.TimeUnit.NANOSECONDS.sleep(wait); // pacing to the requested rate
                    }
                }
            }
            p.flush();
            pb.maxHint(n);
            pb.stepTo(n);
        }
        spec.commandLine().getOut().printf("streamed %,d transactions to %s on %s in %.1f s%n", n, topic, bootstrapServers,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
