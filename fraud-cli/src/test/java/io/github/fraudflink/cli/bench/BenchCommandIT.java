package io.github.fraudflink.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./fraud bench} end to end, small: every run (pass-through, scoring, scoring with PostgreSQL) wrote one result
 * per valid preloaded transaction (the command counts them and fails otherwise), and the report holds together. No
 * figure is judged here: speed is measured by running the benchmark, not by tests.
 */
class BenchCommandIT {
    @TempDir
    Path work;

    @Test
    void everyRunWritesEachValidTransactionOnceAndTheReportHoldsTogether() throws Exception {
        CliRun r = CliRun.of("bench", "--events", "20000", "--accounts", "1000", "--latency-seconds", "12", "--warm-up", "4",
                "--model", "classpath:models/default/manifest.json", "--work-dir", work.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        long valid = j.path("valid").asLong();
        assertThat(valid).isBetween(19_900L, 20_000L); // the handbook's rounding makes a few 0.00 amounts
        assertThat(j.path("runs")).extracting(n -> n.path("run").asText())
                .containsExactly("pass-through", "scoring", "scoring + PostgreSQL");
        for (JsonNode run : j.path("runs")) {
            assertThat(run.path("outputs").asLong()).as(run.toString()).isEqualTo(valid);
            assertThat(run.path("events_per_second").asDouble()).as(run.toString()).isPositive();
        }
        assertThat(j.path("runs").path(0).path("share_of_ceiling").asDouble()).isEqualTo(1.0);
        assertThat(j.path("account_state_mean_bytes").asDouble()).isPositive()
                .isLessThanOrEqualTo(j.path("account_state_max_bytes").asDouble());
        assertThat(j.path("latency")).hasSize(2);
        for (JsonNode l : j.path("latency")) {
            assertThat(l.path("scored").asLong()).as(l.toString()).isPositive();
            assertThat(l.path("p50_ms").asLong()).as(l.toString()).isLessThanOrEqualTo(l.path("p99_ms").asLong());
            assertThat(l.path("p99_ms").asLong()).as(l.toString()).isLessThanOrEqualTo(l.path("max_ms").asLong());
            // the operators' metric windows were read during the run (each second after the warm-up), not once at its end
            assertThat(l.path("operator_windows").asInt()).as(l.toString()).isGreaterThanOrEqualTo(2);
            for (String m : new String[] {"feature_latency_us", "terminal_feature_latency_us", "score_latency_us"}) {
                assertThat(l.path(m + "_p99").asDouble()).as(l.toString()).isNotNaN()
                        .isLessThanOrEqualTo(l.path(m + "_p99_worst").asDouble());
            }
        }
        assertThat(j.path("model").asText()).isEqualTo("classpath:models/default/manifest.json");
        assertThat(r.out()).contains("pass-through", "of ceiling", "append-to-score latency",
                "model classpath:models/default/manifest.json");
    }
}
