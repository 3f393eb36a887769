package io.github.fraudflink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.cli.demo.DemoWorkload;
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
        assertThat(run("demo", "--help").out()).contains("--label-delay", "--no-labels");
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
    void badArgumentsAreExplainedInOneLine() {
        CliRun r = run("demo", "--checkpoint-interval", "soon");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString()
                .startsWith("error: ").contains("'soon' is not a duration", "see 'fraud demo --help'");
        CliRun u = run("demo", "--event", "5");
        assertThat(u.err().lines()).singleElement().asString().contains("--event", "did you mean --events");
        CliRun t = run("train", "--data", tmp.resolve("missing.csv").toString());
        assertThat(t.exit()).isEqualTo(1);
        assertThat(t.err().lines()).singleElement().asString().startsWith("error: no such file").contains("details in ");
        for (String w : List.of("heavy", "0", "-1", "NaN")) {
            CliRun p = run("train", "--data", tmp.resolve("missing.csv").toString(), "--pos-weight", w);
            assertThat(p.exit()).isEqualTo(1);
            assertThat(p.err().lines()).singleElement().asString()
                    .startsWith("error: --pos-weight must be balanced or a positive number").contains("'" + w + "'");
        }
    }

    /** Through the launcher, as a user runs it: the terminal shows one line, the log the stack trace and the servers' output. */
    @Test
    void aFailingCommandPrintsOneLineAndLogsTheRest() throws Exception {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        Path logFile = logs.resolve("fraud.log");
        CliRun t = CliRun.launched(logs, "train", "--data", tmp.resolve("missing.csv").toString());
        assertThat(t.exit()).isEqualTo(1);
        assertThat(t.out()).isEmpty();
        assertThat(t.err().lines()).singleElement().asString().startsWith("error: no such file").endsWith("details in " + logFile);
        assertThat(Files.readString(logFile)).contains("at io.github.fraudflink.cli.train.TrainCommand.call");

        // a demo that fails once its broker runs: torn down, nothing but its progress lines and the error on the terminal
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        CliRun d = CliRun.launched(logs, "demo", "--events", "100", "--work-dir", tmp.resolve("failing").toString(),
                "--postgres-url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/fraud");
        assertThat(d.exit()).isEqualTo(1);
        assertThat(d.out()).isEmpty();
        List<String> lines = d.err().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("error: ").contains(Integer.toString(closedPort)).endsWith("details in " + logFile);
        assertThat(lines.subList(0, lines.size() - 1)).allMatch(l -> l.matches("(starting |kafka |postgresql ).*"), "progress lines");
        assertThat(Files.readString(logFile)).contains("kafka storage: Formatting");
    }

    @Test
    void demoScoresEveryEventOnceEndToEnd() throws Exception {
        // through the launcher: with --json, standard output is one JSON document and nothing else. 12,000 events
        // cover about 12 days of event time, well past the 7-day label delay, so labels flow too
        Path logs = Files.createDirectories(tmp.resolve("demo-logs"));
        int events = 12_000;
        CliRun r = CliRun.launched(logs, "demo", "--events", Integer.toString(events), "--checkpoint-interval", "500ms",
                "--bad-share", "0.01", "--work-dir", tmp.resolve("work").toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).doesNotContain("\n");
        JsonNode j = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(r.out());
        assertThat(r.err()).doesNotContain("Formatting", "Bootstrap metadata", "\tat ", "Exception", "WARN", "ERROR");
        assertThat(j.get("events_in").asLong()).isEqualTo(events);
        assertThat(j.get("scored").asLong() + j.get("dlq").asLong()).isEqualTo(events);
        assertThat(j.get("dlq").asLong()).isPositive();
        assertThat(j.get("duplicates").asLong()).isZero();
        assertThat(j.get("model").asText()).isEqualTo("demo-xgb");
        assertThat(j.get("events_per_second").asDouble()).isPositive();
        // the simulation sized to the events asked for
        DemoWorkload.SimulationSize size = DemoWorkload.SimulationSize.forEvents(events, null, null);
        assertThat(j.get("simulated_customers").asInt()).isEqualTo(size.customers());
        assertThat(j.get("simulated_days").asInt()).isEqualTo(size.days());
        // the same transactions in the local PostgreSQL, each once
        assertThat(j.get("postgres_rows").asLong()).isEqualTo(j.get("scored").asLong());
        assertThat(j.get("postgres_rows_written_twice").asLong()).isZero();
        // visibility latency and checkpoint statistics (from the job's REST API) are measured, not left at 0
        assertThat(j.get("visible_ms_p50").asLong()).isPositive().isLessThanOrEqualTo(j.get("visible_ms_p99").asLong());
        assertThat(j.get("visible_ms_p99").asLong()).isLessThanOrEqualTo(j.get("visible_ms_max").asLong());
        assertThat(j.get("checkpoints_completed").asLong()).isPositive();
        assertThat(j.get("checkpoint_duration_ms_max").asLong()).isPositive();
        // labels: sent 7 days of event time after their transaction, so all but the last 7 days' (each once in PostgreSQL)
        assertThat(j.get("event_days").asDouble()).isGreaterThan(7);
        assertThat(j.get("label_delay_days").asDouble()).isEqualTo(7.0);
        assertThat(j.get("labels_sent").asLong()).isPositive().isLessThan(j.get("valid").asLong());
        assertThat(j.get("postgres_labels").asLong()).isEqualTo(j.get("labels_sent").asLong());
        // the champion's live quality against them: the demo's own count, and the view live_model_quality, agree
        assertThat(j.get("live_labelled").asLong()).isPositive().isLessThanOrEqualTo(j.get("labels_sent").asLong())
                .isLessThanOrEqualTo(j.get("scored").asLong());
        assertThat(j.get("live_frauds").asLong()).isPositive().isLessThanOrEqualTo(j.get("simulated_frauds").asLong());
        assertThat(j.get("live_precision").asDouble()).isBetween(0.0, 1.0);
        assertThat(j.get("live_recall").asDouble()).isBetween(0.0, 1.0);
        for (String key : List.of("live_labelled", "live_frauds", "live_precision", "live_recall")) {
            assertThat(j.get("postgres_" + key)).as(key).isEqualTo(j.get(key));
        }
        // three bands summing to what was scored; the declines are the flagged; reviews and declines carry reasons
        JsonNode bands = j.get("bands");
        assertThat(bands.get("approve").asLong() + bands.get("review").asLong() + bands.get("decline").asLong())
                .isEqualTo(j.get("scored").asLong());
        assertThat(bands.get("decline").asLong()).isEqualTo(j.get("flagged").asLong());
        assertThat(bands.get("review").asLong()).as("the shipped model has a review band").isPositive();
        assertThat(j.get("explained").asLong()).as("every review and decline of the shipped model is explained")
                .isEqualTo(bands.get("review").asLong() + bands.get("decline").asLong());
        for (String key : List.of("events_in", "scored", "dlq", "flagged", "duration", "events_per_second", "model", "model_version",
                "postgres_rows", "postgres_rows_per_second", "labels_sent", "live_labelled", "live_precision", "live_recall")) {
            assertThat(j.has(key)).as(key).isTrue();
        }
    }

    /**
     * The commands in docs/quality.md, section "The shipped model": with no tuning flag, {@code ./fraud train} trains
     * the shipped model, byte for byte (its defaults are the recipe); the settings before them stay reachable by flags.
     */
    @Test
    void theShippedModelRebuildsByteForByteFromTheDefaults() throws Exception {
        Path data = tmp.resolve("sim-90d.csv.gz");
        assertThat(run("simulate", "--days", "90", "--out", data.toString()).exit()).isZero();
        Path out = tmp.resolve("model");
        CliRun t = run("train", "--data", data.toString(), "--train-start", "2018-05-15", "--train-days", "21",
                "--name", "demo-xgb", "--model-version", "sim-2018-05-15-terminal-v3",
                "--created-at", "2026-11-30T00:00:00Z",
                "--out", out.toString(), "--json");
        assertThat(t.exit()).as(t.err()).isZero();
        for (String f : List.of("manifest.json", "model.json")) {
            byte[] shipped = FraudCliIT.class.getClassLoader().getResourceAsStream("models/default/" + f).readAllBytes();
            assertThat(Files.readAllBytes(out.resolve(f))).as(f).isEqualTo(shipped);
        }
        assertThat(t.lastJson().get("auprc").asDouble()).isBetween(0.0, 1.0);

        Path older = tmp.resolve("older");
        CliRun o = run("train", "--data", data.toString(), "--train-start", "2018-05-15", "--train-days", "7",
                "--features", "account-v1", "--pos-weight", "balanced", "--max-bin", "256", "--no-refit",
                "--out", older.toString(), "--json");
        assertThat(o.exit()).as(o.err()).isZero();
        JsonNode manifest = new ObjectMapper().readTree(older.resolve("manifest.json").toFile());
        assertThat(manifest.path("feature_schema_id").asText()).isEqualTo("account-v1");
        assertThat(manifest.path("training").has("xgboost.max_bin")).as("256 bins: XGBoost's default, not passed").isFalse();
        assertThat(manifest.path("training").path("xgboost.scale_pos_weight").asDouble()).as("balanced: genuine / fraud")
                .isGreaterThan(10);
    }
}
