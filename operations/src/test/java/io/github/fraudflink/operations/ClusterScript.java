package io.github.fraudflink.operations;

import io.github.fraudflink.job.JobOptions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * {@code scripts/flink-cluster.sh} as the tests run it: the project's flink-conf/ with ports and directories of the
 * test's own, every address on 127.0.0.1, the cluster's JVMs on the test's JDK.
 */
final class ClusterScript implements AutoCloseable {
    /** Ports of the Prometheus reporter range: the JobManager, its TaskManagers and those started in place of lost ones. */
    static final int METRICS_PORTS = 6;

    private final Path dir;
    private final Map<String, String> env = new HashMap<>();
    final int restPort;
    final int metricsPort;

    /**
     * @param dir       the cluster's configuration, logs, pid files, checkpoints and savepoints go here
     * @param env       more environment of the script and so of the cluster's JVMs (e.g. a database password)
     * @param extraYaml top-level lines appended to config.yaml
     */
    ClusterScript(Path dir, Map<String, String> env, String... extraYaml) throws IOException {
        this(dir, 0, env, extraYaml);
    }

    /**
     * @param slots     task slots of each TaskManager in place of config.yaml's (0: config.yaml's), e.g. for more
     *                  than one job on the cluster
     */
    ClusterScript(Path dir, int slots, Map<String, String> env, String... extraYaml) throws IOException {
        this.dir = dir;
        restPort = Repo.freePort();
        metricsPort = Repo.freePort();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        String data = Files.createDirectories(dir.resolve("flink")).toUri().toString(); // ends with a slash
        String yaml = Files.readString(Repo.root().resolve("flink-conf/config.yaml"))
                .replace("port: 6123", "port: " + Repo.freePort())
                .replace("port: 8081", "port: " + restPort)
                .replace("port: 9249-9260", "port: " + metricsPort + "-" + (metricsPort + METRICS_PORTS - 1))
                .replace("file:///tmp/fraud-flink/", data)
                .replace("localhost", "127.0.0.1");
        if (slots > 0) {
            assertThat(yaml).containsOnlyOnce("  numberOfTaskSlots: ");
            yaml = yaml.replaceFirst("(?m)^  numberOfTaskSlots: \\d+$", "  numberOfTaskSlots: " + slots);
            assertThat(yaml).contains("  numberOfTaskSlots: " + slots + "\n");
        }
        assertThat(yaml).doesNotContain("/tmp/fraud-flink").doesNotContain("localhost").contains("port: " + restPort);
        Files.writeString(conf.resolve("config.yaml"), yaml + "\n" + String.join("\n", extraYaml) + "\n");
        for (String f : new String[] {"log4j.properties", "log4j-console.properties"}) {
            Files.copy(Repo.root().resolve("flink-conf/" + f), conf.resolve(f));
        }
        this.env.putAll(env);
        this.env.put("FLINK_CONF_DIR", conf.toString());
        this.env.put("FLINK_CLUSTER_DIR", dir.resolve("cluster").toString());
        this.env.put("FLINK_DIST", dist(dir).toString());
        this.env.put("FLINK_REST_URL", "http://127.0.0.1:" + restPort);
        this.env.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString()); // this JDK
    }

    /**
     * The Flink runtime and the job jar the cluster runs: the build's operations/target/flink-dist (the job jar of the
     * local Maven repository), or, with {@code -Dfraud.job.jar=PATH}, its lib/ and that jar (say, one just built from
     * the working tree with {@code mvn -pl fraud-job -am package}, without installing it).
     */
    private static Path dist(Path dir) throws IOException {
        Path dist = Path.of(System.getProperty("flink.dist"));
        String jar = System.getProperty("fraud.job.jar", "");
        if (jar.isBlank()) {
            return dist;
        }
        Path own = Files.createDirectories(dir.resolve("dist/usrlib")).getParent();
        Files.createSymbolicLink(own.resolve("lib"), dist.resolve("lib"));
        Files.copy(Path.of(jar), own.resolve("usrlib/fraud-job.jar"));
        System.out.println("the cluster runs the job jar " + jar);
        return own;
    }

    /** Runs the script; returns its standard output (its log goes to the test output). Fails on a non-zero exit. */
    String run(long timeoutSeconds, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", Repo.root().resolve("scripts/flink-cluster.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(Repo.root().toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("flink-cluster.sh %s finished", String.join(" ", args)).isTrue();
        assertThat(p.exitValue()).as("flink-cluster.sh %s: %s (logs in %s)", String.join(" ", args), out, logs()).isZero();
        return out;
    }

    /**
     * The job's arguments after {@code submit}: {@code --} and the Kafka options of {@code c} (topics, group,
     * transactional id prefix), and the PostgreSQL ones when {@code c} has a URL.
     */
    static String[] jobArgs(Configuration c) {
        List<String> args = new ArrayList<>(List.of("--"));
        List<ConfigOption<String>> options = new ArrayList<>(List.of(JobOptions.BOOTSTRAP_SERVERS,
                JobOptions.TOPIC_TRANSACTIONS, JobOptions.TOPIC_LABELS, JobOptions.TOPIC_SCORED, JobOptions.TOPIC_DLQ, JobOptions.TOPIC_MODEL_CONTROL,
                JobOptions.TOPIC_MODEL_STATUS, JobOptions.GROUP_ID, JobOptions.TRANSACTIONAL_ID_PREFIX));
        if (c.contains(JobOptions.POSTGRES_URL)) {
            options.addAll(List.of(JobOptions.POSTGRES_URL, JobOptions.POSTGRES_USER));
        }
        for (ConfigOption<String> o : options) {
            args.add("--" + o.key());
            args.add(c.get(o));
        }
        args.addAll(List.of("--" + JobOptions.CHECKPOINT_INTERVAL.key(), "1s")); // config.yaml's interval wins if set
        return args.toArray(String[]::new);
    }

    /** The REST API (and web UI) of the JobManager. */
    URI rest(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    /** The text of every Prometheus endpoint of the range that answers (the JobManager's and the TaskManagers'). */
    String metrics() {
        StringBuilder out = new StringBuilder();
        for (int port = metricsPort; port < metricsPort + METRICS_PORTS; port++) {
            out.append(metrics(port));
        }
        return out.toString();
    }

    /** The text of one Prometheus endpoint of the range, empty when nothing answers on that port. */
    static String metrics(int port) {
        try (var in = URI.create("http://127.0.0.1:" + port + "/metrics").toURL().openStream()) {
            return new String(in.readAllBytes());
        } catch (IOException e) {
            return ""; // no reporter on this port of the range
        }
    }

    /**
     * Process id of the TaskManager the REST API calls {@code resourceId}: the script names each {@code
     * taskmanager-N-<time>} and keeps its pid in {@code taskmanager-N.pid}, its id in {@code taskmanager-N.id}.
     */
    long taskManagerPid(String resourceId) throws IOException {
        String name = resourceId.substring(0, resourceId.lastIndexOf('-'));
        assertThat(Files.readString(dir.resolve("cluster/" + name + ".id")).trim()).as("id of the script's %s", name)
                .isEqualTo(resourceId);
        return Long.parseLong(Files.readString(dir.resolve("cluster/" + name + ".pid")).trim());
    }

    Path logs() {
        return dir.resolve("cluster/log");
    }

    /** Stops the cluster's TaskManagers and JobManager (if they run); removes the link to the build's lib/, if any. */
    @Override
    public void close() throws Exception {
        try {
            run(120, "stop");
        } finally {
            Files.deleteIfExists(dir.resolve("dist/lib"));
        }
    }
}
