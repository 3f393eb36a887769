package io.github.fraudflink.cli;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelStatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelRejectedException;
import io.github.fraudflink.model.Sha256;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./fraud model ...}: publish, roll back and retire model versions on a running job, and see what is live. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Operate the models of a running job through its model-control topic.",
        subcommands = {ModelCommand.Publish.class, ModelCommand.Rollback.class, ModelCommand.Retire.class,
            ModelCommand.Status.class})
public final class ModelCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the job's Kafka and topics are. */
    static final class Kafka {
        @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092",
                description = "Kafka of the job (default: ${DEFAULT-VALUE}).")
        String bootstrap;

        @Option(names = "--control-topic", defaultValue = "model-control", description = "Model-control topic (default: ${DEFAULT-VALUE}).")
        String controlTopic;

        @Option(names = "--status-topic", defaultValue = "model-control-status", description = "Status topic (default: ${DEFAULT-VALUE}).")
        String statusTopic;

        void send(ModelControl c) throws Exception {
            try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(bootstrap)) {
                p.send(new ProducerRecord<>(controlTopic, c.model.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        ModelControlJson.write(c))).get(30, TimeUnit.SECONDS);
            }
        }

        /** Champions that instances reported live, oldest first, as control events (without manifest checksum). */
        List<ModelControl> liveChampionsFromStatus() throws IOException {
            List<ModelControl> out = new ArrayList<>();
            try (KafkaIO.CommittedReader r = new KafkaIO.CommittedReader(bootstrap, statusTopic, false)) {
                for (var rec : r.readToEnd(Duration.ofSeconds(2))) {
                    ModelStatus s = ModelControlJson.readStatus(rec.value());
                    if (ModelStatus.LIVE.equals(s.status) && ModelControl.CHAMPION.equals(s.role) && s.manifestUri != null) {
                        out.add(new ModelControl(s.model, s.version, ModelControl.CHAMPION, s.manifestUri, null));
                    }
                }
            }
            return out;
        }

        /** Every control event on the topic, oldest first. */
        List<ModelControl> history() {
            try (KafkaIO.CommittedReader r = new KafkaIO.CommittedReader(bootstrap, controlTopic, false)) {
                return r.readToEnd(Duration.ofSeconds(2)).stream().filter(rec -> rec.value() != null)
                        .map(rec -> ModelControlJson.read(rec.value())).toList();
            }
        }
    }

    static ModelControl stamp(ModelControl c) {
        c.issuedAt = Instant.now().toString();
        c.issuedBy = System.getProperty("user.name", "unknown");
        return c;
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Verify a model artifact here, then publish it as champion or shadow.")
    static final class Publish implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kafka kafka;

        @Option(names = "--manifest", required = true,
                description = "The model's manifest.json: a path, or a file://, http(s):// or classpath: URI the job can read.")
        String manifest;

        @Option(names = "--role", defaultValue = "champion", description = "champion or shadow (default: ${DEFAULT-VALUE}).")
        String role;

        @Override
        public Integer call() throws Exception {
            if (!ModelControl.CHAMPION.equals(role) && !ModelControl.SHADOW.equals(role)) {
                throw new IllegalArgumentException("--role must be champion or shadow; to remove a model use 'fraud model retire'");
            }
            URI uri = manifest.contains(":") && !Files.exists(Path.of(manifest)) ? URI.create(manifest)
                    : Path.of(manifest).toAbsolutePath().normalize().toUri();
            LoadedModel m;
            try {
                m = new ModelLoader().load(uri, null);
            } catch (ModelRejectedException e) {
                throw new IllegalArgumentException("the job would reject this model: " + e.getMessage(), e);
            }
            ModelControl c = stamp(new ModelControl(m.name(), m.version(), role, uri.toString(), m.manifestSha256()));
            m.close();
            kafka.send(c);
            spec.commandLine().getOut().printf("published %s %s as %s (manifest sha256 %s) to %s; follow it with 'fraud model status'%n",
                    c.model, c.version, role, c.manifestSha256, kafka.controlTopic);
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Publish again the champion version of a model that was live before the current one.")
    static final class Rollback implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kafka kafka;

        @Option(names = "--model", required = true, description = "Model name.")
        String model;

        @Override
        public Integer call() throws Exception {
            List<ModelControl> champions = kafka.history().stream()
                    .filter(c -> c.error == null && model.equals(c.model) && ModelControl.CHAMPION.equals(c.role)).toList();
            if (champions.isEmpty()) {
                throw new IllegalArgumentException("no champion event of model '" + model + "' on " + kafka.controlTopic);
            }
            ModelControl current = champions.get(champions.size() - 1);
            ModelControl previous = null;
            for (int i = champions.size() - 2; i >= 0 && previous == null; i--) {
                if (!champions.get(i).version.equals(current.version)) {
                    previous = champions.get(i);
                }
            }
            if (previous == null) {
                // compaction keeps one event per model: the status topic (not compacted) remembers what was live
                previous = kafka.liveChampionsFromStatus().stream()
                        .filter(c -> model.equals(c.model) && !current.version.equals(c.version))
                        .reduce((a, b) -> b).orElse(null);
            }
            if (previous == null) {
                throw new IllegalArgumentException(model + " " + current.version + " is the only champion version on record"
                        + " (control and status topics): nothing to roll back to");
            }
            ModelControl again = stamp(new ModelControl(previous.model, previous.version, ModelControl.CHAMPION,
                    previous.manifestUri, previous.manifestSha256));
            kafka.send(again);
            spec.commandLine().getOut().printf("rolled %s back from %s to %s%n", model, current.version, previous.version);
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true, description = "Take a model out of the role it holds (a shadow; a champion must be replaced instead).")
    static final class Retire implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kafka kafka;

        @Option(names = "--model", required = true, description = "Model name.")
        String model;

        @Override
        public Integer call() throws Exception {
            kafka.send(stamp(new ModelControl(model, null, ModelControl.RETIRED, null, null)));
            spec.commandLine().getOut().printf("asked the job to retire %s%n", model);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "What each scoring instance reports: live models per role, recent rejections.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Kafka kafka;

        @Option(names = "--json", description = "Print the latest record per instance and role as JSON.")
        boolean json;

        @Override
        public Integer call() throws IOException {
            Map<String, ModelStatus> latest = new TreeMap<>();
            List<ModelStatus> rejections = new ArrayList<>();
            try (KafkaIO.CommittedReader r = new KafkaIO.CommittedReader(kafka.bootstrap, kafka.statusTopic, false)) {
                for (var rec : r.readToEnd(Duration.ofSeconds(2))) {
                    ModelStatus s = ModelControlJson.readStatus(rec.value());
                    if (ModelStatus.REJECTED.equals(s.status)) {
                        rejections.add(s);
                    } else {
                        latest.put(s.instance + "/" + s.role, s);
                    }
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper();
                ArrayNode a = om.createArrayNode();
                for (ModelStatus s : latest.values()) {
                    a.add(om.readTree(ModelControlJson.writeStatus(s)));
                }
                out.println(a);
                return 0;
            }
            if (latest.isEmpty()) {
                out.println("no status yet on " + kafka.statusTopic + ": is the job running against " + kafka.bootstrap + "?");
                return 0;
            }
            out.printf("%-9s %-9s %-8s %-20s %-24s %s%n", "instance", "role", "status", "model", "version", "since");
            for (ModelStatus s : latest.values()) {
                out.printf("%-9s %-9s %-8s %-20s %-24s %s%n", s.instance + "/" + s.instances, s.role, s.status, s.model,
                        s.version, Instant.ofEpochMilli(s.at));
            }
            int from = Math.max(0, rejections.size() - 10);
            if (!rejections.isEmpty()) {
                out.printf("%nlast rejections:%n");
                for (ModelStatus s : rejections.subList(from, rejections.size())) {
                    out.printf("  %s instance %d: %s %s as %s: %s%n", Instant.ofEpochMilli(s.at), s.instance, s.model,
                            s.version, s.role, s.message);
                }
            }
            return 0;
        }
    }
}
