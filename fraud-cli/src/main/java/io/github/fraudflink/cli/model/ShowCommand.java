package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.registry.AliasChange;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud model show}: one registered version, whole, with the history of its aliases. */
@Command(name = "show",
        description = "One registered version: manifest, checksums, training data, offline metrics, retraining"
                + " evaluation and the history of its aliases.")
final class ShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RegistryAccess registry;

    @Mixin
    VersionOptions selected;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String model = selected.model;
        String version = selected.version;
        try (Registry r = registry.open()) {
            ModelVersion v = r.version(model, version).orElseThrow(() -> new IllegalArgumentException(model + " "
                    + version + " is not registered (see fraud model list --model " + model + ")"));
            List<AliasChange> history = r.history(model).stream().filter(h -> h.version().equals(version)).toList();
            ObjectMapper om = new ObjectMapper();
            out.println(om.writerWithDefaultPrettyPrinter().writeValueAsString(json(om, v, history)));
            return registry.publishPending(r, out, spec.commandLine().getErr());
        }
    }

    /** A version as JSON; with its alias history when {@code history} is not null. */
    static ObjectNode json(ObjectMapper om, ModelVersion v, List<AliasChange> history) {
        ObjectNode o = om.createObjectNode();
        o.put("model", v.model());
        o.put("version", v.version());
        o.put("alias", v.alias());
        o.put("format", v.format());
        o.put("manifest_uri", v.manifestUri());
        o.put("manifest_sha256", v.manifestSha256());
        o.set("files", om.valueToTree(v.files()));
        o.put("feature_schema", v.featureSchema());
        o.set("feature_names", om.valueToTree(v.featureNames()));
        o.put("threshold", v.threshold());
        o.set("training_data", om.valueToTree(v.trainingData()));
        o.set("offline_metrics", om.valueToTree(v.offlineMetrics()));
        o.set("evaluation", v.evaluation());
        o.put("registered_by", v.registeredBy());
        o.put("registered_at", v.registeredAt().toString());
        if (history != null) {
            ArrayNode a = o.putArray("alias_history");
            for (AliasChange h : history) {
                a.addObject().put("from", h.from()).put("to", h.to()).put("by", h.by()).put("at", h.at().toString())
                        .put("reason", h.reason()).put("forced", h.forced());
            }
        }
        return o;
    }
}
