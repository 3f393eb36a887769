package io.github.fraudflink.job.features;

import io.github.fraudflink.job.records.FeaturizedTransaction;
import io.github.fraudflink.job.FraudScoringJob;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.features.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The keyed features operator under Flink's operator test harness, on RocksDB and on the heap backend. */
class AccountFeaturesFunctionTest {
    private static final Duration TTL = Duration.ofDays(31);

    private static KeyedOneInputStreamOperatorTestHarness<String, Transaction, FeaturizedTransaction> harness(boolean rocks)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new AccountFeaturesFunction(new AccountFeatures(), TTL)),
                new FraudScoringJob.AccountKey(), Types.STRING);
        if (rocks) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static List<Transaction> events(int n) {
        SplittableRandom r = new SplittableRandom(7);
        List<Transaction> out = new ArrayList<>();
        long t = 1_530_000_000_000L;
        for (int i = 0; i < n; i++) {
            t += r.nextLong(3_600_000);
            long et = r.nextInt(10) == 0 ? t - r.nextLong(7_200_000) : t; // some late ones
            String id = r.nextInt(12) == 0 && i > 0 ? out.get(i - 1).transactionId : "tx" + i;
            Transaction tx = new Transaction(id, "acct-" + r.nextInt(5), et, 1 + r.nextInt(300));
            tx.ingestTime = t;
            out.add(tx);
        }
        return out;
    }

    /** The features of each event computed directly with the plain-Java code, one history per account. */
    private static List<double[]> direct(List<Transaction> evs) {
        AccountFeatures f = new AccountFeatures();
        Map<String, AccountHistory> hs = new HashMap<>();
        List<double[]> out = new ArrayList<>();
        for (Transaction t : evs) {
            out.add(f.apply(hs.computeIfAbsent(t.accountId, k -> new AccountHistory()), t).values());
        }
        return out;
    }

    private static List<FeaturizedTransaction> outputs(KeyedOneInputStreamOperatorTestHarness<?, ?, FeaturizedTransaction> h) {
        List<FeaturizedTransaction> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> sr) {
                out.add((FeaturizedTransaction) sr.getValue());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {true, false})
    void featuresSurviveSnapshotAndRestoreExactly(boolean rocks) throws Exception {
        List<Transaction> evs = events(300);
        List<double[]> want = direct(evs);

        List<FeaturizedTransaction> got = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(rocks)) {
            h.open();
            for (int i = 0; i < 150; i++) {
                h.processElement(evs.get(i), evs.get(i).eventTime);
            }
            snapshot = h.snapshot(1L, 1L);
            got.addAll(outputs(h));
            // events after the snapshot are lost with this instance (a failure)
            for (int i = 150; i < 170; i++) {
                h.processElement(evs.get(i), evs.get(i).eventTime);
            }
        }
        try (var h = harness(rocks)) {
            h.initializeState(snapshot);
            h.open();
            for (int i = 150; i < evs.size(); i++) {
                h.processElement(evs.get(i), evs.get(i).eventTime);
            }
            got.addAll(outputs(h));
        }
        assertThat(got).hasSize(evs.size());
        int dups = 0;
        for (int i = 0; i < evs.size(); i++) {
            assertThat(got.get(i).transaction).isEqualTo(evs.get(i));
            assertThat(got.get(i).features).as("event %d", i).containsExactly(want.get(i));
            dups += got.get(i).duplicate ? 1 : 0;
        }
        assertThat(dups).as("the sequence exercises duplicates").isGreaterThanOrEqualTo(3);
    }

    @Test
    void keepsOneHistoryPerAccount() throws Exception {
        try (var h = harness(false)) { // the heap backend can count its entries
            h.open();
            h.processElement(new Transaction("a1", "A", 1_000_000L, 10), 0);
            h.processElement(new Transaction("b1", "B", 1_000_000L, 20), 0);
            h.processElement(new Transaction("a2", "A", 1_060_000L, 30), 0);
            List<FeaturizedTransaction> out = outputs(h);
            int c5 = FeatureSchema.indexOf("tx_count_5m");
            assertThat(out.get(0).features[c5]).isEqualTo(1);
            assertThat(out.get(1).features[c5]).isEqualTo(1);
            assertThat(out.get(2).features[c5]).isEqualTo(2);
            assertThat(out.get(2).features[FeatureSchema.indexOf("avg_amount_1d")]).isEqualTo(20);
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
        }
    }
}
