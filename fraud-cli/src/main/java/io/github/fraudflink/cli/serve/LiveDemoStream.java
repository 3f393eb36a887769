package io.github.fraudflink.cli.serve;

import io.github.fraudflink.cli.common.DelayedLabels;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The traffic of {@code ./fraud serve --demo}: the Fraud Detection Handbook simulator, started {@code historyDays}
 * before today. First its history up to now, as fast as the job takes it, each label following 7 days of event time
 * later (source {@code demo}), so the terminal features have labels to learn from; then live: the next simulated
 * transactions at {@code rate} per second, each stamped with the clock (event time = now), their labels due 7 days on.
 * So the review queue fills as a live one would, and a transaction posted to the API fits in the stream.
 */
final class LiveDemoStream implements Runnable {
    private final String bootstrap;
    private final String topic;
    private final String labelsTopic;
    private final int customers;
    private final int historyDays;
    private final double rate;
    private final long seed;
    private final String idPrefix;
    private final java.time.Duration labelDelay;
    volatile long history;
    volatile long live;
    volatile boolean caughtUp;
    private volatile boolean stopped;

    LiveDemoStream(String bootstrap, String topic, String labelsTopic, int customers, int historyDays, double rate, long seed,
            String idPrefix, java.time.Duration labelDelay) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.labelsTopic = labelsTopic;
        this.customers = customers;
        this.historyDays = historyDays;
        this.rate = rate;
        this.seed = seed;
        this.idPrefix = idPrefix;
        this.labelDelay = labelDelay;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(historyDays);
        // days enough for a long session: the simulator makes them lazily
        SimulatorConfig config = SimulatorConfig.defaults().withCustomers(customers).withTerminals(2 * customers)
                .withDays(historyDays + 3650).withStartDate(start).withSeed(seed);
        Iterator<LabelledTransaction> it = new TransactionSimulator(config).iterator();
        DelayedLabels labels = new DelayedLabels(labelsTopic, labelDelay, "demo");
        try (KafkaProducer<byte[], byte[]> producer = KafkaIO.producer(bootstrap)) {
            long t0 = 0;
            while (!stopped && it.hasNext()) {
                LabelledTransaction lt = it.next();
                long now = System.currentTimeMillis();
                if (lt.tx().eventTime > now) {
                    if (!caughtUp) {
                        caughtUp = true;
                        t0 = System.nanoTime();
                        producer.flush();
                    }
                    long wait = t0 + (long) ((live + 1) * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // pacing the live stream, not waiting for a result
                    }
                    lt.tx().eventTime = System.currentTimeMillis();
                }
                if (!(lt.tx().amount > 0)) {
                    continue; // the simulator's rounding makes a few 0.00 amounts, which the job rejects
                }
                lt.tx().transactionId = idPrefix + lt.tx().transactionId;
                producer.send(new ProducerRecord<>(topic, lt.tx().accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(lt.tx())));
                labels.add(lt);
                labels.sendDue(producer, caughtUp ? System.currentTimeMillis() : lt.tx().eventTime, l -> { });
                if (caughtUp) {
                    live++;
                } else {
                    history++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
