package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.job.kafka.ScoredTransactionJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.data.LabelledTransaction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control topic cannot stop or stall scoring (real Kafka, MiniCluster, parallelism 2, RocksDB): while
 * transactions flow at a steady rate, control events point at a hung HTTP server, a server that sends its body a
 * byte at a time, {@code /dev/zero}, a 2 GB sparse file, a redirect loop and a model that takes long to verify; then
 * a good model. Each ends in a rejection with its reason on every instance (or, for the slow model, goes live), the
 * job never restarts, every transaction is scored exactly once, rows are scored all through each load, and the good
 * model published last goes live. Prints, per case, the longest gap between two scores and the latency from append
 * to score during the load, beside the same figures before the first case.
 */
class ControlLivenessIT {
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(5);
    private static final int RATE = 400;
    private static final int TRANSACTIONS = 16_000;

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final MiniClusterExtension FLINK = JobTestSupport.miniCluster(() -> tmp);

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** One hostile control event: what it points at, what every instance must answer, and when. */
    private record Case(String name, String uri, String wantStatus, String wantReason) {}

    /** The wall-clock window of one case: from publishing its event to the last instance's answer. */
    private record Window(Case c, long from, long to, long loadMillis) {}

    @Test
    void noControlEventStopsOrStallsScoring(@InjectMiniCluster MiniCluster cluster) throws Exception {
        Configuration c = JobTestSupport.jobConfig(kafka, "liveness", false);
        c.set(JobOptions.MODEL_LOAD_TIMEOUT, LOAD_TIMEOUT);
        ModelManifest defaults = TestArtifacts.defaultManifest();
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), defaults.name(), "v2", "3E-1");
        Path sparse = tmp.resolve("sparse/manifest.json");
        Files.createDirectories(sparse.getParent());
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(2L * 1024 * 1024 * 1024);
        }
        List<LabelledTransaction> txs = JobTestSupport.workload(11, TRANSACTIONS);

        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // the backlog accepts, nobody answers
                SlowServer slow = new SlowServer();
                Redirects loop = new Redirects();
                var scored = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_SCORED), false);
                var status = new KafkaIO.CommittedReader(kafka.bootstrapServers(), c.get(JobOptions.TOPIC_MODEL_STATUS), false)) {
            List<Case> cases = List.of(
                    new Case("hung HTTP server", "http://127.0.0.1:" + hung.getLocalPort() + "/manifest.json", ModelStatus.REJECTED, "timeout"),
                    new Case("body 1 byte/s", "http://127.0.0.1:" + slow.port() + "/manifest.json", ModelStatus.REJECTED, "timeout"),
                    new Case("/dev/zero", "file:///dev/zero", ModelStatus.REJECTED, "unreachable"),
                    new Case("2 GB sparse file", sparse.toUri().toString(), ModelStatus.REJECTED, "too_large"),
                    new Case("redirect loop", "http://127.0.0.1:" + loop.port() + "/loop", ModelStatus.REJECTED, "unreachable"),
                    new Case("slow to verify", slowToVerify(tmp.resolve("slow-model"), defaults).toString(), ModelStatus.LIVE, null),
                    new Case("good model", v2.toString(), ModelStatus.LIVE, null));

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
            env.setParallelism(JobTestSupport.PARALLELISM);
            FraudScoringJob.build(env, c);
            JobClient job = env.executeAsync("control-liveness");
            JobTestSupport.awaitStatus(status, defaults.version(), ModelStatus.LIVE, JobTestSupport.PARALLELISM);

            Thread load = new Thread(() -> JobTestSupport.produce(kafka, c, txs, List.of(), RATE));
            load.start();
            // 16 s of load before the first case (start-up and its backlog are over); its last 5 s are the baseline
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>(scored.readUntil(16L * RATE, Duration.ofMinutes(2)));

            List<Window> windows = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Case k = cases.get(i);
                String version = k.wantStatus().equals(ModelStatus.LIVE) && k.name().equals("good model") ? "v2" : "case-" + i;
                long from = System.currentTimeMillis();
                JobTestSupport.publish(kafka, c, new ModelControl(defaults.name(), version, ModelControl.CHAMPION, k.uri(), null));
                List<ModelStatus> answers = JobTestSupport.awaitStatus(status, version, k.wantStatus(), JobTestSupport.PARALLELISM);
                List<ModelStatus> mine = answers.stream().filter(s -> version.equals(s.version)).toList();
                assertThat(mine).as(k.name()).allSatisfy(s -> assertThat(s.status).isEqualTo(k.wantStatus()));
                if (k.wantReason() != null) {
                    assertThat(mine).as(k.name()).allSatisfy(s -> assertThat(s.reason).isEqualTo(k.wantReason()));
                }
                windows.add(new Window(k, from, mine.stream().mapToLong(s -> s.at).max().orElseThrow(),
                        mine.stream().mapToLong(s -> s.loadMillis).max().orElseThrow()));
            }
            load.join();

            Map<String, ScoredTransaction> out = new HashMap<>();
            int duplicates = 0;
            got.addAll(scored.readUntil(TRANSACTIONS, Duration.ofMinutes(3)));
            for (ConsumerRecord<byte[], byte[]> r : got) {
                ScoredTransaction s = ScoredTransactionJson.read(r.value());
                duplicates += out.put(s.transactionId, s) == null ? 0 : 1;
            }
            assertThat(duplicates).isZero();
            assertThat(out.size()).as("transactions scored").isEqualTo(TRANSACTIONS);
            assertThat(JobTestSupport.failures(cluster, job.getJobID())).as("a control event made the job fail").isEmpty();
            long v2Live = windows.get(windows.size() - 1).to();
            assertThat(out.values()).filteredOn(s -> s.scoredTime > v2Live).as("the good model published last scores")
                    .isNotEmpty().allSatisfy(s -> assertThat(s.modelVersion).isEqualTo("v2"));

            List<ScoredTransaction> all = new ArrayList<>(out.values());
            all.sort(java.util.Comparator.comparingLong(s -> s.scoredTime));
            System.out.println("control liveness (" + RATE + " transactions/s, load timeout " + LOAD_TIMEOUT.toSeconds()
                    + " s, parallelism " + JobTestSupport.PARALLELISM + "):");
            System.out.printf(Locale.ROOT, "  %-18s %9s %8s %10s %14s %14s%n", "case", "window ms", "scored", "max gap ms",
                    "latency p50 ms", "latency p99 ms");
            print("before any case", all, windows.get(0).from() - 5_000, windows.get(0).from(), -1);
            for (Window w : windows) {
                Stats s = print(w.c().name(), all, w.from(), w.to(), w.loadMillis());
                if (w.loadMillis() >= LOAD_TIMEOUT.toMillis() - 1_000) {
                    // the loads that ran to the deadline: rows kept being scored all through them. A load on the
                    // scoring thread would leave a gap as long as the load itself (5 s) and score nothing meanwhile.
                    assertThat(s.scored()).as("rows scored while %s was loading", w.c().name()).isPositive();
                    assertThat(s.maxGap()).as("longest gap between two scores while %s was loading (ms)", w.c().name())
                            .isLessThan(w.loadMillis() / 2);
                }
            }
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /** Rows scored in a window, the longest gap between two scores in it, and their append-to-score latency. */
    private record Stats(int scored, long maxGap, long p50, long p99) {}

    private static Stats print(String name, List<ScoredTransaction> sorted, long from, long to, long loadMillis) {
        List<Long> latency = new ArrayList<>();
        long last = from;
        long maxGap = 0;
        for (ScoredTransaction s : sorted) {
            if (s.scoredTime < from || s.scoredTime > to) {
                continue;
            }
            maxGap = Math.max(maxGap, s.scoredTime - last);
            last = s.scoredTime;
            latency.add(s.scoredTime - s.ingestTime);
        }
        maxGap = Math.max(maxGap, to - last);
        latency.sort(null);
        long p50 = latency.isEmpty() ? -1 : latency.get(latency.size() / 2);
        long p99 = latency.isEmpty() ? -1 : latency.get(Math.min(latency.size() - 1, (int) Math.ceil(latency.size() * 0.99) - 1));
        System.out.printf(Locale.ROOT, "  %-18s %9d %8d %10d %14d %14d%s%n", name, to - from, latency.size(), maxGap, p50, p99,
                loadMillis < 0 ? "" : "  (load " + loadMillis + " ms)");
        return new Stats(latency.size(), maxGap, p50, p99);
    }

    /**
     * The shipped model with a golden sample of 20,000 rows (its own rows repeated, scores unchanged): a manifest of
     * about 10 MB that takes a while to read and verify, and is valid.
     */
    private static URI slowToVerify(Path dir, ModelManifest base) throws Exception {
        List<ModelManifest.GoldenRow> golden = new ArrayList<>();
        while (golden.size() < 20_000) {
            golden.addAll(base.goldenSample());
        }
        ModelManifest draft = new ModelManifest(base.name(), "case-5", base.format(), base.modelFile(), base.featureSchemaId(),
                base.featureNames(), base.threshold(), null, base.trainingDataFingerprint(), base.createdAt(),
                base.createdBy(), base.metrics(), base.training(), golden, base.referenceDistributions());
        ModelArtifactWriter.write(dir, draft, Map.of("model.json", TestArtifacts.resource("model.json")));
        return dir.resolve("manifest.json").toUri();
    }

    /** Answers every connection with headers for 10,000 bytes, then one byte a second. */
    private static final class SlowServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Thread acceptor = new Thread(this::serve, "slow-artifact-server");

        SlowServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> dribble(s), "slow-artifact-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private static void dribble(Socket s) {
            try (s; OutputStream out = s.getOutputStream()) {
                s.getInputStream().read(new byte[8192]);
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 10_000; i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(1_000); // the slow server under test
                }
            } catch (IOException | InterruptedException cutOff) {
                // the loader hung up at its deadline
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** An HTTP server whose {@code /loop} redirects to itself. */
    private static final class Redirects implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer http;

        Redirects() throws IOException {
            http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/loop", x -> {
                x.getResponseHeaders().add("Location", "/loop");
                x.sendResponseHeaders(302, -1);
                x.close();
            });
            http.start();
        }

        int port() {
            return http.getAddress().getPort();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
