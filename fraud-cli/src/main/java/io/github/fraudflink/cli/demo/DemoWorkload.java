package io.github.fraudflink.cli.demo;

import io.github.fraudflink.cli.common.DelayedLabels;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.BadEvents;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The demo's traffic: {@code events} messages to the transactions topic, each a transaction of the Fraud Detection
 * Handbook simulator or, with probability {@code badShare}, a malformed message of the {@link BadEvents} corpus;
 * paced at {@code rate} events/s (0: as fast as possible). With a labels topic, each simulated transaction's label
 * follows once {@code labelDelay} of event time has passed in the stream ({@link DelayedLabels}, source {@code demo}).
 * Seeded: same arguments, same messages (transaction ids carry {@code idPrefix}, so the runs sharing a Kafka or
 * PostgreSQL do not collide).
 */
public final class DemoWorkload {
    private final int events;
    private final SimulationSize size;
    private final long seed;
    private final double badShare;
    private final int rate;
    private final String idPrefix;
    private final Duration labelDelay;
    private final Produced produced = new Produced();
    private volatile boolean stopped;

    DemoWorkload(int events, SimulationSize size, long seed, double badShare, int rate, String idPrefix, Duration labelDelay) {
        this.events = events;
        this.size = size;
        this.seed = seed;
        this.badShare = badShare;
        this.rate = rate;
        this.idPrefix = idPrefix;
        this.labelDelay = labelDelay;
    }

    /**
     * How large a simulation the demo runs for {@code events} events: what the user set wins, the rest is derived so
     * the simulation never runs out. Customers: one per {@value #EVENTS_PER_CUSTOMER} events (100,000 events, the
     * default, give the 2,000 customers the demo always had), within [{@value #MIN_CUSTOMERS},
     * {@value #MAX_CUSTOMERS}] so that every customer has terminals in reach and the simulator's look-ahead (14 days
     * of transactions) stays small. Days: enough for {@value #TX_PER_CUSTOMER_DAY} transaction per customer and day,
     * about half the handbook's mean of 2 (a Poisson draw of a U(0,4) rate, minus the ~3% of times dropped outside the
     * day): room for an unlucky draw of customer profiles. More days cost nothing: the simulator makes days lazily,
     * and the demo stops at {@code events}.
     */
    public record SimulationSize(int customers, int days) {
        static final int EVENTS_PER_CUSTOMER = 50;
        static final int MIN_CUSTOMERS = 500;
        static final int MAX_CUSTOMERS = 50_000;
        static final double TX_PER_CUSTOMER_DAY = 1.0;

        /** The size for {@code events}; {@code customers} and {@code days} are the user's flags, null when not given. */
        public static SimulationSize forEvents(int events, Integer customers, Integer days) {
            int c = customers != null ? customers
                    : (int) Math.max(MIN_CUSTOMERS, Math.min(MAX_CUSTOMERS, Math.ceil(events / (double) EVENTS_PER_CUSTOMER)));
            int d = days != null ? days
                    : (int) Math.min(Integer.MAX_VALUE, Math.max(2, (long) Math.ceil(events / (c * TX_PER_CUSTOMER_DAY)) + 1));
            return new SimulationSize(c, d);
        }

        /** The simulator's configuration: twice as many terminals as customers, as the demo always had. */
        public SimulatorConfig config(long seed) {
            return SimulatorConfig.defaults().withCustomers(customers).withTerminals(2 * customers).withDays(days).withSeed(seed);
        }
    }

    /** What was sent so far: written by the producing thread, read by the one following the output. */
    static final class Produced {
        volatile long sent;
        volatile long valid;
        volatile long bad;
        /** Time it took to send everything, 0 until then. */
        volatile long nanos;
        final Set<String> frauds = ConcurrentHashMap.newKeySet();
        /** Labels sent, and the transactions they label. */
        volatile long labels;
        final Set<String> labelled = ConcurrentHashMap.newKeySet();
        /** Event time (epoch ms) of the first and the last simulated transaction sent; 0 before the first. */
        volatile long firstEventTime;
        volatile long lastEventTime;

        /** The event time the stream covered so far. */
        Duration eventTimeSpan() {
            return Duration.ofMillis(lastEventTime - firstEventTime);
        }
    }

    Produced produced() {
        return produced;
    }

    SimulationSize size() {
        return size;
    }

    Duration labelDelay() {
        return labelDelay;
    }

    /**
     * Produces the workload on another thread (so output is read while it is produced), the labels to
     * {@code labelsTopic} unless it is null; the future fails with what stopped it.
     */
    CompletableFuture<Void> startProducing(String bootstrap, String topic, String labelsTopic) {
        long start = System.nanoTime();
        return CompletableFuture.runAsync(() -> {
            try {
                produce(bootstrap, topic, labelsTopic);
                produced.nanos = System.nanoTime() - start;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    /** Stops producing early (when the run failed): the producing thread ends at its next message. */
    void stop() {
        stopped = true;
    }

    private void produce(String bootstrap, String topic, String labelsTopic) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        List<BadEvents.BadEvent> corpus = BadEvents.corpus("demo");
        Iterator<LabelledTransaction> it = new TransactionSimulator(size.config(seed)).iterator();
        long t0 = System.nanoTime();
        long simulated = 0;
        DelayedLabels labels = labelsTopic == null ? null : new DelayedLabels(labelsTopic, labelDelay, "demo");
        try (KafkaProducer<byte[], byte[]> producer = KafkaIO.producer(bootstrap)) {
            for (long i = 0; i < events && !stopped; i++) {
                byte[] key;
                byte[] value;
                LabelledTransaction lt = null;
                if (r.nextDouble() < badShare) {
                    key = null;
                    value = corpus.get(r.nextInt(corpus.size())).bytes();
                    produced.bad++;
                } else {
                    if (!it.hasNext()) {
                        throw new IllegalStateException("the simulation of " + size.customers() + " customers over " + size.days()
                                + " days made only " + simulated + " transactions, fewer than --events " + events
                                + "; raise --customers or --days, or leave both out and the demo sizes the simulation to --events");
                    }
                    lt = it.next();
                    simulated++;
                    if (produced.firstEventTime == 0) {
                        produced.firstEventTime = lt.tx().eventTime;
                    }
                    produced.lastEventTime = lt.tx().eventTime;
                    lt.tx().transactionId = idPrefix + lt.tx().transactionId;
                    key = lt.tx().accountId.getBytes(StandardCharsets.UTF_8);
                    value = TransactionJson.write(lt.tx());
                    if (!(lt.tx().amount > 0)) {
                        produced.bad++; // the handbook's rounding makes a few 0.00 amounts: the job rejects them
                    } else {
                        produced.valid++;
                        if (lt.fraud()) {
                            produced.frauds.add(lt.tx().transactionId);
                        }
                    }
                }
                producer.send(new ProducerRecord<>(topic, key, value));
                if (labels != null && lt != null) {
                    labels.add(lt);
                    produced.labels += labels.sendDue(producer, lt.tx().eventTime, l -> produced.labelled.add(l.transactionId));
                }
                produced.sent = i + 1;
                if (rate > 0) {
                    long wait = t0 + (long) ((i + 1) * 1e9 / rate) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // pacing the load generator, not waiting for a result
                    }
                }
            }
            producer.flush();
        }
    }
}
