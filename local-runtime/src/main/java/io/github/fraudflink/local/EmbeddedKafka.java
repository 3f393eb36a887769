package io.github.fraudflink.local;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka broker (KRaft, broker and controller combined) running inside this JVM,
 * listening on a free loopback port. For the one-command local run and the integration tests;
 * production points the job at a real cluster with {@code --bootstrap-servers}.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private final KafkaClusterTestKit cluster;
    private final Path dataDir;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path dataDir) {
        this.cluster = cluster;
        this.dataDir = dataDir;
    }

    /** Formats a fresh log directory under a new temporary folder and starts the broker. */
    public static EmbeddedKafka start() throws Exception {
        return start(Files.createTempDirectory("fraud-kafka-"));
    }

    /** Starts a broker whose log directories live under {@code dataDir} (deleted on close). */
    public static EmbeddedKafka start(Path dataDir) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(dataDir)
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("log.flush.interval.messages", Long.toString(Long.MAX_VALUE))
                .build();
        try {
            formatLogged(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster, dataDir);
    }

    /**
     * Formats the log directories. Kafka's storage formatter prints its lines ("Formatting metadata directory ...",
     * the bootstrap metadata) on {@link System#out}, where a command's results go: they go to this class's log instead.
     * {@code System.out} is replaced only for the call, under a lock, so concurrent starts restore it correctly.
     */
    private static void formatLogged(KafkaClusterTestKit cluster) throws Exception {
        synchronized (EmbeddedKafka.class) {
            PrintStream stdout = System.out;
            PrintStream toLog = new PrintStream(new LineLogger(), true, StandardCharsets.UTF_8);
            System.setOut(toLog);
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
                toLog.close();
            }
        }
    }

    /** An output stream that logs each line it is given at INFO. */
    private static final class LineLogger extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                flushLine();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void close() {
            flushLine();
        }

        private void flushLine() {
            String s = line.toString(StandardCharsets.UTF_8).strip();
            line.reset();
            if (!s.isEmpty()) {
                LOG.info("kafka storage: {}", s);
            }
        }
    }

    /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
