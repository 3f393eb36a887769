package io.github.fraudflink.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.api.ApiOptions;
import io.github.fraudflink.api.ApiServer;
import io.github.fraudflink.api.DecisionFeed;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.cli.local.LocalFlink;
import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.TransactionParser;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.local.KafkaIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The API against a real job: an in-process Kafka broker, the job on a MiniCluster with RocksDB and exactly-once
 * checkpoints, a real PostgreSQL, and {@link ApiServer} on a free port. Submit and decision, the stored decision,
 * generated requests (valid and not) against the job's own verdict, labels to the topic and the table, the live
 * models, 401 on every route without the key, and a concurrent burst that must lose and duplicate nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeIT {
    private static final String KEY = "serve-it-" + Long.toHexString(System.nanoTime());
    private static final AtomicLong IDS = new AtomicLong();

    @TempDir
    static Path tmp;
    private LocalEnvironment env;
    private ApiServer api;
    private ApiClient client;
    private TransactionParser parser;

    @BeforeAll
    void start() throws Exception {
        env = LocalEnvironment.start(new LocalEnvironment.Settings(tmp, 2, Duration.ofSeconds(1), null, null, null,
                LocalEnvironment.Postgres.startHere()), new PrintWriter(new StringWriter()));
        env.submit("serve-it");
        Configuration c = new Configuration(env.configuration());
        c.set(ApiOptions.PORT, 0);
        c.set(ApiOptions.DECISION_TIMEOUT, Duration.ofSeconds(30)); // generous: this machine runs the job beside the test
        c.set(ApiOptions.FLINK_REST, LocalFlink.restAddress(env.configuration()).toString());
        api = ApiServer.start(c, KEY);
        client = new ApiClient(api.port(), KEY);
        parser = JobOptions.transactionParser(c);
    }

    @AfterAll
    void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (env != null) {
            env.close();
        }
    }

    private static String id(String prefix) {
        return prefix + "-" + IDS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    private static ObjectNode transaction(String id, String account, double amount, String terminal) {
        ObjectNode t = ApiClient.JSON.createObjectNode();
        t.put("transaction_id", id);
        t.put("account_id", account);
        t.put("amount", amount);
        t.put("currency", "EUR");
        t.put("terminal_id", terminal);
        t.put("event_time", Instant.now().toString());
        return t;
    }

    @Test
    void aSubmittedTransactionGetsTheJobsDecisionAndTheStoredOneAgrees() throws Exception {
        String id = id("submit");
        ApiClient.Response r = client.post("/v1/transactions", transaction(id, "A-submit", 512.25, "T-1").toString());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode d = r.json();
        assertThat(d.get("transaction_id").asText()).isEqualTo(id);
        assertThat(d.get("account_id").asText()).isEqualTo("A-submit");
        assertThat(d.get("score").asDouble()).isBetween(0.0, 1.0);
        assertThat(d.get("decision").asText()).isIn("approve", "review", "decline");
        assertThat(d.get("model").asText()).isEqualTo("demo-xgb");
        assertThat(r.location()).isEqualTo("/v1/transactions/A-submit/" + id);

        JsonNode stored = awaitStored(r.location());
        assertThat(stored.get("score").asDouble()).isEqualTo(d.get("score").asDouble());
        assertThat(stored.get("decision").asText()).isEqualTo(d.get("decision").asText());
        assertThat(stored.get("model_version").asText()).isEqualTo(d.get("model_version").asText());
        assertThat(Instant.parse(stored.get("event_time").asText())).isEqualTo(Instant.parse(d.get("event_time").asText()));
        Map<String, Double> returned = new HashMap<>();
        d.get("features").properties().forEach(e -> returned.put(e.getKey(), e.getValue().asDouble()));
        Map<String, Double> kept = new HashMap<>();
        stored.get("features").properties().forEach(e -> kept.put(e.getKey(), e.getValue().asDouble()));
        assertThat(kept).isEqualTo(returned).isNotEmpty();
        assertThat(stored.get("label").isNull()).isTrue();

        assertThat(client.get("/v1/transactions/A-submit/no-such-id").status()).isEqualTo(404);
        assertThat(client.get("/v1/accounts/A-submit/transactions").json().get("items").get(0).get("transaction_id").asText())
                .isEqualTo(id);
        assertThat(client.get("/v1/terminals/T-1/transactions").json().get("items")).isNotEmpty();
    }

    private JsonNode awaitStored(String location) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            ApiClient.Response r = client.get(location);
            if (r.status() == 200) {
                return r.json();
            }
            assertThat(r.status()).as(r.body()).isEqualTo(404);
            assertThat(System.nanoTime()).as("stored within 60 s: " + location).isLessThan(deadline);
            Thread.sleep(200); // polling PostgreSQL for the checkpoint's commit
        }
    }

    /**
     * Generated requests, valid and not: each gets what the job's parser says at that moment (400 with its reason, or
     * the job's decision), and afterwards the job has put nothing in its dead-letter topic and the transactions topic
     * holds exactly the accepted ones: a request the job would reject never reached Kafka.
     */
    @Test
    void generatedRequestsGetTheJobsVerdictAndNothingInvalidReachesKafka() throws Exception {
        Set<String> accepted = new HashSet<>();
        Set<String> rejected = new HashSet<>();
        long dlqBefore = count(env.configuration().get(JobOptions.TOPIC_DLQ));
        qt().withExamples(120).withShrinkCycles(20).forAll(bodies()).checkAssert(body -> {
            try {
                String expected;
                try {
                    parser.parse(body, System.currentTimeMillis());
                    expected = null;
                } catch (InvalidTransactionException e) {
                    expected = e.reason().code();
                }
                ApiClient.Response r = client.post("/v1/transactions", body);
                String txId = idOf(body);
                if (expected == null) {
                    assertThat(r.status()).as(new String(body, StandardCharsets.UTF_8) + " -> " + r.body()).isEqualTo(200);
                    assertThat(r.json().get("transaction_id").asText()).isEqualTo(txId);
                    accepted.add(txId);
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(400);
                    assertThat(r.json().get("reason").asText()).isEqualTo(expected);
                    if (txId != null) {
                        rejected.add(txId);
                    }
                }
            } catch (java.io.IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(accepted).isNotEmpty();
        assertThat(rejected).isNotEmpty();
        Set<String> onTopic = new HashSet<>();
        try (KafkaIO.CommittedReader in = new KafkaIO.CommittedReader(env.bootstrapServers(),
                env.configuration().get(JobOptions.TOPIC_TRANSACTIONS), false)) {
            for (ConsumerRecord<byte[], byte[]> rec : in.readToEnd(Duration.ofSeconds(3))) {
                onTopic.add(ApiClient.JSON.readTree(rec.value()).path("transaction_id").asText());
            }
        }
        assertThat(onTopic).containsAll(accepted).doesNotContainAnyElementsOf(rejected);
        assertThat(count(env.configuration().get(JobOptions.TOPIC_DLQ))).as("dead letters from the API's traffic")
                .isEqualTo(dlqBefore);
    }

    private static String idOf(byte[] body) {
        try {
            JsonNode t = ApiClient.JSON.readTree(body);
            return t != null && t.path("transaction_id").isTextual() ? t.get("transaction_id").asText() : null;
        } catch (java.io.IOException e) {
            return null; // arbitrary bytes
        }
    }

    private long count(String topic) {
        try (KafkaIO.CommittedReader in = new KafkaIO.CommittedReader(env.bootstrapServers(), topic, false)) {
            return in.readToEnd(Duration.ofSeconds(3)).size();
        }
    }

    /** Transactions, most of them broken in one or two ways, and some arbitrary bytes. */
    private static Gen<byte[]> bodies() {
        Gen<Integer> what = SourceDSL.integers().between(0, 11);
        Gen<String> text = SourceDSL.strings().allPossible().ofLengthBetween(0, 140);
        Gen<Double> amount = Generate.pick(List.of(-1.0, 0.0, 1e-9, 0.01, 42.5, 999_999.99, 1e7, Double.MAX_VALUE));
        Gen<Integer> seconds = SourceDSL.integers().between(-3 * 86_400, 3 * 86_400);
        Gen<byte[]> bytes = SourceDSL.lists().of(SourceDSL.integers().between(0, 255)).ofSizeBetween(0, 200).map(l -> {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) l.get(i);
            }
            return b;
        });
        return what.zip(text, amount, seconds, (w, s, a, sec) -> new Object[] {w, s, a, sec}).zip(bytes, (o, b) -> {
            int w = (int) o[0];
            ObjectNode t = transaction(id("gen"), "A-gen-" + (IDS.get() % 7), 10 + IDS.get() % 500, "T-gen-" + (IDS.get() % 3));
            switch (w) {
                case 0, 1, 2 -> { } // valid
                case 3 -> t.put("amount", (double) o[2]);
                case 4 -> t.put("account_id", (String) o[1]);
                case 5 -> t.put("terminal_id", (String) o[1]);
                // the past, or further ahead than fraud.parser.max-future-skew (1 day): a transaction stamped hours
                // ahead of the rest of the stream is valid but held by the job until the stream's watermark reaches
                // it (docs/api.md), which this test does not wait for
                case 6 -> t.put("event_time", Instant.now().plusSeconds((int) o[3] <= 0 ? (int) o[3] : 86_460 + (int) o[3]).toString());
                case 7 -> t.put("event_time", (String) o[1]);
                case 8 -> t.remove(List.of("account_id", "amount", "event_time").get(Math.floorMod((int) o[3], 3)));
                case 9 -> t.put("amount", (String) o[1]);
                case 10 -> t.putObject("attributes").put((String) o[1], (double) o[2]);
                default -> {
                    return b;
                }
            }
            return t.toString().getBytes(StandardCharsets.UTF_8);
        });
    }

    @Test
    void everyV1RouteNeedsTheKeyAndTheOpenOnesDoNot() throws Exception {
        JsonNode doc = client.get("/openapi.json", null).json();
        List<String> v1 = new ArrayList<>();
        for (Iterator<String> it = doc.get("paths").fieldNames(); it.hasNext(); ) {
            String p = it.next();
            String concrete = p.replaceAll("\\{[^}]+}", "x");
            if (p.startsWith("/v1/")) {
                v1.add(concrete);
                for (String auth : new String[] {null, "Bearer wrong", "Bearer " + KEY + "x", "Basic " + KEY, KEY}) {
                    ApiClient.Response get = client.get(concrete, auth);
                    ApiClient.Response post = client.post(concrete, "{}", auth);
                    assertThat(List.of(get.status(), post.status())).as(p + " with " + auth).containsOnly(401);
                    assertThat(get.json().get("reason").asText()).isEqualTo("unauthorized");
                }
                // with the key, every documented route exists (whatever it answers to an empty request)
                ApiClient.Response withKey = doc.get("paths").get(p).has("get") ? client.get(concrete) : client.post(concrete, "{}");
                assertThat(withKey.status()).as(p).isNotEqualTo(401);
                assertThat(withKey.json().path("reason").asText()).as(p).isNotEqualTo("no_such_route");
            } else {
                assertThat(client.get(concrete, null).status()).as(p).isEqualTo(200);
            }
        }
        assertThat(v1).hasSize(7);
        assertThat(client.get("/v1/nothing-here").status()).isEqualTo(404);
        assertThat(client.get("/review/index.html", null).body()).contains("Review queue");
        assertThat(client.get("/review/", null).body()).contains("Review queue");
    }

    @Test
    void labelsAreCheckedPublishedAndStored() throws Exception {
        String id = id("label");
        ApiClient.Response decided = client.post("/v1/transactions", transaction(id, "A-label", 77.7, "T-2").toString());
        assertThat(decided.status()).as(decided.body()).isEqualTo(200);
        String eventTime = decided.json().get("event_time").asText();
        ObjectNode label = ApiClient.JSON.createObjectNode().put("transaction_id", id).put("account_id", "A-label")
                .put("terminal_id", "T-2").put("event_time", eventTime).put("is_fraud", true)
                .put("labelled_at", Instant.now().toString()).put("source", "analyst");
        ApiClient.Response r = client.post("/v1/labels", label.toString());
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().get("topic").asText()).isEqualTo("fraud-labels");

        ObjectNode early = label.deepCopy().put("labelled_at", Instant.parse(eventTime).minusSeconds(60).toString());
        ApiClient.Response bad = client.post("/v1/labels", early.toString());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("reason").asText()).isNotBlank();

        AnalystLabels.assertFraudOnTopic(env, id);
        AnalystLabels.assertFraudInTable(env, id);
        JsonNode stored = awaitStored("/v1/transactions/A-label/" + id);
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (stored.get("label").isNull() && System.nanoTime() < until) {
            Thread.sleep(200);
            stored = awaitStored("/v1/transactions/A-label/" + id);
        }
        assertThat(stored.get("label").get("is_fraud").asBoolean()).isTrue();
        assertThat(stored.get("label").get("source").asText()).isEqualTo("analyst");
    }

    @Test
    void modelsNameTheChampionOfEveryInstanceAndHealthIsGreen() throws Exception {
        JsonNode models = client.get("/v1/models").json();
        assertThat(models.get("instances")).hasSize(2);
        for (JsonNode i : models.get("instances")) {
            assertThat(i.get("of").asInt()).isEqualTo(2);
            assertThat(i.get("champion").get("model").asText()).isEqualTo("demo-xgb");
        }
        ApiClient.Response h = client.get("/health", null);
        assertThat(h.status()).as(h.body()).isEqualTo(200);
        for (String check : List.of("kafka", "postgres", "job", "decisions")) {
            assertThat(h.json().get("checks").get(check).get("status").asText()).as(check).isEqualTo("ok");
        }
        String metrics = client.get("/metrics", null).body();
        assertThat(metrics).contains("fraud_api_requests_total").contains("fraud_api_decisions_pending");
    }

    /**
     * 400 requests at once, on 20 accounts (so requests of one account interleave): every one gets its own decision,
     * and the job's committed output holds each transaction exactly once, in Kafka and in PostgreSQL.
     */
    @Test
    void aConcurrentBurstLosesAndDuplicatesNoDecision() throws Exception {
        int n = 400;
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<ApiClient.Response>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = id("burst");
            ids.add(id);
            answers.add(client.postAsync("/v1/transactions", transaction(id, "A-burst-" + (i % 20), 5 + i, "T-b" + (i % 5)).toString()));
        }
        for (int i = 0; i < n; i++) {
            ApiClient.Response r = answers.get(i).join();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().get("transaction_id").asText()).isEqualTo(ids.get(i));
            assertThat(r.json().get("account_id").asText()).isEqualTo("A-burst-" + (i % 20));
        }
        Map<String, Integer> committed = new HashMap<>();
        try (KafkaIO.CommittedReader in = new KafkaIO.CommittedReader(env.bootstrapServers(),
                env.configuration().get(JobOptions.TOPIC_SCORED), false)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!committed.keySet().containsAll(ids) && System.nanoTime() < deadline) {
                in.poll(Duration.ofMillis(500), rec -> {
                    String id = DecisionFeed.transactionId(rec.value());
                    if (id != null && id.startsWith("burst-")) {
                        committed.merge(id, 1, Integer::sum);
                    }
                });
            }
            in.readToEnd(Duration.ofSeconds(3)).forEach(rec -> {
                String id = DecisionFeed.transactionId(rec.value());
                if (id != null && id.startsWith("burst-")) {
                    committed.merge(id, 1, Integer::sum);
                }
            });
        }
        assertThat(committed.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(committed.values()).containsOnly(1);
        try (Connection c = DriverManager.getConnection(env.postgresUrl(), env.postgresUser(), null)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long rows;
            do {
                try (ResultSet rs = c.createStatement().executeQuery(
                        "SELECT count(*), count(DISTINCT transaction_id) FROM scored_transactions WHERE transaction_id LIKE 'burst-%'")) {
                    rs.next();
                    rows = rs.getLong(1);
                    assertThat(rs.getLong(2)).isEqualTo(rows);
                }
                if (rows < n) {
                    Thread.sleep(200); // polling PostgreSQL for the checkpoint's commit
                }
            } while (rows < n && System.nanoTime() < deadline);
            assertThat(rows).isEqualTo(n);
        }
    }
}
