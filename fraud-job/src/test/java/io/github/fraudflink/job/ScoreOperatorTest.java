package io.github.fraudflink.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.ModelLoader;
import io.github.fraudflink.model.ModelManifest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The micro-batching scorer under the operator test harness: when rows leave, and with which scores. */
class ScoreOperatorTest {
    private static final String MODEL = JobOptions.MODEL_URI.defaultValue();
    private static LoadedModel model;

    @BeforeAll
    static void load() throws Exception {
        model = new ModelLoader().load(URI.create(MODEL), null);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static OneInputStreamOperatorTestHarness<FeaturizedTransaction, ScoredTransaction> harness(int batch) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new ScoreOperator(MODEL, null, batch, Duration.ofMillis(5)));
        h.setProcessingTime(1_000);
        h.open();
        return h;
    }

    /** The manifest's golden rows, as featurized transactions. */
    private static FeaturizedTransaction row(int i) {
        ModelManifest.GoldenRow g = model.manifest().goldenSample().get(i % model.manifest().goldenSample().size());
        Transaction t = new Transaction("t" + i, "a" + (i % 3), 1_000_000L + i, g.features()[0]);
        return new FeaturizedTransaction(t, g.features().clone(), false);
    }

    private static List<Object> drain(OneInputStreamOperatorTestHarness<?, ?> h) {
        List<Object> out = new ArrayList<>(h.getOutput());
        h.getOutput().clear();
        return out;
    }

    @Test
    void rowsWaitAtMostTheDelayAndGetTheModelsScores() throws Exception {
        try (var h = harness(64)) {
            for (int i = 0; i < 3; i++) {
                h.processElement(new StreamRecord<>(row(i), 100 + i));
            }
            assertThat(h.getOutput()).as("still batching").isEmpty();
            h.setProcessingTime(1_005);
            List<Object> out = drain(h);
            assertThat(out).hasSize(3);
            for (int i = 0; i < 3; i++) {
                @SuppressWarnings("unchecked")
                StreamRecord<ScoredTransaction> r = (StreamRecord<ScoredTransaction>) out.get(i);
                ScoredTransaction s = r.getValue();
                assertThat(r.getTimestamp()).isEqualTo(100 + i);
                assertThat(s.transactionId).isEqualTo("t" + i);
                assertThat(s.score).isEqualTo(model.scorer().score(row(i).features));
                assertThat(s.score).isCloseTo(model.manifest().goldenSample().get(i).expectedScore(),
                        org.assertj.core.api.Assertions.within(ModelLoader.GOLDEN_TOLERANCE));
                assertThat(s.decision).isEqualTo(s.score >= model.threshold() ? "decline" : "approve");
                assertThat(s.model).isEqualTo(model.name());
                assertThat(s.modelVersion).isEqualTo(model.version());
            }
        }
    }

    @Test
    void aFullBatchLeavesAtOnce() throws Exception {
        try (var h = harness(4)) {
            for (int i = 0; i < 3; i++) {
                h.processElement(new StreamRecord<>(row(i), i));
            }
            assertThat(h.getOutput()).isEmpty();
            h.processElement(new StreamRecord<>(row(3), 3));
            assertThat(drain(h)).hasSize(4);
        }
    }

    @Test
    void nothingWaitsAcrossACheckpointBarrierOrAWatermark() throws Exception {
        try (var h = harness(64)) {
            h.processElement(new StreamRecord<>(row(0), 10));
            h.processElement(new StreamRecord<>(row(1), 11));
            h.prepareSnapshotPreBarrier(1L);
            assertThat(drain(h)).as("flushed before the barrier").hasSize(2);

            h.processElement(new StreamRecord<>(row(2), 12));
            h.processWatermark(new Watermark(12));
            List<Object> out = drain(h);
            assertThat(out).hasSize(2);
            assertThat(out.get(0)).isInstanceOf(StreamRecord.class);
            assertThat(out.get(1)).isEqualTo(new Watermark(12));

            h.processElement(new StreamRecord<>(row(3), 13));
            h.endInput();
            h.getOperator().finish();
            assertThat(drain(h)).as("flushed at end of input").hasSize(1);
        }
    }
}
