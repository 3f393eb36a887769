package io.github.fraudflink.cli.data;

import io.github.fraudflink.cli.common.DelayedLabels;
import io.github.fraudflink.cli.common.Progress;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.Dataset;
import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud replay}: streams a labelled dataset into the transactions topic in event-time order, at a rate or
 * as fast as possible, and optionally its labels into {@code fraud-labels} once a delay of event time has passed
 * (how chargebacks and analyst verdicts arrive).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Stream a dataset file (simulator output or an imported CSV) into Kafka in event-time order.")
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, description = "Dataset file (.csv/.csv.gz handbook layout, .jsonl/.jsonl.gz, or Kaggle with --format kaggle).")
    Path data;

    @Option(names = "--format", description = "handbook, jsonl or kaggle (default: jsonl for .jsonl files, else handbook).")
    String format;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic", defaultValue = "transactions", description = "Transactions topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rate", defaultValue = "0", description = "Events per second; 0 = as fast as possible (default).")
    int rate;

    @Option(names = "--limit", defaultValue = "0", description = "Stop after this many transactions; 0 = all (default).")
    long limit;

    @Option(names = "--labels-topic", description = "Also send the labels here (e.g. fraud-labels), in the labels contract: {transaction_id,"
            + " account_id, terminal_id, event_time, is_fraud, labelled_at, source: replay}.")
    String labelsTopic;

    @Option(names = "--label-delay", defaultValue = "7d", description = "Event time between a transaction and its label (default: ${DEFAULT-VALUE}).")
    Duration labelDelay;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("no such file: " + data);
        }
        DatasetReader.Format fmt = DatasetReader.Format.of(format, data);
        Dataset ds;
        try (ProgressBar pb = Progress.bytes("read " + data.getFileName(), Files.size(data))) {
            ds = DatasetReader.read(data, fmt, pb::stepTo);
        }
        if (!ds.badRows().isEmpty()) {
            spec.commandLine().getErr().printf("%,d bad rows not replayed, the first: %s%n", ds.badRows().size(), ds.badRows().get(0));
        }
        long n = limit > 0 ? Math.min(limit, ds.rows().size()) : ds.rows().size();
        DelayedLabels labels = labelsTopic == null ? null : new DelayedLabels(labelsTopic, labelDelay, "replay");
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(bootstrap); ProgressBar pb = Progress.bar("replay", n)) {
            for (int i = 0; i < n; i++) {
                LabelledTransaction lt = ds.rows().get(i);
                p.send(new ProducerRecord<>(topic, lt.tx().accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(lt.tx())));
                if (labels != null) {
                    labels.add(lt);
                    labels.sendDue(p, lt.tx().eventTime, l -> { });
                }
                pb.step();
                if (rate > 0) {
                    long wait = t0 + (long) ((i + 1) * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // pacing to the requested rate
                    }
                }
            }
            p.flush();
        }
        spec.commandLine().getOut().printf("replayed %,d transactions to %s%s in %.1f s%n", n, topic,
                labelsTopic == null ? "" : String.format(" and %,d labels to %s (the last %s of event time have no label yet)",
                        labels.sent(), labelsTopic, labelDelay), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
