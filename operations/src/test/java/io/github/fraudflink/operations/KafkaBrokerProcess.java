package io.github.fraudflink.operations;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker in a JVM of its own, started from the Kafka jars of the test classpath ({@code kafka_2.13}, the
 * version the job's clients are built on): KRaft, broker and controller combined, one node, on 127.0.0.1. It can be
 * killed ({@code SIGKILL}) and started again on the same data directory and port.
 */
final class KafkaBrokerProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final List<String> command;
    private Process process;

    private KafkaBrokerProcess(Path dir, int port, List<String> command) {
        this.dir = dir;
        this.port = port;
        this.command = command;
    }

    /** The jars of this JVM's classpath (Maven's test classpath), checked to hold the Kafka server. */
    private static String classpath() {
        String jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith(".jar")).collect(Collectors.joining(File.pathSeparator));
        if (!jars.contains("kafka_2.13-")) {
            throw new IllegalStateException("the test classpath has no kafka_2.13 jar: " + jars);
        }
        return jars;
    }

    /** Writes the configuration under {@code dir}, formats the storage (a new cluster id) and starts the broker. */
    static KafkaBrokerProcess start(Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = Repo.freePort();
        int controllerPort = Repo.freePort();
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", dir.resolve("data").toString());
        p.setProperty("num.partitions", "4");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("auto.create.topics.enable", "false");
        Path config = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            p.store(out, "single-node KRaft broker of a test");
        }
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n",
                "appender.out.type = Console", "appender.out.name = out", "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n", "rootLogger.level = INFO",
                "rootLogger.appenderRef.out.ref = out", "logger.state.name = state.change.logger", "logger.state.level = WARN",
                ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = classpath();
        List<String> jvm = List.of(java, "-Xms256m", "-Xmx512m", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4j.toUri(), "-cp", cp);

        List<String> format = new java.util.ArrayList<>(jvm);
        format.addAll(List.of("kafka.tools.StorageTool", "format", "--standalone", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString()));
        Repo.Run r = Repo.run(dir, 120, format.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IllegalStateException("kafka-storage format failed: " + r.output());
        }
        List<String> server = new java.util.ArrayList<>(jvm);
        server.addAll(List.of("kafka.Kafka", config.toString()));
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, port, server);
        broker.start();
        return broker;
    }

    /** Starts the broker JVM (again) and waits until it answers a metadata request. */
    void start() throws Exception {
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (Admin admin = Admin.create(p)) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited (" + process.exitValue() + "); see " + log());
                }
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the Kafka broker is not up after 90 s; see " + log(), e);
                    }
                }
                TimeUnit.MILLISECONDS.sleep(200); // polling a server that is starting
            }
        }
    }

    /** {@code kill -9} of the broker JVM. */
    void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    Path log() {
        return dir.resolve("broker.log");
    }

    /** Stops the broker (SIGTERM, a controlled shutdown), killing it if it does not end within 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
