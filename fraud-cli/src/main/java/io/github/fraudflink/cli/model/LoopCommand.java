package io.github.fraudflink.cli.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.cli.common.DelayedLabels;
import io.github.fraudflink.cli.common.ErrorReport;
import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.LabelJson;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.registry.ModelVersion;
import io.github.fraudflink.registry.Registry;
import io.github.fraudflink.sql.SchemaMigrator;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud demo-loop}: the model lifecycle, end to end, on the local stack of {@code ./fraud demo} (a Kafka broker,
 * the job on a MiniCluster, PostgreSQL). A simulation is streamed week by week with its labels a week late; the first
 * champion is retrained from what the job served in the first weeks; later {@code retrain --when-labels} fires on the
 * labels that arrived, its challenger passes the gates and becomes the shadow, is compared with the champion on live
 * labels and promoted. With {@code --then-broken-feed}, a labels feed that reverses most frauds follows, and the
 * challenger retrained on it is refused. Every step is one of the {@code ./fraud} commands a user would run.
 */
@Command(name = "demo-loop", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The model lifecycle end to end on the local stack (Kafka, the job on a MiniCluster, PostgreSQL):"
                + " stream a simulation week by week with labels --label-delay late; retrain the first champion from the"
                + " served rows; retrain again once --when-labels labels arrived (the challenger becomes the shadow when"
                + " it passes the gates); compare it with the champion on live labels and promote it; with"
                + " --then-broken-feed, a labels feed that reverses most frauds, whose challenger is refused."})
