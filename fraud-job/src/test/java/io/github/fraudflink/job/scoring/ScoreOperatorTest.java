package io.github.fraudflink.job.scoring;

import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.JobOptions;
import io.github.fraudflink.job.records.ModelControl;
import io.github.fraudflink.job.kafka.ModelControlJson;
import io.github.fraudflink.job.records.ModelStatus;
import io.github.fraudflink.job.records.ScoredTransaction;
import io.github.fraudflink.job.TestArtifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring operator under the operator test harness: micro-batches, hot swaps, rejections, shadow, restore. */
@org.junit.jupiter.api.Timeout(120)
class ScoreOperatorTest {
    private static final String MODEL = JobOptions.MODEL_URI.defaultValue();
    private static LoadedModel model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws Exception {
        model = new ModelLoader().load(URI.create(MODEL), null);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static TwoInputStreamOperatorTestHarness<FeaturizedTransaction, ModelControl, ScoredTransaction> harness(
            int batch, OperatorSubtaskState restore) throws Exception {
        return harness(MODEL, batch, restore);
    }

    private static TwoInputStreamOperatorTestHarness<FeaturizedTransaction, ModelControl, ScoredTransaction> harness(
            String modelUri, int batch, OperatorSubtaskState restore) throws Exception {
        var h = new TwoInputStreamOperatorTestHarness<>(new ScoreOperator(modelUri, null, batch, Duration.ofMillis(5)));
        h.setProcessingTime(1_000);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** The manifest's golden rows, as featurized transactions. */
    private static FeaturizedTransaction row(int i) {
        ModelManifest.GoldenRow g = model.manifest().goldenSample().get(i % model.manifest().goldenSample().size());
        Transaction t = new Transaction("t" + i, "a" + (i % 3), 1_000_000L + i, g.features()[0]);
        return new FeaturizedTransaction(t, g.features().clone(), false);
    }

    @SuppressWarnings("unchecked")
    private static List<ScoredTransaction> scored(TwoInputStreamOperatorTestHarness<?, ?, ScoredTransaction> h) {
        List<ScoredTransaction> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                out.add((ScoredTransaction) r.getValue());
            }
        }
        h.getOutput().clear();
        return out;
    }

