package io.github.fraudflink.cli.model;

import io.github.fraudflink.registry.ArtifactStore;
import io.github.fraudflink.registry.Registration;
import io.github.fraudflink.registry.Registry;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.model.ModelLoader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud model register}: verify a model artifact, copy it into the model store and record it in the registry. */
@Command(name = "register", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Verify a model artifact as the job would (checksums, feature schema, golden sample), copy it"
                + " into the model store and record it in the registry (alias none). Make it live with"
                + " 'fraud model promote'."})
final class RegisterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RegistryAccess registry;

    @Option(names = "--manifest", required = true,
            description = "The model's manifest.json: a path, or a file:// or http(s):// URI.")
    String manifest;

    @Option(names = "--store", defaultValue = "${env:FRAUD_MODEL_STORE}",
            description = "The model store: a folder every TaskManager can read (local, or a shared mount); the"
                    + " artifact is copied to STORE/<model>/<version>/ (default: the environment variable"
                    + " FRAUD_MODEL_STORE; none: the artifact is registered where it is, which must stay readable).")
    Path store;

    @Override
    public Integer call() throws Exception {
        URI uri = io.github.fraudflink.cli.common.ManifestUri.of(manifest);
        try (Registry r = registry.open()) {
            ModelVersion v = new Registration(r, store == null ? null : new ArtifactStore(store), new ModelLoader())
                    .register(uri, null, null, registry.by);
            spec.commandLine().getOut().printf("registered %s %s (%s, %s features, threshold %.4f) at %s%n"
                    + "make it live: fraud model promote --model %s --version %s --to shadow --reason ...%n",
                    v.model(), v.version(), v.format(), v.featureSchema(), v.threshold(), v.manifestUri(), v.model(),
                    v.version());
            return registry.publishPending(r, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }
}
