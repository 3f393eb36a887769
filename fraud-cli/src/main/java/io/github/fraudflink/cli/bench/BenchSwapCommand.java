package io.github.fraudflink.cli.bench;

import io.github.fraudflink.cli.local.LocalEnvironment;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.kafka.ScoredTransactionJson;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.local.KafkaIO;
import io.github.fraudflink.model.ModelArtifactWriter;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.Sha256;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.InputStream;
import java.net.URI;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./fraud bench-swap}: measures model hot swaps on a running job (in-process Kafka, MiniCluster, RocksDB)
 * under a steady load: how long from publishing a control event until every instance reports the new version
 * live, how long each instance's scoring is blocked while it loads and verifies the model, and the largest gap
 * between consecutive scored events around a swap compared with the rest of the run.
 */
@Command(name = "bench-swap", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Benchmark model hot swaps under load: publish-to-live latency, per-instance stall, output gaps.")
public final class BenchSwapCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--swaps", defaultValue = "10", description = "Swaps to publish (default: ${DEFAULT-VALUE}).")
    int swaps;

    @Option(names = "--interval", defaultValue = "3s", description = "Time between swaps (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--rate", defaultValue = "2000", description = "Transactions per second during the run (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = {"-p", "--parallelism"}, defaultValue = "2", description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--work-dir", defaultValue = ".fraud/bench-swap", description = "Working directory (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--json", description = "Print the figures as one JSON object on the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Files.createDirectories(workDir);
        URI[] versions = {variant("bench-a"), variant("bench-b")};
        try (LocalEnvironment env = LocalEnvironment.start(new LocalEnvironment.Settings(workDir, parallelism, Duration.ofSeconds(2),
                null, null, null, LocalEnvironment.Postgres.none()), err)) {
            Configuration conf = env.configuration();
            String bootstrap = env.bootstrapServers();
            env.submit("bench-swap");

            AtomicBoolean stop = new AtomicBoolean();
            Thread load = new Thread(() -> produce(bootstrap, conf.get(JobOptions.TOPIC_TRANSACTIONS), stop));
            List<long[]> published = new ArrayList<>(); // {index, publish time}
            List<ModelStatus> statuses = new ArrayList<>();
            List<Long> scoredTimes = new ArrayList<>();
            try (var status = new KafkaIO.CommittedReader(bootstrap, conf.get(JobOptions.TOPIC_MODEL_STATUS), false);
                    var scored = new KafkaIO.CommittedReader(bootstrap, conf.get(JobOptions.TOPIC_SCORED), false);
                    KafkaProducer<byte[], byte[]> control = KafkaIO.producer(bootstrap)) {
                load.start();
                scored.readUntil(rate, Duration.ofMinutes(2)).forEach(r -> scoredTimes.add(ScoredTransactionJson.read(r.value()).scoredTime));
                err.printf("load running at %d events/s; publishing %d swaps every %s%n", rate, swaps, interval);
                for (int i = 0; i < swaps; i++) {
                    URI uri = versions[i % 2];
                    ModelManifest m = ModelManifest.read(Path.of(uri));
                    ModelControl c = new ModelControl(m.name(), m.version(), ModelControl.CHAMPION, uri.toString(), Sha256.of(Path.of(uri)));
                    published.add(new long[] {i, System.currentTimeMillis()});
                    control.send(new ProducerRecord<>(conf.get(JobOptions.TOPIC_MODEL_CONTROL),
                            c.model.getBytes(StandardCharsets.UTF_8), ModelControlJson.write(c))).get();
                    long until = System.nanoTime() + interval.toNanos();
                    while (System.nanoTime() < until) {
                        status.poll(Duration.ofMillis(100), r -> statuses.add(readStatus(r.value())));
                        scored.poll(Duration.ZERO, r -> scoredTimes.add(ScoredTransactionJson.read(r.value()).scoredTime));
                    }
                }
                stop.set(true);
                load.join();
                status.poll(Duration.ofSeconds(1), r -> statuses.add(readStatus(r.value())));
                scored.readUntil(Long.MAX_VALUE, Duration.ofSeconds(5)).forEach(r -> scoredTimes.add(ScoredTransactionJson.read(r.value()).scoredTime));
            } finally {
                stop.set(true); // the load thread ends with the run, also when the run fails
            }
            env.cancelJob();
            report(published, statuses, scoredTimes);
        }
        return 0;
    }

    private static ModelStatus readStatus(byte[] v) {
        try {
            return ModelControlJson.readStatus(v);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The shipped model under another version name, written into the work directory. */
    private URI variant(String version) throws Exception {
        ClassLoader cl = BenchSwapCommand.class.getClassLoader();
        byte[] manifest;
        byte[] model;
        try (InputStream a = cl.getResourceAsStream("models/default/manifest.json");
                InputStream b = cl.getResourceAsStream("models/default/model.json")) {
            manifest = a.readAllBytes();
            model = b.readAllBytes();
        }
        ModelManifest m = ModelManifest.read(manifest);
        Path dir = workDir.resolve("models").resolve(version);
        ModelArtifactWriter.write(dir, new ModelManifest(m.name(), version, m.format(), m.modelFile(), m.featureSchemaId(),
                m.featureNames(), m.threshold(), null, m.trainingDataFingerprint(), m.createdAt(), m.createdBy(), m.metrics(),
                m.training(), m.goldenSample(), m.referenceDistributions(), m.reviewThreshold()), Map.of(m.modelFile(), model));
        return dir.resolve(ModelManifest.FILE_NAME).toAbsolutePath().toUri();
    }

    private void produce(String bootstrap, String topic, AtomicBoolean stop) {
        Iterator<LabelledTransaction> it = new TransactionSimulator(SimulatorConfig.defaults().withCustomers(2000)
                .withTerminals(4000).withDays(60)).iterator();
        long t0 = System.nanoTime();
        long i = 0;
        try (KafkaProducer<byte[], byte[]> p = KafkaIO.producer(bootstrap)) {
            while (!stop.get() && it.hasNext()) {
                LabelledTransaction lt = it.next();
                if (!(lt.tx().amount > 0)) {
                    continue;
                }
                p.send(new ProducerRecord<>(topic, lt.tx().accountId.getBytes(StandardCharsets.UTF_8), TransactionJson.write(lt.tx())));
                i++;
                long wait = t0 + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the load generator, not waiting for a result
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(List<long[]> published, List<ModelStatus> statuses, List<Long> scoredTimes) {
        PrintWriter out = spec.commandLine().getOut();
        List<Long> latencies = new ArrayList<>();
        List<Long> stalls = new ArrayList<>();
        List<Long> swapTimes = new ArrayList<>();
        for (int k = 0; k < published.size(); k++) {
            long at = published.get(k)[1];
            long next = k + 1 < published.size() ? published.get(k + 1)[1] : Long.MAX_VALUE;
            List<ModelStatus> live = statuses.stream()
                    .filter(s -> ModelStatus.LIVE.equals(s.status) && "control".equals(s.cause) && s.at >= at && s.at < next).toList();
            if (live.size() == parallelism) {
                long all = live.stream().mapToLong(s -> s.at).max().orElseThrow();
                latencies.add(all - at);
                swapTimes.add(all);
                live.forEach(s -> stalls.add(s.loadMillis));
            }
        }
        long[] sorted = scoredTimes.stream().mapToLong(Long::longValue).sorted().toArray();
        long gapNearSwap = 0;
        long gapElsewhere = 0;
        for (int i = 1; i < sorted.length; i++) {
            long gap = sorted[i] - sorted[i - 1];
            final long t = sorted[i];
            boolean near = swapTimes.stream().anyMatch(s -> Math.abs(s - t) < 1000);
            if (near) {
                gapNearSwap = Math.max(gapNearSwap, gap);
            } else {
                gapElsewhere = Math.max(gapElsewhere, gap);
            }
        }
        out.printf("%nhot-swap benchmark: %d of %d swaps went live on all %d instances, load %d events/s, %,d events scored%n",
                latencies.size(), published.size(), parallelism, rate, sorted.length);
        out.printf("  publish -> live everywhere   median %d ms, max %d ms%n", pct(latencies, 50), pct(latencies, 100));
        out.printf("  instance blocked (load+verify) median %d ms, max %d ms%n", pct(stalls, 50), pct(stalls, 100));
        out.printf("  largest gap between scored events: %d ms within 1 s of a swap, %d ms elsewhere%n", gapNearSwap, gapElsewhere);
        if (json) {
            ObjectNode n = new ObjectMapper().createObjectNode();
            n.put("swaps", published.size());
            n.put("swaps_live_everywhere", latencies.size());
            n.put("publish_to_live_ms_median", pct(latencies, 50));
            n.put("publish_to_live_ms_max", pct(latencies, 100));
            n.put("stall_ms_median", pct(stalls, 50));
            n.put("stall_ms_max", pct(stalls, 100));
            n.put("max_gap_near_swap_ms", gapNearSwap);
            n.put("max_gap_elsewhere_ms", gapElsewhere);
            n.put("events_scored", sorted.length);
            out.println(n);
        }
        out.flush();
    }

    private static long pct(List<Long> v, int p) {
        if (v.isEmpty()) {
            return -1;
        }
        long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * s.length); // nearest-rank percentile
        return s[Math.max(0, Math.min(s.length, rank) - 1)];
    }
}