    private static List<ModelStatus> status(TwoInputStreamOperatorTestHarness<?, ?, ?> h) {
        List<ModelStatus> out = new ArrayList<>();
        var q = h.getSideOutput(ScoreOperator.STATUS);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
            q.clear();
        }
        return out;
    }

    /** Hands the operator a control event and runs its mails until the event is applied (models load in the background). */
    static void apply(TwoInputStreamOperatorTestHarness<FeaturizedTransaction, ModelControl, ScoredTransaction> h,
            StreamRecord<ModelControl> event) throws Exception {
        h.processElement2(event);
        awaitControls(h);
    }

    /** Runs the operator's mails until every control event it has received is applied. */
    static void awaitControls(TwoInputStreamOperatorTestHarness<?, ?, ?> h) throws Exception {
        ScoreOperator op = (ScoreOperator) h.getOperator();
        while (op.pendingControls() > 0) {
            h.getTaskMailbox().take(TaskMailbox.MIN_PRIORITY).run();
        }
    }

    private static StreamRecord<ModelControl> control(String model, String version, String role, URI uri, String sha) {
        return new StreamRecord<>(new ModelControl(model, version, role, uri == null ? null : uri.toString(), sha));
    }

    @Test
    void withANativeModelRowsWaitAtMostTheDelayAndGetTheModelsScores() throws Exception {
        try (var h = harness(TestArtifacts.nativeScored(tmp.resolve("ubj")).toString(), 64, null)) {
            assertThat(status(h)).singleElement().satisfies(s -> {
                assertThat(s.status).isEqualTo("live");
                assertThat(s.cause).isEqualTo("startup");
                assertThat(s.version).isEqualTo(model.version() + "-ubj");
            });
            for (int i = 0; i < 3; i++) {
                h.processElement1(new StreamRecord<>(row(i), 100 + i));
            }
            assertThat(h.getOutput()).as("still batching").isEmpty();
            h.setProcessingTime(1_005);
            List<ScoredTransaction> out = scored(h);
            assertThat(out).hasSize(3);
            for (int i = 0; i < 3; i++) {
                ScoredTransaction s = out.get(i);
                assertThat(s.transactionId).isEqualTo("t" + i);
                assertThat(s.score).isEqualTo(model.scorer().score(row(i).features));
                assertThat(s.score).isCloseTo(model.manifest().goldenSample().get(i).expectedScore(), within(ModelLoader.GOLDEN_TOLERANCE));
                assertThat(s.decision).isEqualTo(s.score >= model.threshold() ? "decline" : s.score >= model.reviewThreshold() ? "review" : "approve");
                assertThat(s.model).isEqualTo(model.name());
                assertThat(s.modelVersion).isEqualTo(model.version() + "-ubj");
                assertThat(s.shadowModel).isNull();
            }
        }
    }

    @Test
    void withTheJavaEvaluatorEachRowLeavesAtOnceWithTheModelsScore() throws Exception {
        try (var h = harness(64, null)) {
            for (int i = 0; i < 3; i++) {
                h.processElement1(new StreamRecord<>(row(i), 100 + i));
                List<ScoredTransaction> out = scored(h);
                assertThat(out).as("no batch wait").hasSize(1);
                assertThat(out.get(0).score).isEqualTo(model.scorer().score(row(i).features));
                assertThat(out.get(0).modelVersion).isEqualTo(model.version());
            }
        }
    }

    @Test
    void withANativeModelAFullBatchLeavesAtOnce() throws Exception {
        try (var h = harness(TestArtifacts.nativeScored(tmp.resolve("ubj")).toString(), 4, null)) {
            for (int i = 0; i < 3; i++) {
                h.processElement1(new StreamRecord<>(row(i), i));
            }
            assertThat(h.getOutput()).isEmpty();
            h.processElement1(new StreamRecord<>(row(3), 3));
            assertThat(scored(h)).hasSize(4);
        }
    }

    @Test
    void nothingWaitsAcrossACheckpointBarrierOrAWatermark() throws Exception {
        try (var h = harness(64, null)) {
            h.processElement1(new StreamRecord<>(row(0), 10));
            h.processElement1(new StreamRecord<>(row(1), 11));
            h.prepareSnapshotPreBarrier(1L);
            assertThat(scored(h)).as("flushed before the barrier").hasSize(2);

            h.processElement1(new StreamRecord<>(row(2), 12));
            h.processWatermark1(new Watermark(12));
            List<Object> out = new ArrayList<>(h.getOutput());
            assertThat(out).hasSize(2);
            assertThat(out.get(0)).isInstanceOf(StreamRecord.class);
            assertThat(out.get(1)).isEqualTo(new Watermark(12));
            h.getOutput().clear();

            h.processElement1(new StreamRecord<>(row(3), 13));
            h.endInput1();
            h.getOperator().finish();
            assertThat(scored(h)).as("flushed at end of input").hasSize(1);
        }
    }

    @Test
    void aControlEventSwapsTheChampionWithoutLosingRows() throws Exception {
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), "demo-xgb", "v2", "3E-1");
        try (var h = harness(64, null)) {
            status(h);
            h.processElement1(new StreamRecord<>(row(0), 1));
            apply(h, control("demo-xgb", "v2", "champion", v2, TestArtifacts.sha(v2)));
            h.processElement1(new StreamRecord<>(row(1), 2));
            h.prepareSnapshotPreBarrier(1);
            List<ScoredTransaction> out = scored(h);
            assertThat(out).extracting(s -> s.modelVersion).containsExactly(model.version(), "v2");
            assertThat(out.get(1).score).as("the new model scores differently").isNotEqualTo(model.scorer().score(row(1).features));
            assertThat(status(h)).singleElement().satisfies(s -> {
                assertThat(s.status).isEqualTo("live");
                assertThat(s.role).isEqualTo("champion");
                assertThat(s.version).isEqualTo("v2");
                assertThat(s.cause).isEqualTo("control");
            });
        }
    }

    @Test
    void badModelsAreRejectedAndTheCurrentOneKeepsScoring() throws Exception {
        record Bad(ModelControl event, String reason) {}
        URI good = TestArtifacts.variant(tmp.resolve("good"), "demo-xgb", "good", "3E-1");
        List<Bad> bad = List.of(
                new Bad(control("demo-xgb", "gone", "champion", tmp.resolve("nowhere/manifest.json").toUri(), null).getValue(), "unreachable"),
                new Bad(control("demo-xgb", "good", "champion", good, "ab".repeat(32)).getValue(), "manifest_checksum_mismatch"),
                new Bad(control("demo-xgb", "tampered", "champion", TestArtifacts.tampered(tmp.resolve("t")), null).getValue(), "file_checksum_mismatch"),
                new Bad(control("demo-xgb", "wrong-features", "champion", TestArtifacts.wrongFeatures(tmp.resolve("w")), null).getValue(), "schema_mismatch"),
                new Bad(control("demo-xgb", model.version(), "champion", TestArtifacts.corrupt(tmp.resolve("c")), null).getValue(), "corrupt_model"),
                new Bad(control("demo-xgb", model.version(), "champion", TestArtifacts.nanScores(tmp.resolve("n")), null).getValue(), "invalid_score"),
                new Bad(control("demo-xgb", "other", "champion", good, null).getValue(), "manifest_mismatch"),
                new Bad(ModelControlJson.read("{\"model\":\"x\",\"role\":\"king\"}".getBytes()), "invalid_control_event"));
        try (var h = harness(64, null)) {
            status(h);
            for (Bad b : bad) {
                apply(h, new StreamRecord<>(b.event()));
                assertThat(status(h)).as(b.reason()).singleElement().satisfies(s -> {
                    assertThat(s.status).isEqualTo("rejected");
                    assertThat(s.reason).isEqualTo(b.reason());
                    assertThat(s.message).isNotBlank();
                });
                h.processElement1(new StreamRecord<>(row(0), 1));
                h.prepareSnapshotPreBarrier(1);
                assertThat(scored(h)).singleElement().satisfies(s -> {
                    assertThat(s.modelVersion).isEqualTo(model.version());
                    assertThat(s.score).isEqualTo(model.scorer().score(row(0).features));
                });
            }
        }
    }

    @Test
    void rowsAreScoredAtOnceWhileAModelLoadsFromAHungServer() throws Exception {
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), "demo-xgb", "v2", "3E-1");
        try (java.net.ServerSocket hung = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                var h = new TwoInputStreamOperatorTestHarness<>(new ScoreOperator(MODEL, null, 64, Duration.ofMillis(5),
                        ModelLoader.DEFAULT_MAX_BYTES, Duration.ofSeconds(2)))) {
            h.open();
            status(h);
            // accepts the connection (the backlog does), never answers
            h.processElement2(control("demo-xgb", "v3", "champion",
                    URI.create("http://127.0.0.1:" + hung.getLocalPort() + "/manifest.json"), null));
            h.processElement2(control("demo-xgb", "v2", "champion", v2, null));
            for (int i = 0; i < 100; i++) {
                h.processElement1(new StreamRecord<>(row(i), i));
                assertThat(scored(h)).as("row %d leaves at once while the load hangs", i).singleElement()
                        .satisfies(s -> assertThat(s.modelVersion).isEqualTo(model.version()));
            }
            assertThat(((ScoreOperator) h.getOperator()).pendingControls()).as("both events still pending").isEqualTo(2);
            awaitControls(h);
            assertThat(status(h)).extracting(s -> s.version + ":" + s.status + ":" + s.reason)
                    .containsExactly("v3:rejected:timeout", "v2:live:null");
            h.processElement1(new StreamRecord<>(row(0), 0));
            assertThat(scored(h)).singleElement().satisfies(s -> assertThat(s.modelVersion).isEqualTo("v2"));
        }
    }

    @Test
    void aNewerEventForARoleReplacesOneStillWaiting() throws Exception {
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), "demo-xgb", "v2", "3E-1");
        URI v3 = TestArtifacts.variant(tmp.resolve("v3"), "demo-xgb", "v3", "2E-1");
        URI c1 = TestArtifacts.variant(tmp.resolve("c1"), "challenger", "c1", "1E-1");
        try (var h = harness(64, null)) {
            status(h);
            h.processElement2(control("demo-xgb", "v2", "champion", v2, null)); // loading
            h.processElement2(control("challenger", "c1", "shadow", c1, null)); // waits
            h.processElement2(control("demo-xgb", "v2b", "champion", v2, null)); // waits
            h.processElement2(control("demo-xgb", "v3", "champion", v3, null)); // replaces v2b, not the loading v2
            awaitControls(h);
            assertThat(status(h)).extracting(s -> s.version + ":" + s.status + ":" + s.reason)
                    .containsExactly("v2b:rejected:superseded", "v2:live:null", "c1:live:null", "v3:live:null");
        }
    }

    @Test
    void shadowScoresEveryRowButNeverDecides() throws Exception {
        URI challenger = TestArtifacts.variant(tmp.resolve("c"), "challenger", "c1", "1E-1");
        try (var h = harness(64, null)) {
            apply(h, control("challenger", "c1", "shadow", challenger, null));
            for (int i = 0; i < 20; i++) {
                h.processElement1(new StreamRecord<>(row(i), i));
            }
            h.prepareSnapshotPreBarrier(1);
            List<ScoredTransaction> out = scored(h);
            assertThat(out).hasSize(20);
            try (LoadedModel c = new ModelLoader().load(challenger, null)) {
                for (int i = 0; i < out.size(); i++) {
                    ScoredTransaction s = out.get(i);
                    assertThat(s.shadowModel).isEqualTo("challenger");
                    assertThat(s.shadowVersion).isEqualTo("c1");
                    assertThat(s.shadowScore).isEqualTo(c.scorer().score(row(i).features));
                    assertThat(s.model).isEqualTo(model.name());
                    assertThat(s.decision).isEqualTo(s.score >= model.threshold() ? "decline" : s.score >= model.reviewThreshold() ? "review" : "approve");
                }
            }
            // retiring the shadow removes it; retiring the champion is refused
            apply(h, control("challenger", "c1", "retired", null, null));
            apply(h, control(model.name(), model.version(), "retired", null, null));
            h.processElement1(new StreamRecord<>(row(0), 0));
            h.prepareSnapshotPreBarrier(2);
            assertThat(scored(h)).singleElement().satisfies(s -> assertThat(s.shadowModel).isNull());
        }
    }

    /**
     * The three bands by each model's own thresholds; reviews and declines carry the champion's top reasons, the exact
     * TreeSHAP contributions of their row sorted here by brute force, and approvals none; the shadow's reasons come
     * only when it would review or decline and the champion decided otherwise. Rows: the golden sample, and the same
     * rows with features scaled at random (seeded), so every band occurs.
     */
    @Test
    void reviewsAndDeclinesCarryTheirExactReasonsAndApprovalsNone() throws Exception {
        URI challenger = TestArtifacts.variant(tmp.resolve("c"), "challenger", "c1", "0.9");
        java.util.Random random = new java.util.Random(7);
        List<FeaturizedTransaction> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            FeaturizedTransaction f = row(i);
            if (i >= 20) {
                for (int j = 0; j < f.features.length; j++) {
                    f.features[j] *= random.nextInt(3) == 0 ? random.nextDouble() * 3 : 1;
                }
            }
            rows.add(f);
        }
        try (var h = harness(64, null); LoadedModel c = new ModelLoader().load(challenger, null)) {
            apply(h, control("challenger", "c1", "shadow", challenger, null));
            for (FeaturizedTransaction f : rows) {
                h.processElement1(new StreamRecord<>(f, f.transaction.eventTime));
            }
            h.prepareSnapshotPreBarrier(1);
            List<ScoredTransaction> out = scored(h);
            assertThat(out).hasSize(rows.size());
            java.util.Map<String, Integer> bands = new java.util.TreeMap<>();
            int shadowExplained = 0;
            for (int i = 0; i < out.size(); i++) {
                ScoredTransaction s = out.get(i);
                double[] features = rows.get(i).features;
                String decision = s.score >= model.threshold() ? "decline" : s.score >= model.reviewThreshold() ? "review" : "approve";
                assertThat(s.decision).isEqualTo(decision);
                assertThat(s.reviewThreshold).isEqualTo(model.reviewThreshold());
                bands.merge(decision, 1, Integer::sum);
                assertReasons(s.reasons, decision.equals("approve") ? null : model, features);
                String shadowDecision = s.shadowScore >= c.threshold() ? "decline" : s.shadowScore >= c.reviewThreshold() ? "review" : "approve";
                assertThat(s.shadowDecision).isEqualTo(shadowDecision);
                boolean explainShadow = !shadowDecision.equals(decision) && !shadowDecision.equals("approve");
                assertReasons(s.shadowReasons, explainShadow ? c : null, features);
                shadowExplained += explainShadow ? 1 : 0;
            }
            assertThat(bands).as("every band occurs").containsOnlyKeys("approve", "review", "decline");
            assertThat(shadowExplained).as("the shadow decided otherwise somewhere").isPositive();
        }
    }

    /** No reasons when {@code m} is null; else the positive contributions of {@code m}'s TreeSHAP, top 3, by value. */
    private static void assertReasons(io.github.fraudflink.job.records.Explanation e, LoadedModel m, double[] features) {
        if (m == null) {
            assertThat(e).isNull();
            return;
        }
        double[] row = m.select(features);
        double[] phi = new double[row.length];
        new io.github.fraudflink.model.TreeShap((io.github.fraudflink.model.JavaXgboostScorer) m.scorer()).explain(row, phi);
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < row.length; j++) {
            if (phi[j] > 0) {
                order.add(j);
            }
        }
        order.sort((a, b) -> phi[a] != phi[b] ? Double.compare(phi[b], phi[a]) : Integer.compare(a, b));
        List<Integer> top = order.subList(0, Math.min(3, order.size()));
        assertThat(e).isNotNull();
        assertThat(e.features).containsExactly(top.stream().map(j -> m.featureNames()[j]).toArray(String[]::new));
        assertThat(e.values).containsExactly(top.stream().mapToDouble(j -> row[j]).toArray());
        assertThat(e.contributions).containsExactly(top.stream().mapToDouble(j -> phi[j]).toArray());
    }

    @Test
    void promotionMovesTheShadowToChampion() throws Exception {
        URI challenger = TestArtifacts.variant(tmp.resolve("c"), "challenger", "c1", "1E-1");
        try (var h = harness(64, null)) {
            apply(h, control("challenger", "c1", "shadow", challenger, null));
            apply(h, control("challenger", "c1", "champion", challenger, null));
            h.processElement1(new StreamRecord<>(row(0), 0));
            h.prepareSnapshotPreBarrier(1);
            assertThat(scored(h)).singleElement().satisfies(s -> {
                assertThat(s.model).isEqualTo("challenger");
                assertThat(s.shadowModel).as("a model holds one role").isNull();
            });
        }
    }

    @Test
    void afterARestoreTheSwappedModelsAreLiveBeforeTheFirstRow() throws Exception {
        URI v2 = TestArtifacts.variant(tmp.resolve("v2"), "demo-xgb", "v2", "3E-1");
        URI shadowUri = TestArtifacts.variant(tmp.resolve("s"), "challenger", "c1", "1E-1");
        OperatorSubtaskState snapshot;
        try (var h = harness(64, null)) {
            apply(h, control("demo-xgb", "v2", "champion", v2, null));
            apply(h, control("challenger", "c1", "shadow", shadowUri, null));
            snapshot = h.snapshot(1, 1);
        }
        // the artifact store is gone: the restore builds both models from the bytes kept in state
        org.apache.flink.util.FileUtils.deleteDirectory(tmp.resolve("v2").toFile());
        org.apache.flink.util.FileUtils.deleteDirectory(tmp.resolve("s").toFile());
        try (var h = harness(64, snapshot)) {
            List<ModelStatus> st = status(h);
            assertThat(st).extracting(s -> s.cause + ":" + s.role + ":" + s.version)
                    .containsExactlyInAnyOrder("restore:champion:v2", "restore:shadow:c1");
            h.processElement1(new StreamRecord<>(row(0), 0));
            h.prepareSnapshotPreBarrier(2);
            assertThat(scored(h)).singleElement().satisfies(s -> {
                assertThat(s.modelVersion).isEqualTo("v2");
                assertThat(s.shadowVersion).isEqualTo("c1");
            });
        }
    }
}
