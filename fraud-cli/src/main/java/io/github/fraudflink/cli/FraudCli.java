package io.github.fraudflink.cli;

import io.github.fraudflink.cli.bench.BenchApiCommand;
import io.github.fraudflink.cli.bench.BenchCommand;
import io.github.fraudflink.cli.bench.BenchLabelsCommand;
import io.github.fraudflink.cli.bench.BenchSwapCommand;
import io.github.fraudflink.cli.common.ErrorReport;
import io.github.fraudflink.cli.data.DataCommand;
import io.github.fraudflink.cli.data.ReplayCommand;
import io.github.fraudflink.cli.data.SimulateCommand;
import io.github.fraudflink.cli.demo.DemoCommand;
import io.github.fraudflink.cli.drift.DriftCommand;
import io.github.fraudflink.cli.model.LoopCommand;
import io.github.fraudflink.cli.model.ModelCommand;
import io.github.fraudflink.cli.model.RetrainCommand;
import io.github.fraudflink.cli.ops.DashboardsCommand;
import io.github.fraudflink.cli.ops.SavepointCommand;
import io.github.fraudflink.cli.serve.ServeCommand;
import io.github.fraudflink.cli.score.ScoreCommand;
import io.github.fraudflink.cli.train.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ./fraud} command tree: one entry point for people, one subcommand per task. The commands live in a package
 * per family ({@code cli.demo}, {@code cli.bench}, {@code cli.data}, {@code cli.model}, {@code cli.train},
 * {@code cli.ops}) on shared plumbing ({@code cli.common}: errors, progress, delayed labels; {@code cli.local}: the job
 * on a MiniCluster); this package only puts them together, and nothing depends on it (PackageDependenciesTest).
 */
@Command(name = "fraud",
        mixinStandardHelpOptions = true,
        version = "fraud-flink 0.1.0",
        description = "Real-time card-fraud scoring on Apache Flink.",
        subcommands = {DemoCommand.class, ServeCommand.class, SimulateCommand.class, TrainCommand.class, ScoreCommand.class, ModelCommand.class, RetrainCommand.class, LoopCommand.class, DriftCommand.class, BenchCommand.class, BenchSwapCommand.class, BenchLabelsCommand.class, BenchApiCommand.class, ReplayCommand.class, DashboardsCommand.class, SavepointCommand.class, DataCommand.class, CommandLine.HelpCommand.class})
public final class FraudCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        ErrorReport.logUncaughtExceptions();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        return ErrorReport.configure(new CommandLine(new FraudCli()));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
