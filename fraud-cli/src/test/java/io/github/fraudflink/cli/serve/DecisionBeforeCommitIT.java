package io.github.fraudflink.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.api.ApiOptions;
import io.github.fraudflink.api.ApiServer;
import io.github.fraudflink.api.DecisionFeed;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.local.KafkaIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the API returns before the job's checkpoint commits is what commits. The API reads decisions
 * {@code read_uncommitted}; here the job is stopped after answering and before any checkpoint (so its Kafka
 * transactions never commit: what a crash at that moment leaves), then started again from the same input with no
 * state, as a restore from the last checkpoint would be. Every decision the API returned must be the one the second run
 * commits, field for field but the scoring wall-clock time; none of them may be visible to {@code read_committed}
 * readers before the failure; and each commits exactly once.
 */
class DecisionBeforeCommitIT {
    private static final String KEY = "before-commit-it";

    @TempDir
    Path tmp;

    @Test
    void aDecisionReturnedBeforeItsCheckpointIsTheOneThatCommits() throws Exception {
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(tmp, 2, Duration.ofHours(1), null, null,
                null, LocalEnvironment.Postgres.none()), new PrintWriter(new StringWriter()))) {
            // first run: no checkpoint for the first 59 minutes (Flink's first one comes after a random delay between
            // the minimum pause and the interval), so nothing it writes commits
            env.configuration().setString("execution.checkpointing.min-pause", "59 min");
            env.submit("before-commit-first");
            Configuration c = new Configuration(env.configuration());
            c.set(ApiOptions.PORT, 0);
            c.set(ApiOptions.DECISION_TIMEOUT, Duration.ofSeconds(60));
            Map<String, JsonNode> returned = new LinkedHashMap<>();
            String scoredTopic = env.configuration().get(JobOptions.TOPIC_SCORED);
            try (ApiServer api = ApiServer.start(c, KEY)) {
                ApiClient client = new ApiClient(api.port(), KEY);
                SplittableRandom r = new SplittableRandom(7);
                List<CompletableFuture<ApiClient.Response>> answers = new ArrayList<>();
                for (int i = 0; i < 80; i++) {
                    ObjectNode t = ApiClient.JSON.createObjectNode().put("transaction_id", "bc-" + i)
                            .put("account_id", "A-" + r.nextInt(8)).put("amount", Math.round(r.nextDouble(1, 3000) * 100) / 100.0)
                            .put("terminal_id", "T-" + r.nextInt(4)).put("event_time", Instant.now().toString());
                    answers.add(client.postAsync("/v1/transactions", t.toString()));
                    if (i % 10 == 9) {
                        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join(); // in waves: accounts build history
                    }
                }
                for (CompletableFuture<ApiClient.Response> a : answers) {
                    ApiClient.Response resp = a.join();
                    assertThat(resp.status()).as(resp.body()).isEqualTo(200);
                    returned.put(resp.json().get("transaction_id").asText(), resp.json());
                }
            }
            assertThat(returned).hasSize(80);
            assertThat(env.checkpointStats().completed()).as("no checkpoint completed in the first run").isZero();
            try (KafkaIO.CommittedReader in = new KafkaIO.CommittedReader(env.bootstrapServers(), scoredTopic, false)) {
                assertThat(in.readToEnd(Duration.ofSeconds(2))).as("visible to read_committed before the failure").isEmpty();
            }

            env.cancelJob(); // the failure: the job goes before its first checkpoint, its Kafka transactions uncommitted
            env.configuration().setString("execution.checkpointing.min-pause", "0 ms");
            env.configuration().setString("execution.checkpointing.interval", "1 s");
            env.submit("before-commit-second"); // same input from the same start, same transactional ids, no state

            Map<String, List<JsonNode>> committed = new HashMap<>();
            try (KafkaIO.CommittedReader in = new KafkaIO.CommittedReader(env.bootstrapServers(), scoredTopic, false)) {
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!committed.keySet().containsAll(returned.keySet()) && System.nanoTime() < deadline) {
                    in.poll(Duration.ofMillis(500), rec -> committed.computeIfAbsent(DecisionFeed.transactionId(rec.value()),
                            k -> new ArrayList<>()).add(read(rec.value())));
                }
                in.readToEnd(Duration.ofSeconds(3)).forEach(rec -> committed.computeIfAbsent(
                        DecisionFeed.transactionId(rec.value()), k -> new ArrayList<>()).add(read(rec.value())));
            }
            assertThat(committed.keySet()).containsExactlyInAnyOrderElementsOf(returned.keySet());
            for (Map.Entry<String, JsonNode> e : returned.entrySet()) {
                List<JsonNode> c2 = committed.get(e.getKey());
                assertThat(c2).as("committed once: " + e.getKey()).hasSize(1);
                assertThat(withoutScoredTime(c2.get(0))).as(e.getKey()).isEqualTo(withoutScoredTime(e.getValue()));
            }
        }
    }

    private static JsonNode read(byte[] json) {
        try {
            return ApiClient.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode withoutScoredTime(JsonNode n) {
        ObjectNode o = n.deepCopy();
        o.remove("scored_time");
        return o;
    }
}
