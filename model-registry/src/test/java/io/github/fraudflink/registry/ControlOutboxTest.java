package io.github.fraudflink.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.local.EmbeddedKafka;
import io.github.fraudflink.local.EmbeddedPostgres;
import io.github.fraudflink.local.KafkaIO;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox against a real Kafka broker and PostgreSQL: order, no loss when the broker cannot be reached, one sender. */
class ControlOutboxTest {
    @TempDir
    static Path tmp;
    private static EmbeddedPostgres pg;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start(tmp.resolve("pg"), false);
        kafka = EmbeddedKafka.start(tmp.resolve("kafka"));
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
        pg.close();
    }

    private static String topic(String name) throws Exception {
        try (Admin a = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            a.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
        }
        return name;
    }

    private static List<String> onTopic(String topic) {
        try (var r = new KafkaIO.CommittedReader(kafka.bootstrapServers(), topic, false)) {
            return r.readToEnd(Duration.ofSeconds(1)).stream().map(rec -> {
                ModelControl c = ModelControlJson.read(rec.value());
                return c.model + " " + c.version + "/" + c.role;
            }).toList();
        }
    }

    /** A registry with versions v1..vN of fraud-xgb, and alternating champion and shadow promotions queued. */
    private static Registry withQueuedChanges(String db, int versions) throws Exception {
        Registry r = Registry.open(pg.createDatabase(db), pg.user());
        Registration reg = new Registration(r, null, new io.github.fraudflink.model.ModelLoader());
        for (int i = 1; i <= versions; i++) {
            reg.register(Artifacts.variant(tmp.resolve(db + "/v" + i), "fraud-xgb", "v" + i), null, null, "t");
            r.promote("fraud-xgb", "v" + i, i % 2 == 1 ? ModelVersion.CHAMPION : ModelVersion.SHADOW, "t", "test", false);
        }
        return r;
    }

    private static List<String> expected(int versions) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= versions; i++) {
            out.add("fraud-xgb v" + i + "/" + (i % 2 == 1 ? "champion" : "shadow"));
        }
        return out;
    }

    @Test
    void eventsWaitInTheOutboxWhileTheBrokerCannotBeReachedAndGoOutInOrderAfterwards() throws Exception {
        String topic = topic("control-down");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (Registry r = withQueuedChanges("down", 3)) {
            try (ControlSender nowhere = new ControlSender("127.0.0.1:" + closedPort, topic, Duration.ofSeconds(2))) {
                assertThatThrownBy(() -> ControlOutbox.drain(r.connection(), nowhere, 5_000))
                        .isInstanceOf(java.io.IOException.class).hasMessageContaining("was not acknowledged")
                        .hasMessageContaining("stays in the registry's outbox");
            }
            assertThat(r.pendingEvents()).isEqualTo(3);
            try (ControlSender sender = new ControlSender(kafka.bootstrapServers(), topic, Duration.ofSeconds(30))) {
                assertThat(ControlOutbox.drain(r.connection(), sender, 5_000)).isEqualTo(3);
            }
            assertThat(r.pendingEvents()).isZero();
        }
        assertThat(onTopic(topic)).containsExactlyElementsOf(expected(3));
    }

    @Test
    void twoSendersAtOnceSendEachEventOnceAndInOrder() throws Exception {
        String topic = topic("control-race");
        int n = 40;
        try (Registry r = withQueuedChanges("race", n);
                Registry second = Registry.open(pg.jdbcUrl("race"), pg.user());
                ControlSender a = new ControlSender(kafka.bootstrapServers(), topic, Duration.ofSeconds(30));
                ControlSender b = new ControlSender(kafka.bootstrapServers(), topic, Duration.ofSeconds(30))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> one = pool.submit(() -> ControlOutbox.drain(r.connection(), a, 30_000));
                Future<Integer> two = pool.submit(() -> ControlOutbox.drain(second.connection(), b, 30_000));
                assertThat(one.get() + two.get()).isEqualTo(n);
            } finally {
                pool.shutdownNow();
            }
        }
        assertThat(onTopic(topic)).containsExactlyElementsOf(expected(n));
    }
}
