package io.github.fraudflink.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fraud serve --demo} as a newcomer runs it: the launcher in a new JVM, on the jar this build packaged. Within a
 * few minutes the API is healthy, the simulated history has filled the review queue, both scoring instances report
 * the shipped model, a posted transaction gets its decision, and the process stops cleanly on SIGTERM (Ctrl-C's
 * shutdown path).
 */
class ServeDemoIT {
    private static final String KEY = "serve-demo-it";

    @TempDir
    Path tmp;

    @Test
    void oneCommandServesAWorkingQueue() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
        Path err = tmp.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(List.of(root.resolve("fraud").toString(), "serve", "--demo", "--port",
                Integer.toString(port), "--history-days", "9", "--customers", "500", "--rate", "5",
                "--work-dir", tmp.resolve("work").toString(), "--duration", "10min"))
                .redirectOutput(tmp.resolve("stdout.txt").toFile()).redirectError(err.toFile());
        pb.environment().put("FRAUD_SKIP_BUILD", "1");
        pb.environment().put("FRAUD_LOG_DIR", tmp.resolve("logs").toString());
        pb.environment().put("FRAUD_JAVA_OPTS", "-Xmx1500m");
        pb.environment().put("FRAUD_API_KEY", KEY);
        Process p = pb.start();
        try {
            ApiClient client = new ApiClient(port, KEY);
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            ApiClient.Response health = null;
            while (System.nanoTime() < deadline && p.isAlive()) {
                try {
                    health = client.get("/health", null);
                    if (health.status() == 200) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
                Thread.sleep(500); // polling a starting process
            }
            assertThat(health).as("healthy within 4 minutes; stderr: " + Files.readString(err)).isNotNull();
            assertThat(health.status()).as(health.body()).isEqualTo(200);
            assertThat(health.json().get("checks").get("job").get("status").asText()).isEqualTo("ok");

            int queued = 0;
            while (System.nanoTime() < deadline && queued == 0) {
                queued = client.get("/v1/review").json().get("items").size();
                if (queued == 0) {
                    Thread.sleep(500); // the history streams in
                }
            }
            assertThat(queued).as("flagged transactions in the queue").isPositive();
            assertThat(client.get("/v1/models").json().get("instances")).hasSize(2);
            String tx = "{\"transaction_id\":\"demo-it-1\",\"account_id\":\"C00007\",\"amount\":42.5,\"terminal_id\":\"T00007\","
                    + "\"event_time\":\"" + Instant.now() + "\"}";
            // while the history still streams, the stream's watermark is behind the clock and a live transaction waits
            // for it (docs/api.md): the API then answers 202 and the decision is stored a little later
            ApiClient.Response decided = client.post("/v1/transactions", tx);
            assertThat(decided.status()).as(decided.body()).isIn(200, 202);
            assertThat(decided.location()).isEqualTo("/v1/transactions/C00007/demo-it-1");
            ApiClient.Response stored = client.get(decided.location());
            while (stored.status() == 404 && System.nanoTime() < deadline) {
                Thread.sleep(500); // polling the location, as a client told 202 does
                stored = client.get(decided.location());
            }
            assertThat(stored.status()).as(stored.body()).isEqualTo(200);
            assertThat(stored.json().get("decision").asText()).isIn("approve", "review", "decline");
            if (decided.status() == 200) {
                assertThat(stored.json().get("score").asDouble()).isEqualTo(decided.json().get("score").asDouble());
            }
            assertThat(Files.readString(err)).contains("review queue: http://127.0.0.1:" + port + "/review/")
                    .doesNotContain(KEY); // a key from the environment is never printed
        } finally {
            p.destroy(); // SIGTERM: the shutdown path of Ctrl-C
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertThat(p.exitValue()).as("exit on SIGTERM; stderr: " + Files.readString(err)).isIn(0, 143);
    }
}
