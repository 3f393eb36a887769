package io.github.fraudflink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ./fraud commands, run in-process through the same picocli tree the launcher uses. */
class FraudCliIT {
    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void everyCommandHasHelp() {
        List<String> paths = new java.util.ArrayList<>();
        commands(FraudCli.commandLine(), "", paths);
        assertThat(paths).contains("demo", "simulate", "train", "model publish", "replay", "bench-swap", "dashboards");
        for (String cmd : paths) {
            String[] args = (cmd + " --help").split(" ");
            CliRun r = run(args);
            assertThat(r.exit()).as("fraud %s --help", cmd).isZero();
            assertThat(r.out()).contains("Usage: fraud " + cmd);
        }
        CliRun top = run("--help");
        assertThat(top.out()).contains("demo", "simulate", "train", "dashboards");
    }

    /** Every command of the tree, as the words that name it (picocli's own "help" left out). */
    private static void commands(picocli.CommandLine cl, String prefix, List<String> out) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            String path = (prefix + " " + e.getKey()).trim();
            out.add(path);
            commands(e.getValue(), path, out);
        }
    }

    @Test
    void badArgumentsAreExplained() {
        CliRun r = run("demo", "--checkpoint-interval", "soon");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("'soon' is not a duration");
        CliRun t = run("train", "--data", tmp.resolve("missing.csv").toString());
        assertThat(t.exit()).isNotZero();
        assertThat(t.err()).contains("no such file");
    }

    @Test
    void demoScoresEveryEventOnceEndToEnd() throws Exception {
        CliRun r = run("demo", "--events", "3000", "--customers", "300", "--checkpoint-interval", "500ms",
                "--bad-share", "0.01", "--work-dir", tmp.resolve("work").toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = r.lastJson();
        assertThat(j.get("events_in").asLong()).isEqualTo(3000);
        assertThat(j.get("scored").asLong() + j.get("dlq").asLong()).isEqualTo(3000);
        assertThat(j.get("dlq").asLong()).isPositive();
        assertThat(j.get("duplicates").asLong()).isZero();
        assertThat(j.get("model").asText()).isEqualTo("demo-xgb");
        assertThat(j.get("events_per_second").asDouble()).isPositive();
        // the same transactions in the local PostgreSQL, each once
        assertThat(j.get("postgres_rows").asLong()).isEqualTo(j.get("scored").asLong());
        assertThat(j.get("postgres_rows_written_twice").asLong()).isZero();
        // visibility latency and checkpoint statistics (from the job's REST API) are measured, not left at 0
        assertThat(j.get("visible_ms_p50").asLong()).isPositive().isLessThanOrEqualTo(j.get("visible_ms_p99").asLong());
        assertThat(j.get("visible_ms_p99").asLong()).isLessThanOrEqualTo(j.get("visible_ms_max").asLong());
        assertThat(j.get("checkpoints_completed").asLong()).isPositive();
        assertThat(j.get("checkpoint_duration_ms_max").asLong()).isPositive();
        for (String key : List.of("events_in", "scored", "dlq", "flagged", "duration", "events_per_second", "model", "model_version",
                "postgres_rows", "postgres_rows_per_second")) {
            assertThat(j.has(key)).as(key).isTrue();
        }
    }

    @Test
    void theShippedModelRebuildsByteForByte() throws Exception {
        // the commands in the README, section "The shipped model"
        Path data = tmp.resolve("sim-90d.csv.gz");
        assertThat(run("simulate", "--days", "90", "--out", data.toString()).exit()).isZero();
        Path out = tmp.resolve("model");
        CliRun t = run("train", "--data", data.toString(), "--train-start", "2018-05-15", "--train-days", "21",
                "--name", "demo-xgb", "--model-version", "sim-2018-05-15", "--created-at", "2026-11-23T00:00:00Z",
                "--out", out.toString(), "--json");
        assertThat(t.exit()).as(t.err()).isZero();
        for (String f : List.of("manifest.json", "model.json")) {
            byte[] shipped = FraudCliIT.class.getClassLoader().getResourceAsStream("models/default/" + f).readAllBytes();
            assertThat(Files.readAllBytes(out.resolve(f))).as(f).isEqualTo(shipped);
        }
        assertThat(t.lastJson().get("auprc").asDouble()).isBetween(0.0, 1.0);
    }
}
