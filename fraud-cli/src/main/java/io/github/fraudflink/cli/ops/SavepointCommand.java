package io.github.fraudflink.cli.ops;

import io.github.fraudflink.job.JobOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud savepoint check}: whether this release's job can restore a savepoint, before anyone submits it. */
@Command(name = "savepoint", mixinStandardHelpOptions = true,
        description = "Savepoints of the job.",
        subcommands = SavepointCommand.Check.class)
public final class SavepointCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads a savepoint's metadata and the headers of its state files; prints a line per operator and the verdict. */
    @Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Say whether this release's job, with the options it will be submitted with, can restore a"
                    + " savepoint: the operators whose state it restores, drops (needs --allowNonRestoredState) or starts"
                    + " empty; the key groups; and for each state whether this release reads its format.",
                    "Exit code: 0 restores, 3 restores only with --allowNonRestoredState (state dropped), 4 cannot restore.",
                    "Example: ./fraud savepoint check /savepoints/savepoint-1a2b3c-4d5e6f -- --fraud.postgres.url"
                            + " jdbc:postgresql://db:5432/fraud"})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SAVEPOINT", description = "The savepoint's directory (or its _metadata file).")
        Path savepoint;

        @Option(names = "--loader", description = "Check against the PostgreSQL loader job (PostgresLoaderJob) instead of"
                + " the scoring job.")
        boolean loader;

        @Parameters(index = "1..*", paramLabel = "JOB-OPTION", description = "The job's options, as given to flink run"
                + " after the jar (e.g. --fraud.postgres.url URL, --fraud.kafka.topic.labels \"\"); nothing is connected to.")
        List<String> jobOptions = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            var report = SavepointCheck.check(savepoint, JobOptions.fromArgs(jobOptions.toArray(String[]::new)), loader);
            var out = spec.commandLine().getOut();
            report.lines().forEach(out::println);
            out.println(switch (report.outcome()) {
                case RESTORES -> "verdict: this release restores the savepoint with these options";
                case NEEDS_ALLOW_NON_RESTORED_STATE -> "verdict: restores only with --allowNonRestoredState, which drops"
                        + " the state marked DROPPED (or submit with the options that savepoint was taken with)";
                case CANNOT_RESTORE -> "verdict: this release cannot restore the savepoint with these options (see"
                        + " REFUSED); docs/upgrades.md";
            });
            out.flush();
            return switch (report.outcome()) {
                case RESTORES -> 0;
                case NEEDS_ALLOW_NON_RESTORED_STATE -> 3;
                case CANNOT_RESTORE -> 4;
            };
        }
    }
}
