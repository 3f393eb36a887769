package io.github.fraudflink.cli.model;

import io.github.fraudflink.cli.common.GateOptions;
import io.github.fraudflink.registry.AliasChange;
import io.github.fraudflink.registry.Gates;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud model promote}: make a registered version the shadow or the champion, through the registry (the
 * matching control event is sent with the change). To champion, the live gate applies: the version must be the shadow,
 * judged against the champion on the labels of the transactions both scored.
 */
@Command(name = "promote", sortOptions = false,
        description = {"Make a registered version the shadow or the champion; the job follows through its control topic.",
            "To champion, the live gate: the version must be the shadow, with at least --min-labels labelled"
                + " transactions scored by both and --min-frauds frauds among them, an AP and a recall at its threshold"
                + " not below the champion's, and a false-positive rate at most --max-false-positive-rate ('fraud model"
                + " compare' shows it). --force with a --reason overrides; the registry records it.",
            "To shadow: refused when retraining recorded failed gates for the version (--force overrides).",
            "Exit status: 0 done; 3 refused by a gate; 5 done, but the control event waits in the outbox (Kafka not"
                + " reachable; the next fraud model command sends it)."})
final class PromoteCommand implements Callable<Integer> {
    static final int REFUSED = 3;

    @Spec
    CommandSpec spec;
    @Mixin
    RegistryAccess registry;
    @Mixin
    GateOptions gateOptions;

    @Mixin
    VersionOptions selected;

    @Option(names = "--to", defaultValue = "champion", description = "champion or shadow (default: ${DEFAULT-VALUE}).")
    String to;

    @Option(names = "--reason", required = true, description = "Why, for the alias history.")
    String reason;

    @Option(names = "--force", description = "Promote even when a gate refuses (recorded as forced, with the failures).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Gates gates = gateOptions.gates();
        String model = selected.model;
        String version = selected.version;
        try (Registry r = registry.open()) {
            int pendingBefore = registry.publishPending(r, out, err);
            ModelVersion target = r.version(model, version).orElseThrow(() -> new IllegalArgumentException(model + " "
                    + version + " is not registered (see fraud model list)"));
            String refusal = ModelVersion.CHAMPION.equals(to) ? liveGate(r, target, gates, out) : offlineGate(target);
            if (refusal != null && !force) {
                err.printf("refused: %s%n", refusal);
                return REFUSED;
            }
            String why = refusal == null ? reason : "forced past the gate (" + refusal + "): " + reason;
            AliasChange h = r.promote(model, version, to, registry.by, why, refusal != null);
            out.printf("%s %s: %s -> %s%s%n", model, version, h.from(), h.to(), refusal == null ? "" : " (forced)");
            int sent = registry.publishPending(r, out, err);
            return sent != 0 ? sent : pendingBefore;
        }
    }

    /** Why the live gate refuses the version as champion, or null when it passes. */
    private static String liveGate(Registry r, ModelVersion target, Gates gates, PrintWriter out) throws Exception {
        Optional<ModelVersion> champion = r.holder(ModelVersion.CHAMPION);
        if (champion.isEmpty()) {
            return null; // the first champion: nothing to compare with
        }
        if (!ModelVersion.SHADOW.equals(target.alias())) {
            return target.model() + " " + target.version() + " is not the shadow, so it has no live comparison with the"
                    + " champion: promote it to shadow first (--to shadow) and let labels arrive";
        }
        LiveComparison c = LiveComparison.read(r.connection(), champion.get(), target);
        c.print(out, gates);
        List<Gates.Verdict> verdicts = c.verdicts(gates);
        return Gates.passed(verdicts) ? null : "the shadow fails the live gate: " + Gates.failures(verdicts);
    }

    /** Why the version may not become the shadow (its retraining gates failed), or null. */
    private static String offlineGate(ModelVersion target) {
        if (target.evaluation() != null && target.evaluation().has("gates_passed")
                && !target.evaluation().get("gates_passed").asBoolean()) {
            return "retraining recorded failed gates for " + target.model() + " " + target.version() + ": "
                    + target.evaluation().path("gate_failures").asText("");
        }
        return null;
    }
}
