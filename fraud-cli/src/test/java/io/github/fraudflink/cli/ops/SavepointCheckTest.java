package io.github.fraudflink.cli.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.cli.CliRun;
import io.github.fraudflink.job.JobOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ./fraud savepoint check} on the savepoints kept for {@code KeptSavepointsIT} (real savepoints of two
 * releases, fraud-job/src/test/resources/savepoints; that test proves they restore): restorable with the options they
 * were taken with, the older one's broadcast state migrating; labels turned off needs --allowNonRestoredState and
 * drops the labels source; PostgreSQL turned on adds operators that start empty; other key groups cannot take them;
 * the loader job would drop the scorer's state.
 */
class SavepointCheckTest {
    static Stream<Path> kept() throws IOException {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent()
                .resolve("fraud-job/src/test/resources/savepoints");
        try (Stream<Path> dirs = Files.list(root)) {
            List<Path> all = dirs.map(d -> d.resolve("savepoint")).filter(Files::isDirectory).sorted().toList();
            assertThat(all).as("kept savepoints in %s", root).isNotEmpty();
            return all.stream();
        }
    }

    private static Configuration options(String... args) {
        return JobOptions.fromArgs(args);
    }

    @ParameterizedTest
    @MethodSource("kept")
    void aKeptSavepointRestoresWithTheOptionsItWasTakenWith(Path savepoint) throws Exception {
        SavepointCheck.Report r = SavepointCheck.check(savepoint, options(), false);
        assertThat(r.outcome()).as("%s", r.lines()).isEqualTo(SavepointCheck.Outcome.RESTORES);
        boolean pojoEra = savepoint.getParent().getFileName().toString().contains("pojo");
        assertThat(r.lines()).anyMatch(l -> l.startsWith("RESTORES 'account-features'") && l.contains("'account-history': as is (format 1)"))
                .anyMatch(l -> l.startsWith("RESTORES 'terminal-features'") && l.contains(pojoEra
                        ? "'terminal-history': after migration (format 1 to 2)" : "'terminal-history': as is (format 2)")
                        && l.contains("'terminal-held'"))
                .anyMatch(l -> l.startsWith("RESTORES 'score'") && l.contains("'live-models'") && l.contains("'live-artifacts'"))
                .noneMatch(l -> l.startsWith("DROPPED") || l.startsWith("REFUSED") || l.startsWith("EMPTY"));
        assertThat(r.lines()).filteredOn(l -> l.startsWith("RESTORES 'score'")).singleElement().asString()
                .contains(pojoEra ? "'live-models': after migration (ModelControl from Flink's POJO serializer"
                        : "'live-models': as is (format 1)");
    }

    @ParameterizedTest
    @MethodSource("kept")
    void turningLabelsOffNeedsAllowNonRestoredStateAndSaysWhatIsDropped(Path savepoint) throws Exception {
        SavepointCheck.Report r = SavepointCheck.check(savepoint, options("--" + JobOptions.TOPIC_LABELS.key(), ""), false);
        assertThat(r.outcome()).isEqualTo(SavepointCheck.Outcome.NEEDS_ALLOW_NON_RESTORED_STATE);
        assertThat(r.lines()).anyMatch(l -> l.startsWith("DROPPED  'kafka-labels-source'") && l.contains("--allowNonRestoredState"));
    }

    @ParameterizedTest
    @MethodSource("kept")
    void turningPostgresOnAddsSinksThatStartEmpty(Path savepoint) throws Exception {
        SavepointCheck.Report r = SavepointCheck.check(savepoint,
                options("--" + JobOptions.POSTGRES_URL.key(), "jdbc:postgresql://db.invalid:5432/fraud"), false);
        assertThat(r.outcome()).isEqualTo(SavepointCheck.Outcome.RESTORES);
        assertThat(r.lines()).anyMatch(l -> l.startsWith("EMPTY    'postgres-scored-sink'"))
                .anyMatch(l -> l.startsWith("EMPTY    'postgres-labels-sink'"));
    }

    @ParameterizedTest
    @MethodSource("kept")
    void otherKeyGroupsCannotTakeItAndTheLoaderJobWouldDropMostOfIt(Path savepoint) throws Exception {
        SavepointCheck.Report keyGroups = SavepointCheck.check(savepoint,
                options("--" + JobOptions.MAX_PARALLELISM.key(), "256"), false);
        assertThat(keyGroups.outcome()).isEqualTo(SavepointCheck.Outcome.CANNOT_RESTORE);
        assertThat(keyGroups.lines()).anyMatch(l -> l.startsWith("REFUSED  'account-features'")
                && l.contains("128 key groups for it, this job 256"));
        // the option Flink itself reads: the same key groups as the savepoint's restore
        assertThat(SavepointCheck.check(savepoint, options("--pipeline.max-parallelism", "128"), false).outcome())
                .isEqualTo(SavepointCheck.Outcome.RESTORES);
        assertThat(SavepointCheck.check(savepoint, options("--pipeline.max-parallelism", "64"), false).outcome())
                .isEqualTo(SavepointCheck.Outcome.CANNOT_RESTORE);

        SavepointCheck.Report loader = SavepointCheck.check(savepoint,
                options("--" + JobOptions.POSTGRES_URL.key(), "jdbc:postgresql://db.invalid:5432/fraud"), true);
        assertThat(loader.outcome()).isEqualTo(SavepointCheck.Outcome.NEEDS_ALLOW_NON_RESTORED_STATE);
        assertThat(loader.lines()).anyMatch(l -> l.startsWith("DROPPED  'score'"));
        assertThat(SavepointCheck.check(savepoint, options("--" + JobOptions.POSTGRES_URL.key(),
                "jdbc:postgresql://db.invalid:5432/fraud", "--" + JobOptions.MAX_PARALLELISM.key(), "256"), true).outcome())
                .as("key groups are compared for every operator the two share, stateful or not")
                .isEqualTo(SavepointCheck.Outcome.CANNOT_RESTORE);
    }

    @Test
    void theCommandPrintsTheVerdictAndExitsWithIt(@TempDir Path tmp) throws Exception {
        Path savepoint = kept().findFirst().orElseThrow();
        CliRun ok = CliRun.of("savepoint", "check", savepoint.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("verdict: this release restores the savepoint");
        CliRun dropped = CliRun.of("savepoint", "check", savepoint.toString(), "--", "--" + JobOptions.TOPIC_LABELS.key(), "");
        assertThat(dropped.exit()).isEqualTo(3);
        assertThat(dropped.out()).contains("DROPPED  'kafka-labels-source'", "--allowNonRestoredState");
        CliRun refused = CliRun.of("savepoint", "check", savepoint.toString(), "--", "--" + JobOptions.MAX_PARALLELISM.key(), "64");
        assertThat(refused.exit()).isEqualTo(4);
        CliRun none = CliRun.of("savepoint", "check", tmp.toString());
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("no savepoint at " + tmp, "_metadata");
        assertThatThrownBy(() -> SavepointCheck.check(tmp.resolve("missing"), options(), false))
                .isInstanceOf(IOException.class).hasMessageContaining("no savepoint at");
    }
}
