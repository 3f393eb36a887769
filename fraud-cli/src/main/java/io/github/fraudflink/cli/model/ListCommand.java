package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud model list}: the registered model versions, newest first, with their aliases. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "The registered model versions, newest first.")
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RegistryAccess registry;

    @Option(names = "--model", description = "Only this model's versions.")
    String model;

    @Option(names = "--json", description = "One JSON array of the versions.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Registry r = registry.open()) {
            List<ModelVersion> versions = r.versions(model);
            if (json) {
                ObjectMapper om = new ObjectMapper();
                ArrayNode a = om.createArrayNode();
                for (ModelVersion v : versions) {
                    a.add(ShowCommand.json(om, v, null));
                }
                out.println(a);
            } else if (versions.isEmpty()) {
                out.println("no model registered" + (model == null ? "" : " under " + model)
                        + "; register one with 'fraud model register --manifest ...'");
            } else {
                String f = "%-20s %-24s %-9s %-20s %-22s %8s  %s%n";
                out.printf(f, "model", "version", "alias", "registered", "features", "AP", "by");
                for (ModelVersion v : versions) {
                    Double ap = v.offlineMetrics().get("auprc");
                    out.printf(f, v.model(), v.version(), v.alias(), v.registeredAt().toString().substring(0, 19),
                            v.featureSchema(), ap == null ? "-" : String.format(Locale.ROOT, "%.4f", ap), v.registeredBy());
                }
            }
            return registry.publishPending(r, out, spec.commandLine().getErr());
        }
    }
}
