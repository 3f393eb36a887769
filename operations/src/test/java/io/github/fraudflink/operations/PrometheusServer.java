package io.github.fraudflink.operations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;

/**
 * A real Prometheus (Debian's package) in a process of its own on 127.0.0.1: it scrapes a Flink Prometheus reporter
 * every second and evaluates a rules file every second; and Flink's reporter configuration that it scrapes.
 */
final class PrometheusServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final URI url;
    private final Path log;

    private PrometheusServer(Process process, URI url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    /**
     * A MiniCluster's configuration for the job under a Prometheus: RocksDB with incremental checkpoints in
     * {@code checkpoints}, and the reporter on {@code port}.
     */
    static Configuration flink(Path checkpoints, int port) {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.incremental", "true");
        c.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        reporter(c, port);
        return c;
    }

    /** Flink's Prometheus reporter on 127.0.0.1:{@code port}, label values as they are. */
    static void reporter(Configuration c, int port) {
        c.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.setString("metrics.reporter.prom.port", Integer.toString(port));
        c.setString("metrics.reporter.prom.host", "127.0.0.1");
        c.setString("metrics.reporter.prom.filterLabelValueCharacters", "false");
    }

    /** Starts Prometheus in {@code dir}, scraping the reporter at {@code reporterPort}, with {@code rules} loaded. */
    static PrometheusServer start(Path dir, Path rules, int reporterPort) throws IOException {
        Files.createDirectories(dir);
        int port = Repo.freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: flink
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(rules, reporterPort));
        Path log = dir.resolve("prometheus.log");
        try {
            Process p = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                    "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new PrometheusServer(p, URI.create("http://127.0.0.1:" + port), log);
        } catch (IOException e) {
            throw new IllegalStateException("prometheus is not installed: `apt-get install prometheus` (Debian); .ci/run installs it", e);
        }
    }

    URI url() {
        return url;
    }

    Path log() {
        return log;
    }

    /** The {@code data} of a successful API answer. */
    JsonNode api(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url.resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode j = Repo.JSON.readTree(r.body());
        if (!"success".equals(j.path("status").asText())) {
            throw new AssertionError("GET " + path + ": " + r.body());
        }
        return j.path("data");
    }

    /** The instant query's result series (Grafana's variables replaced: all jobs, a 1-minute rate window). */
    JsonNode query(String promql) throws Exception {
        String q = promql.replace("$__rate_interval", "1m").replace("$job", ".+");
        return api("/api/v1/query?query=" + URLEncoder.encode(q, StandardCharsets.UTF_8)).path("result");
    }

    /** The alerts pending or firing now. */
    JsonNode alerts() throws Exception {
        return api("/api/v1/alerts").path("alerts");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
