package io.github.fraudflink.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.api.ApiOptions;
import io.github.fraudflink.api.ApiServer;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.TopicSetup;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.sql.SchemaMigrator;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} and the routes when what the API depends on goes away, on real servers that are really stopped: a
 * Flink REST address where nothing listens, then PostgreSQL stopped, then the Kafka broker stopped. Each time the
 * answer is 503 naming the cause, and the routes that need the missing part say so instead of hanging.
 */
class ApiHealthIT {
    private static final String KEY = "health-it";

    @TempDir
    Path tmp;

    @Test
    void healthNamesWhatIsDownAndTheRoutesAnswer503() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
        EmbeddedPostgres pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
        boolean kafkaStopped = false;
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free again once closed: nothing listens there
        }
        Configuration c = new Configuration();
        c.set(JobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(JobOptions.POSTGRES_URL, pg.jdbcUrl());
        c.set(JobOptions.POSTGRES_USER, pg.user());
        c.set(ApiOptions.PORT, 0);
        c.set(ApiOptions.DECISION_TIMEOUT, Duration.ofSeconds(1));
        c.set(ApiOptions.HEALTH_TIMEOUT, Duration.ofSeconds(1));
        c.set(ApiOptions.FLINK_REST, "http://127.0.0.1:" + closedPort);
        TopicSetup.ensureTopics(c, 1);
        SchemaMigrator.migrate(pg.jdbcUrl(), pg.user(), null);
        try (ApiServer api = ApiServer.start(c, KEY)) {
            ApiClient client = new ApiClient(api.port(), KEY);

            ApiClient.Response h = client.get("/health", null);
            assertThat(h.status()).isEqualTo(503);
            assertThat(h.json().get("cause").asText()).startsWith("job: ").contains("127.0.0.1:" + closedPort)
                    .doesNotContain("kafka").doesNotContain("postgres");
            assertThat(h.json().get("checks").get("kafka").get("status").asText()).isEqualTo("ok");
            assertThat(h.json().get("checks").get("postgres").get("status").asText()).isEqualTo("ok");
            assertThat(client.get("/v1/review").status()).isEqualTo(200);

            pg.close();
            h = client.get("/health", null);
            assertThat(h.status()).isEqualTo(503);
            assertThat(h.json().get("cause").asText()).contains("postgres: ").contains("job: ").doesNotContain("kafka");
            ApiClient.Response review = client.get("/v1/review");
            assertThat(review.status()).as(review.body()).isEqualTo(503);
            assertThat(review.json().get("reason").asText()).isEqualTo("postgres_unavailable");

            kafka.close();
            kafkaStopped = true;
            long before = System.nanoTime();
            h = client.get("/health", null);
            assertThat(h.status()).isEqualTo(503);
            assertThat(h.json().get("cause").asText()).contains("kafka: ").contains("postgres: ").contains("job: ");
            assertThat(h.json().get("checks").get("kafka").get("error").asText()).contains("no answer from the brokers");
            String tx = "{\"transaction_id\":\"h-1\",\"account_id\":\"A\",\"amount\":10,\"event_time\":\"" + Instant.now() + "\"}";
            ApiClient.Response submit = client.post("/v1/transactions", tx);
            assertThat(submit.status()).as(submit.body()).isEqualTo(503);
            assertThat(submit.json().get("reason").asText()).isEqualTo("kafka_unavailable");
            // a bad request is still told what is wrong with it, broker or not
            assertThat(client.post("/v1/transactions", "{\"amount\":1}").status()).isEqualTo(400);
            assertThat(Duration.ofNanos(System.nanoTime() - before)).as("answered, not hung").isLessThan(Duration.ofSeconds(30));
        } finally {
            pg.close(); // idempotent
            if (!kafkaStopped) {
                kafka.close();
            }
        }
    }
}