public final class LoopCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--customers", defaultValue = "1000", description = "Simulated accounts (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the simulation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--label-delay", defaultValue = "7d", description = "Event time between a transaction and its label"
            + " (default: ${DEFAULT-VALUE}).")
    Duration labelDelay;

    @Option(names = "--when-labels", defaultValue = "5000", description = "Retrain once this many labels arrived after"
            + " the champion's cut-off (default: ${DEFAULT-VALUE}).")
    long whenLabels;

    @Option(names = "--then-broken-feed", description = "Then break the labels feed (3 in 4 frauds of four weeks reversed,"
            + " every genuine transaction of 100 or more called fraud) and show the challenger retrained on it refused.")
    boolean brokenFeed;

    @Option(names = "--postgres-url", description = "Use this PostgreSQL database instead of starting one in-process.")
    String postgresUrl;

    @Option(names = "--postgres-user", defaultValue = "fraud", description = "User for --postgres-url (default: ${DEFAULT-VALUE}).")
    String postgresUser;

    @Option(names = "--work-dir", defaultValue = ".fraud/demo-loop", description = "Checkpoints, Kafka data, model store"
            + " (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--timeout", defaultValue = "10min", description = "Give up waiting for a week's output after this"
            + " long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the summary as one JSON object (one line).")
    boolean json;

    private static final int WEEKS = 7;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        LocalEnvironment.Postgres pg = postgresUrl != null ? LocalEnvironment.Postgres.existing(postgresUrl, postgresUser)
                : LocalEnvironment.Postgres.startHere();
        ObjectMapper om = new ObjectMapper();
        ObjectNode summary = om.createObjectNode();
        ArrayNode steps = summary.putArray("steps");
        long t0 = System.nanoTime();
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir, 2, Duration.ofSeconds(2),
                null, null, null, pg), err)) {
            List<LabelledTransaction> all = simulate();
            long start = all.get(0).tx().eventTime;
            String prefix = env.runId() + "-";
            String[] registry = {"--postgres-url", env.postgresUrl(), "--postgres-user", env.postgresUser(),
                "--bootstrap-servers", env.bootstrapServers(), "--control-topic",
                env.configuration().get(JobOptions.TOPIC_MODEL_CONTROL), "--by", "demo-loop"};
            Stream stream = new Stream(env, prefix, all);
            env.submit("fraud-scoring-demo-loop");
            summary.put("transactions", all.size());
            summary.put("from", Instant.ofEpochMilli(start).toString());

            // weeks 1-3 with the shipped model; the first champion from weeks 1-2's served rows
            stream.until(start + days(21), timeout);
            step(steps, "streamed weeks 1-3", stream, null);
            String v1 = "loop-1";
            int r1 = run(new RetrainCommand(), steps, "retrain the first champion", registry, "--train-from", at(start),
                    "--train-to", at(start + days(10)), "--eval-to", at(start + days(14)), "--labels-known-by",
                    at(stream.now()), "--name", "loop-xgb", "--model-version", v1, "--out", dir(v1), "--store", store());
            requireZero(r1, "retraining the first champion");
            requireZero(run(new PromoteCommand(), steps, "promote the first champion", registry, "--model", "loop-xgb",
                    "--version", v1, "--reason", "first champion, trained on weeks 1-2"), "promoting the first champion");

            // weeks 4-5: labels arrive; retrain fires once enough did
            stream.until(start + days(35), timeout);
            step(steps, "streamed weeks 4-5", stream, null);
            String v2 = "loop-2";
            int r2 = run(new RetrainCommand(), steps, "retrain when labels arrived", registry, "--when-labels",
                    Long.toString(whenLabels), "--train-from", at(start), "--train-to", at(start + days(24)), "--eval-to",
                    at(start + days(28)), "--labels-known-by", at(stream.now()), "--model-version", v2, "--out", dir(v2),
                    "--store", store());
            boolean shadowed = r2 == 0;

            // weeks 6-7: champion and shadow both score; their live labels decide the promotion
            stream.until(start + days(7L * WEEKS), timeout);
            step(steps, "streamed weeks 6-7", stream, null);
            boolean promoted = false;
            if (shadowed) {
                run(new CompareCommand(), steps, "compare champion and shadow on live labels", registry, "--json");
                promoted = run(new PromoteCommand(), steps, "promote the shadow", registry, "--model", "loop-xgb",
                        "--version", v2, "--reason", "passed the live gate") == 0;
            }
            summary.put("challenger_shadowed", shadowed);
            summary.put("challenger_promoted", promoted);

            if (brokenFeed) {
                long sent = stream.breakFeed(start + days(7), start + days(35));
                step(steps, "a broken labels feed: " + sent + " labels reversing verdicts of weeks 2-5", stream, null);
                int r3 = run(new RetrainCommand(), steps, "retrain on the broken feed", registry, "--train-from",
                        at(start + days(7)), "--train-to", at(start + days(35)), "--eval-to", at(start + days(42)),
                        "--labels-known-by", at(stream.now() + 1), "--model-version", "loop-3", "--out", dir("loop-3"),
                        "--store", store());
                summary.put("broken_feed_challenger_refused", r3 == PromoteCommand.REFUSED);
            }
            try (Registry r = Registry.open(env.postgresUrl(), env.postgresUser())) {
                summary.put("champion", r.holder(ModelVersion.CHAMPION).map(v -> v.model() + " " + v.version()).orElse(null));
                summary.put("shadow", r.holder(ModelVersion.SHADOW).map(v -> v.model() + " " + v.version()).orElse(null));
                summary.put("alias_changes", r.history(null).size());
            }
            summary.put("scored", stream.scored());
            summary.put("labels", stream.labelsStored());
            summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
            env.cancelJob();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(summary);
        } else {
            for (JsonNode s : steps) {
                out.printf("%6.1f s  %s%s%n", s.get("at_seconds").asDouble(), s.get("step").asText(),
                        s.has("exit") ? " (exit " + s.get("exit").asInt() + ")" : "");
                if (s.has("output")) {
                    s.get("output").asText().lines().forEach(l -> out.println("          " + l));
                }
            }
            out.printf("%nchampion %s, shadow %s; %,d transactions scored, %,d labels; %s s%n",
                    summary.path("champion").asText("none"), summary.path("shadow").asText("none"),
                    summary.get("scored").asLong(), summary.get("labels").asLong(), summary.get("seconds").asText());
        }
        return summary.get("challenger_promoted").asBoolean() ? 0 : 1;
    }

    private static long days(long d) {
        return Duration.ofDays(d).toMillis();
    }

    private static String at(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    private String dir(String version) {
        return workDir.resolve("models").resolve(version).toString();
    }

    private String store() {
        return workDir.resolve("model-store").toString();
    }

    private static void requireZero(int exit, String what) {
        if (exit != 0) {
            throw new IllegalStateException(what + " failed with exit status " + exit + " (see the steps above and "
                    + ErrorReport.logFile() + ")");
        }
    }

    /** The simulation of {@value #WEEKS} weeks. */
    private List<LabelledTransaction> simulate() {
        SimulatorConfig c = SimulatorConfig.defaults().withCustomers(customers).withTerminals(2 * customers)
                .withDays(7 * WEEKS).withSeed(seed);
        List<LabelledTransaction> out = new ArrayList<>();
        new TransactionSimulator(c).forEach(out::add);
        return out;
    }

    private final long started = System.nanoTime();

    private void step(ArrayNode steps, String what, Stream stream, String output) throws Exception {
        ObjectNode s = steps.addObject();
        s.put("step", what);
        s.put("at_seconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        if (stream != null) {
            s.put("scored", stream.scored());
            s.put("labels", stream.labelsStored());
        }
        if (output != null) {
            s.put("output", output);
        }
        spec.commandLine().getErr().printf("%s%n", what);
        spec.commandLine().getErr().flush();
    }

    /** Runs one of the {@code ./fraud} commands here, recording its output and exit status as a step. */
    private int run(Object command, ArrayNode steps, String what, String[] common, String... args) throws Exception {
        StringWriter text = new StringWriter();
        CommandLine cl = ErrorReport.configure(new CommandLine(command));
        PrintWriter w = new PrintWriter(text);
        cl.setOut(w);
        cl.setErr(w);
        String[] all = new String[args.length + common.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(common, 0, all, args.length, common.length);
        int exit = cl.execute(all);
        w.flush();
        step(steps, what, null, text.toString());
        ((ObjectNode) steps.get(steps.size() - 1)).put("exit", exit);
        return exit;
    }

    /** The simulation streamed into the job's topics in event-time order, with its labels {@code labelDelay} late. */
    private final class Stream {
        private final LocalEnvironment env;
        private final String prefix;
        private final List<LabelledTransaction> all;
        private final KafkaProducer<byte[], byte[]> producer;
        private final DelayedLabels labels;
        private final String topic;
        private int next;
        private long valid;
        private long extraLabels;
        private long now;

        Stream(LocalEnvironment env, String prefix, List<LabelledTransaction> all) {
            this.env = env;
            this.prefix = prefix;
            this.all = all;
            this.producer = KafkaIO.producer(env.bootstrapServers());
            this.topic = env.configuration().get(JobOptions.TOPIC_TRANSACTIONS);
            this.labels = new DelayedLabels(env.configuration().get(JobOptions.TOPIC_LABELS), labelDelay, "chargeback");
        }

        /** Streams the transactions before {@code end} and the labels due, and waits until PostgreSQL holds them all. */
        void until(long end, Duration timeout) throws Exception {
            while (next < all.size() && all.get(next).tx().eventTime < end) {
                LabelledTransaction lt = all.get(next++);
                lt.tx().transactionId = prefix + lt.tx().transactionId;
                producer.send(new ProducerRecord<>(topic, lt.tx().accountId.getBytes(StandardCharsets.UTF_8),
                        TransactionJson.write(lt.tx())));
                valid += lt.tx().amount > 0 ? 1 : 0; // the job rejects the simulator's few 0.00 amounts
                labels.add(lt);
                labels.sendDue(producer, lt.tx().eventTime, l -> { });
                now = lt.tx().eventTime;
            }
            producer.flush();
            await(timeout);
        }

        /**
         * A broken labels feed, labelled now: of the transactions in {@code [from, to)}, 3 in 4 frauds reversed to
         * genuine (by the transaction id's hash) and every genuine one of 100 or more called fraud (a wrong rule
         * upstream). Returns how many labels it sent.
         */
        long breakFeed(long from, long to) throws Exception {
            long n = 0;
            for (int i = 0; i < next; i++) {
                LabelledTransaction lt = all.get(i);
                int h = Math.floorMod(lt.tx().transactionId.hashCode(), 4);
                if (lt.tx().eventTime >= from && lt.tx().eventTime < to && lt.tx().eventTime + labelDelay.toMillis() <= now
                        && (lt.fraud() ? h % 4 != 0 : lt.tx().amount >= 100)) {
                    Label l = Label.of(lt.tx(), !lt.fraud(), now, now, "broken-feed");
                    producer.send(new ProducerRecord<>(env.configuration().get(JobOptions.TOPIC_LABELS),
                            l.transactionId.getBytes(StandardCharsets.UTF_8), LabelJson.write(l)));
                    n++;
                }
            }
            producer.flush();
            extraLabels += n;
            await(timeout);
            return n;
        }

        private void await(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (scored() < valid || labelsStored() < labels.sent() + extraLabels) {
                env.checkJobRunning();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "after %s PostgreSQL holds %,d of %,d"
                            + " scored transactions and %,d of %,d labels; see %s", timeout, scored(), valid,
                            labelsStored(), labels.sent() + extraLabels, ErrorReport.logFile()));
                }
                Thread.sleep(200); // polling the sink's committed rows, an observable condition
            }
        }

        long now() {
            return now;
        }

        long scored() throws Exception {
            return count("SELECT count(*) FROM " + SchemaMigrator.SCORED_TABLE);
        }

        long labelsStored() throws Exception {
            return count("SELECT count(*) FROM " + SchemaMigrator.LABELS_TABLE);
        }

        private long count(String sql) throws Exception {
            try (Connection c = SchemaMigrator.connect(env.postgresUrl(), env.postgresUser());
                    Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
