package io.github.fraudflink.cli.model;

import picocli.CommandLine.Option;

/**
 * The registered version a command works on ({@code --model}, {@code --version}), and {@code --help}: such a command
 * has no standard {@code --version} option, since here it names the model's version.
 */
final class VersionOptions {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--model", required = true, description = "Model name.")
    String model;

    @Option(names = "--version", required = true, description = "Model version.")
    String version;
}
