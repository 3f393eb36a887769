package io.github.fraudflink.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./fraud} command tree: one entry point for people, one subcommand per task. */
@Command(name = "fraud",
        mixinStandardHelpOptions = true,
        version = "fraud-flink 0.1.0",
        description = "Real-time card-fraud scoring on Apache Flink.",
        subcommands = {DemoCommand.class, SimulateCommand.class, TrainCommand.class, ModelCommand.class, BenchCommand.class, BenchSwapCommand.class, BenchLabelsCommand.class, ReplayCommand.class, DashboardsCommand.class, DataCommand.class, CommandLine.HelpCommand.class})
public final class FraudCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        ErrorReport.logUncaughtExceptions();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FraudCli());
        cl.registerConverter(java.time.Duration.class, new DurationConverter());
        cl.registerConverter(java.time.Instant.class, java.time.Instant::parse);
        ErrorReport.install(cl);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
