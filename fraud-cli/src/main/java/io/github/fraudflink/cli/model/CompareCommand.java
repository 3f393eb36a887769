package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.cli.common.GateOptions;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud model compare}: the registry's champion against its shadow on live traffic and labels. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The champion against the shadow on the transactions both scored since the shadow went live,"
                + " with the labels that have arrived for them: precision, recall, false-positive rate and AP at each"
                + " model's threshold, how many decisions the shadow would change, the score distributions, and the"
                + " live gate's verdicts (what 'fraud model promote' would decide)."})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RegistryAccess registry;
    @Mixin
    GateOptions gateOptions;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Registry r = registry.open()) {
            int pending = registry.publishPending(r, json ? new PrintWriter(java.io.Writer.nullWriter()) : out,
                    spec.commandLine().getErr());
            ModelVersion champion = r.holder(ModelVersion.CHAMPION).orElseThrow(() -> new IllegalArgumentException(
                    "the registry has no champion; promote one first"));
            ModelVersion shadow = r.holder(ModelVersion.SHADOW).orElseThrow(() -> new IllegalArgumentException(
                    "the registry has no shadow to compare with the champion; promote one with --to shadow"));
            LiveComparison c = LiveComparison.read(r.connection(), champion, shadow);
            if (json) {
                out.println(c.json(new ObjectMapper(), gateOptions.gates()));
            } else {
                c.print(out, gateOptions.gates());
            }
            return pending;
        }
    }
}
