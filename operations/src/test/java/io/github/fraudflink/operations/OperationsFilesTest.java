package io.github.fraudflink.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;

/**
 * The operations files without running them: docker-compose.yml (pinned images, the build's Flink version, mounts
 * that exist, wiring that matches the Prometheus and Grafana files), the Prometheus configuration and alert rules
 * ({@code promtool check config} and the rules' unit tests with {@code promtool test rules}), and the dashboards'
 * structure; and the cluster's restart strategy. Whether the queries return data is {@link MonitoringIT}'s job, with a
 * real Prometheus.
 */
class OperationsFilesTest {
    @Test
    void composeImagesArePinnedAndFlinkIsTheBuildsVersion() throws Exception {
        JsonNode services = Repo.yaml("docker-compose.yml").path("services");
        String flinkVersion = System.getProperty("flink.version");
        assertThat(flinkVersion).as("the build passes flink.version").isNotBlank();
        Set<String> names = new HashSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("kafka", "jobmanager", "taskmanager", "taskmanager-2", "postgres", "prometheus", "alertmanager", "grafana",
                "topics", "submit", "submit-loader");
        int flinkServices = 0;
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) services::fields) {
            String image = e.getValue().path("image").asText();
            assertThat(image).as("image of %s", e.getKey()).isNotBlank();
            String tag = image.substring(image.lastIndexOf(':') + 1);
            assertThat(image).as("image of %s has a tag", e.getKey()).contains(":");
            assertThat(tag).as("image of %s is pinned", e.getKey()).isNotEqualTo("latest").containsPattern("\\d+\\.\\d+");
            if (image.startsWith("flink:")) {
                assertThat(tag).as("Flink image of %s", e.getKey()).startsWith(flinkVersion + "-");
                flinkServices++;
            }
        }
        assertThat(flinkServices).as("jobmanager, both taskmanagers, submit and submit-loader run the Flink image")
                .isEqualTo(5);
    }

    @Test
    void composeRunsTheScoringJobWithoutTheDatabaseAndTheLoaderWithIt() throws Exception {
        JsonNode services = Repo.yaml("docker-compose.yml").path("services");
        List<String> scoring = new ArrayList<>();
        services.path("submit").path("command").forEach(n -> scoring.add(n.asText()));
        List<String> loader = new ArrayList<>();
        services.path("submit-loader").path("command").forEach(n -> loader.add(n.asText()));
        assertThat(scoring).as("decisions never wait for PostgreSQL").doesNotContain("--fraud.postgres.url").doesNotContain("-c");
        assertThat(loader).containsSequence("-c", "io.github.fraudflink.job.PostgresLoaderJob").contains("--fraud.postgres.url");
        int prefixAt = loader.indexOf("--fraud.kafka.transactional-id-prefix");
        assertThat(prefixAt).as("the loader's own transactional-id prefix").isPositive();
        assertThat(loader.get(prefixAt + 1)).isNotEqualTo("fraud-scoring");
        JsonNode taskManager = Repo.yaml("flink-conf/config.yaml").path("taskmanager");
        assertThat(taskManager.path("numberOfTaskSlots").asInt())
                .as("slots on each TaskManager for both jobs at parallelism 2: one can run all when the other is lost")
                .isGreaterThanOrEqualTo(4);
        assertThat(taskManager.path("load-balance").path("mode").asText())
                .as("slots spread over the TaskManagers: the jobs' code is loaded on each before one is lost").isEqualTo("SLOTS");
    }

    @Test
    void composeMountsPointAtFilesThatExist() throws Exception {
        JsonNode services = Repo.yaml("docker-compose.yml").path("services");
        List<String> mounts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) services::fields) {
            for (JsonNode v : e.getValue().path("volumes")) {
                String host = v.asText().split(":")[0];
                if (host.startsWith(".")) {
                    mounts.add(e.getKey() + " " + host);
                    Path p = Repo.root().resolve(host).normalize();
                    assertThat(p).as("mount %s of %s (the job jar is built by mvn package)", host, e.getKey()).exists();
                }
            }
        }
        assertThat(mounts).anyMatch(m -> m.startsWith("jobmanager ./flink-conf"))
                .anyMatch(m -> m.startsWith("taskmanager ./fraud-job/target/") && m.endsWith("-job.jar"))
                .anyMatch(m -> m.startsWith("prometheus ./prometheus"))
                .anyMatch(m -> m.startsWith("alertmanager ./prometheus/alertmanager.yml"))
                .anyMatch(m -> m.startsWith("grafana ./grafana/provisioning"))
                .anyMatch(m -> m.startsWith("grafana ./grafana/dashboards"));
        // the jar the compose file mounts is the one this build makes
        String version = Files.readString(Repo.root().resolve("pom.xml")).replaceAll("(?s).*?<artifactId>fraud-flink-parent</artifactId>\\s*<version>([^<]+)</version>.*", "$1");
        assertThat(mounts).anyMatch(m -> m.endsWith("fraud-job-" + version + "-job.jar"));
    }

    @Test
    void prometheusScrapesTheComposeServicesAndGrafanaReadsThatPrometheus() throws Exception {
        JsonNode prom = Repo.yaml("prometheus/prometheus.yml");
        List<String> targets = new ArrayList<>();
        prom.findValues("targets").forEach(t -> t.forEach(x -> targets.add(x.asText())));
        assertThat(targets).contains("jobmanager:9249", "taskmanager:9249", "taskmanager-2:9249", "alertmanager:9093");
        assertThat(Files.readString(Repo.root().resolve("flink-conf/config.yaml"))).contains("port: 9249-9260");
        JsonNode ds = Repo.yaml("grafana/provisioning/datasources/prometheus.yml").path("datasources").get(0);
        assertThat(ds.path("url").asText()).isEqualTo("http://prometheus:9090");
        String uid = ds.path("uid").asText();
        assertThat(Repo.yaml("grafana/provisioning/dashboards/dashboards.yml").findValue("path").asText())
                .isEqualTo("/var/lib/grafana/dashboards");
        for (Path d : Repo.dashboards()) {
            JsonNode dash = Repo.JSON.readTree(d.toFile());
            assertThat(dash.path("uid").asText()).as("uid of %s", d).isNotBlank();
            assertThat(dash.path("panels")).as("panels of %s", d).hasSizeGreaterThanOrEqualTo(6);
            for (JsonNode p : dash.path("panels")) {
                assertThat(p.path("datasource").path("uid").asText()).as("%s / %s", d, p.path("title")).isEqualTo(uid);
                assertThat(p.path("targets")).as("%s / %s", d, p.path("title")).isNotEmpty();
            }
        }
        assertThat(Repo.dashboards()).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("overview.json", "model.json", "flink-health.json");
    }

    /**
     * A 24/7 job never gives up: flink-conf/config.yaml read as Flink reads it. Every restart-strategy key is one of
     * Flink's own options (a misspelt key would be ignored silently and leave a default in force), the strategy has no
     * attempt limit, and its backoff is capped.
     */
    @Test
    void theClusterRestartsTheJobWithoutLimitAndWithACappedBackoff() throws Exception {
        Configuration conf = GlobalConfiguration.loadConfiguration(Repo.root().resolve("flink-conf").toString());
        Set<String> known = new HashSet<>();
        for (Field f : RestartStrategyOptions.class.getFields()) {
            if (f.get(null) instanceof ConfigOption<?> o) {
                known.add(o.key());
            }
        }
        assertThat(conf.keySet().stream().filter(k -> k.startsWith("restart-strategy")))
                .as("restart-strategy keys of config.yaml that Flink %s knows", System.getProperty("flink.version"))
                .isNotEmpty().allMatch(known::contains);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS)).as("attempts: unbounded")
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF)).as("backoff cap")
                .isLessThanOrEqualTo(Duration.ofMinutes(1))
                .isGreaterThan(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER)).isGreaterThan(1.0);
    }

    @Test
    @HostTools.Needs(HostTools.Tool.PROMTOOL)
    void promtoolAcceptsTheConfigurationAndTheAlertRulesPassTheirUnitTests() throws Exception {
        for (String config : new String[] {"prometheus/prometheus.yml", "prometheus/prometheus-local.yml"}) {
            Repo.Run check = Repo.run(60, "promtool", "check", "config", config);
            assertThat(check.exit()).as(check.output()).isZero();
            assertThat(check.output()).contains("SUCCESS: 13 rules found");
        }
        Repo.Run test = Repo.run(120, "promtool", "test", "rules", "prometheus/alerts-test.yml");
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTest() throws Exception {
        String tests = Files.readString(Repo.root().resolve("prometheus/alerts-test.yml"));
        for (String[] alert : Repo.alertQueries()) {
            assertThat(tests).as("unit test of %s", alert[0]).contains("alertname: " + alert[0]);
        }
    }
}
