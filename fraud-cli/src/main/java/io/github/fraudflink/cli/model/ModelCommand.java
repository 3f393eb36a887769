package io.github.fraudflink.cli.model;

import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelStatus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelRejectedException;
import io.github.fraudflink.model.Sha256;
import io.github.fraudflink.sql.SchemaMigrator;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

/** {@code ./fraud model ...}: the registry's and the control topic's commands, and {@code status}: what is live. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = {"Operate the models of a running job: through the model registry in PostgreSQL (register, list,"
                + " show, promote, compare, rollback, retire with --postgres-url or FRAUD_POSTGRES_URL: every alias change"
                + " is recorded and sent to the control topic), or, without a registry, on the control topic alone"
                + " (publish, rollback, retire)."},
        subcommands = {RegisterCommand.class, ListCommand.class, ShowCommand.class, PromoteCommand.class,
            CompareCommand.class, ModelCommand.Publish.class, ModelCommand.Rollback.class, ModelCommand.Retire.class,
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
            URI uri = io.github.fraudflink.cli.common.ManifestUri.of(manifest);
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

    @Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Make the version that was champion before the current one the champion again.",
                "With the registry (--postgres-url or FRAUD_POSTGRES_URL): from its alias history, recorded with"
                    + " --reason. Without: from the control and status topics (--model)."})
    static final class Rollback implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryAccess registry;

        @Option(names = "--model", description = "Model name (without a registry: required).")
        String model;

        @Option(names = "--reason", description = "Why, for the registry's alias history (with a registry: required).")
        String reason;

        @Override
        public Integer call() throws Exception {
            if (registry.configured()) {
                if (reason == null) {
                    throw new IllegalArgumentException("--reason is required: the registry records why a rollback was made");
                }
                try (io.github.fraudflink.registry.Registry r = registry.open()) {
                    registry.publishPending(r, spec.commandLine().getOut(), spec.commandLine().getErr());
                    var h = r.rollback(registry.by, reason);
                    spec.commandLine().getOut().printf("rolled back: %s %s is the champion again%n", h.model(), h.version());
                    return registry.publishPending(r, spec.commandLine().getOut(), spec.commandLine().getErr());
                }
            }
            if (model == null) {
                throw new IllegalArgumentException("without a registry, --model is required");
            }
            Kafka kafka = registry.kafka;
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

    @Command(name = "retire", sortOptions = false,
            description = {"Take the shadow out of the job (the champion must be replaced instead).",
                "With the registry (--postgres-url or FRAUD_POSTGRES_URL): archives --model/--version, or the shadow"
                    + " when neither is given, recorded with --reason. Without: a retire event for --model."})
    static final class Retire implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryAccess registry;

        // no standard --version option: here --version names the model's version
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--model", description = "Model name (without a registry: required).")
        String model;

        @Option(names = "--version", description = "With a registry: the version to archive (default: the shadow).")
        String version;

        @Option(names = "--reason", description = "Why, for the registry's alias history (with a registry: required).")
        String reason;

        @Override
        public Integer call() throws Exception {
            if (registry.configured()) {
                if (reason == null) {
                    throw new IllegalArgumentException("--reason is required: the registry records why a version was retired");
                }
                if (version != null && model == null) {
                    throw new IllegalArgumentException("--version needs --model");
                }
                try (io.github.fraudflink.registry.Registry r = registry.open()) {
                    registry.publishPending(r, spec.commandLine().getOut(), spec.commandLine().getErr());
                    var h = r.retire(model, version, registry.by, reason);
                    spec.commandLine().getOut().printf("%s %s: %s -> %s%n", h.model(), h.version(), h.from(), h.to());
                    return registry.publishPending(r, spec.commandLine().getOut(), spec.commandLine().getErr());
                }
            }
            if (model == null) {
                throw new IllegalArgumentException("without a registry, --model is required");
            }
            registry.kafka.send(stamp(new ModelControl(model, null, ModelControl.RETIRED, null, null)));
            spec.commandLine().getOut().printf("asked the job to retire %s%n", model);
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"What each scoring instance reports: live models per role, recent rejections.",
                "With --postgres-url, also the live quality of each model, version and role over the labelled"
                    + " transactions of the last --quality-days UTC days (event time): labelled, frauds, precision and"
                    + " recall (summed from the daily counts of view " + SchemaMigrator.MODEL_QUALITY_VIEW + "), and"
                    + " AP, the average precision of the window's labelled transactions ranked together by score"
                    + " (AP is not additive over days, so it is computed from view " + SchemaMigrator.MODEL_SCORES_VIEW
                    + ", not averaged from daily figures). '-': not defined (nothing flagged, no frauds, or a threshold"
                    + " unknown). Labels arrive days after the transactions: the latest days are incomplete."})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RegistryAccess registry;

        @Option(names = "--json", description = "Print the latest record per instance and role as JSON (one line); with"
                + " --postgres-url, a second line holds the live quality and a third the registry's champion and"
                + " shadow, as JSON.")
        boolean json;

        @Option(names = "--quality-days", defaultValue = "7", description = "UTC days of event time the quality covers,"
                + " the last one included (default: ${DEFAULT-VALUE}).")
        int qualityDays;

        @Option(names = "--quality-until", description = "Last UTC day of the quality window, e.g. 2024-03-31 (default:"
                + " today), for replayed data from the past.")
        LocalDate qualityUntil;

        @Override
        public Integer call() throws Exception {
            Kafka kafka = registry.kafka;
            String postgresUrl = registry.configured() ? registry.postgresUrl : null;
            String postgresUser = registry.postgresUser;
            if (qualityDays <= 0) {
                throw new IllegalArgumentException("--quality-days must be positive");
            }
            if (postgresUrl != null) {
                SchemaMigrator.checkUrl(postgresUrl); // before reading Kafka: a wrong URL fails at once
            }
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
            } catch (KafkaIO.MissingTopicException e) {
                spec.commandLine().getErr().println("warning: " + e.getMessage() + ": no instance has reported yet");
            }
            LiveQuality quality = null;
            if (postgresUrl != null) {
                LocalDate until = qualityUntil != null ? qualityUntil : LocalDate.now(ZoneOffset.UTC);
                quality = LiveQuality.read(postgresUrl, postgresUser, until.minusDays(qualityDays - 1L), until);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectMapper om = new ObjectMapper();
                ArrayNode a = om.createArrayNode();
                for (ModelStatus s : latest.values()) {
                    a.add(om.readTree(ModelControlJson.writeStatus(s)));
                }
                out.println(a);
                if (quality != null) {
                    out.println(quality.json(om));
                }
                if (postgresUrl != null) {
                    RegistryView view = RegistryView.read(registry, latest.values(), new PrintWriter(java.io.Writer.nullWriter()),
                            spec.commandLine().getErr());
                    out.println(view.json(om));
                    return view.exit();
                }
                return 0;
            }
            if (latest.isEmpty()) {
                out.println("no status yet on " + kafka.statusTopic + ": is the job running against " + kafka.bootstrap + "?");
            } else {
                out.printf("%-9s %-9s %-8s %-20s %-24s %s%n", "instance", "role", "status", "model", "version", "since");
                for (ModelStatus s : latest.values()) {
                    out.printf("%-9s %-9s %-8s %-20s %-24s %s%n", s.instance + "/" + s.instances, s.role, s.status, s.model,
                            s.version, Instant.ofEpochMilli(s.at));
                }
            }
            int from = Math.max(0, rejections.size() - 10);
            if (!rejections.isEmpty()) {
                out.printf("%nlast rejections:%n");
                for (ModelStatus s : rejections.subList(from, rejections.size())) {
                    out.printf("  %s instance %d: %s %s as %s: %s%n", Instant.ofEpochMilli(s.at), s.instance, s.model,
                            s.version, s.role, s.message);
                }
            }
            if (quality != null) {
                out.println();
                quality.print(out);
            }
            if (postgresUrl != null) {
                out.println();
                RegistryView view = RegistryView.read(registry, latest.values(), out, spec.commandLine().getErr());
                view.print(out);
                return view.exit();
            }
            return 0;
        }
    }

    /**
     * The live quality per model, version and role over the labelled transactions of the UTC days {@code from} to
     * {@code until}: counts summed from {@code live_model_quality}, AP over the window's rows ranked together.
     * {@code latestDay} is the last day with labelled transactions at all (for a hint when the window is empty).
     */
    record LiveQuality(LocalDate from, LocalDate until, List<Row> rows, LocalDate latestDay) {
        /** One model, version and role; null: not defined. */
        record Row(String model, String version, String role, long labelled, long frauds, Long flagged,
                Long truePositives, Double precision, Double recall, Double averagePrecision) {}

        // the ranking of the view live_model_quality, over the whole window instead of one day
        private static final String QUERY = "WITH counts AS ("
                + " SELECT model, model_version, role, sum(labelled)::bigint AS labelled, sum(frauds)::bigint AS frauds,"
                + " CASE WHEN bool_and(flagged IS NOT NULL) THEN sum(flagged)::bigint END AS flagged,"
                + " CASE WHEN bool_and(flagged IS NOT NULL) THEN sum(true_positives)::bigint END AS true_positives"
                + " FROM " + SchemaMigrator.MODEL_QUALITY_VIEW + " WHERE day BETWEEN ? AND ?"
                + " GROUP BY model, model_version, role"
                + "), ranked AS ("
                + " SELECT model, model_version, role, is_fraud, row_number() OVER w AS rank,"
                + " count(*) FILTER (WHERE is_fraud) OVER w AS frauds_to_rank"
                + " FROM " + SchemaMigrator.MODEL_SCORES_VIEW + " WHERE event_time >= ? AND event_time < ?"
                + " WINDOW w AS (PARTITION BY model, model_version, role"
                + " ORDER BY score DESC, transaction_id COLLATE \"C\", account_id COLLATE \"C\" ROWS UNBOUNDED PRECEDING)"
                + "), ap AS ("
                + " SELECT model, model_version, role,"
                + " avg(frauds_to_rank::double precision / rank) FILTER (WHERE is_fraud) AS average_precision"
                + " FROM ranked GROUP BY model, model_version, role"
                + ")"
                + " SELECT c.model, c.model_version, c.role, c.labelled, c.frauds, c.flagged, c.true_positives,"
                + " c.true_positives::double precision / NULLIF(c.flagged, 0), c.true_positives::double precision / NULLIF(c.frauds, 0),"
                + " ap.average_precision"
                + " FROM counts c JOIN ap USING (model, model_version, role)"
                + " ORDER BY c.model, c.role, c.model_version";

        static LiveQuality read(String url, String user, LocalDate from, LocalDate until) throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user);
            String password = SchemaMigrator.passwordFromEnvironment();
            if (password != null) {
                p.setProperty("password", password);
            }
            try (Connection c = new org.postgresql.Driver().connect(SchemaMigrator.checkUrl(url), p)) {
                c.setReadOnly(true);
                List<Row> rows = new ArrayList<>();
                try (PreparedStatement q = c.prepareStatement(QUERY)) {
                    q.setObject(1, from);
                    q.setObject(2, until);
                    q.setObject(3, from.atStartOfDay().atOffset(ZoneOffset.UTC));
                    q.setObject(4, until.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
                    try (ResultSet r = q.executeQuery()) {
                        while (r.next()) {
                            rows.add(new Row(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5),
                                    r.getObject(6, Long.class), r.getObject(7, Long.class), r.getObject(8, Double.class),
                                    r.getObject(9, Double.class), r.getObject(10, Double.class)));
                        }
                    }
                } catch (SQLException e) {
                    if ("42P01".equals(e.getSQLState())) { // undefined table
                        throw new IllegalStateException("the database has no view " + SchemaMigrator.MODEL_QUALITY_VIEW
                                + ": its schema is older than version 3; the job migrates it when it starts", e);
                    }
                    throw e;
                }
                LocalDate latestDay = null;
                if (rows.isEmpty()) {
                    try (PreparedStatement q = c.prepareStatement("SELECT max(day) FROM " + SchemaMigrator.MODEL_SCORES_VIEW);
                            ResultSet r = q.executeQuery()) {
                        r.next();
                        latestDay = r.getObject(1, LocalDate.class);
                    }
                }
                return new LiveQuality(from, until, rows, latestDay);
            }
        }

        void print(PrintWriter out) {
            out.printf("live quality, labelled transactions of %s to %s (UTC event days; labels arrive late):%n", from, until);
            if (rows.isEmpty()) {
                out.println(latestDay == null ? "  no labelled scored transactions yet"
                        : "  none in these days; the latest day with labelled transactions is " + latestDay
                                + " (see --quality-until)");
                return;
            }
            String format = "%-20s %-24s %-9s %9s %7s %9s %7s %7s%n";
            out.printf(format, "model", "version", "role", "labelled", "frauds", "precision", "recall", "AP");
            for (Row r : rows) {
                out.printf(format, r.model(), r.version(), r.role(), String.format("%,d", r.labelled()),
                        String.format("%,d", r.frauds()), ratio(r.precision()), ratio(r.recall()), ratio(r.averagePrecision()));
            }
        }

        private static String ratio(Double v) {
            return v == null ? "-" : String.format(java.util.Locale.ROOT, "%.3f", v);
        }

        ObjectNode json(ObjectMapper om) {
            ObjectNode o = om.createObjectNode();
            o.put("quality_from", from.toString());
            o.put("quality_until", until.toString());
            ArrayNode a = o.putArray("models");
            for (Row r : rows) {
                ObjectNode m = a.addObject();
                m.put("model", r.model());
                m.put("model_version", r.version());
                m.put("role", r.role());
                m.put("labelled", r.labelled());
                m.put("frauds", r.frauds());
                m.put("flagged", r.flagged());
                m.put("true_positives", r.truePositives());
                m.put("precision", r.precision());
                m.put("recall", r.recall());
                m.put("average_precision", r.averagePrecision());
            }
            return o;
        }
    }
}
