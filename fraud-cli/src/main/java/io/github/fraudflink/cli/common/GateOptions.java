package io.github.fraudflink.cli.common;

import io.github.fraudflink.registry.Gates;
import picocli.CommandLine.Option;

/** The promotion gates' settings, as options (defaults: {@link Gates#DEFAULTS}). */
public final class GateOptions {
    @Option(names = "--max-false-positive-rate", defaultValue = "" + Gates.DEFAULT_MAX_FALSE_POSITIVE_RATE,
            description = "Gate: the challenger's false-positive rate at its threshold is at most this (default: ${DEFAULT-VALUE}).")
    double maxFalsePositiveRate;

    @Option(names = "--min-labels", defaultValue = "" + Gates.DEFAULT_MIN_LABELLED,
            description = "Gate: at least this many labelled transactions to judge on (default: ${DEFAULT-VALUE}).")
    long minLabelled;

    @Option(names = "--min-frauds", defaultValue = "" + Gates.DEFAULT_MIN_FRAUDS,
            description = "Gate: and at least this many frauds among them (default: ${DEFAULT-VALUE}).")
    long minFrauds;

    @Option(names = "--gate-tolerance", defaultValue = "0",
            description = "Gate: how far below the champion's AP and recall the challenger may be (default: ${DEFAULT-VALUE}).")
    double tolerance;

    public Gates gates() {
        if (maxFalsePositiveRate < 0 || maxFalsePositiveRate > 1 || minLabelled < 0 || minFrauds < 0 || tolerance < 0) {
            throw new IllegalArgumentException("gate settings: --max-false-positive-rate is in [0, 1]; --min-labels,"
                    + " --min-frauds and --gate-tolerance are not negative");
        }
        return new Gates(maxFalsePositiveRate, minLabelled, minFrauds, tolerance);
    }
}
