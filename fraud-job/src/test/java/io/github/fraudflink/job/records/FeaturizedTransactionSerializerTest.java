package io.github.fraudflink.job.records;

import io.github.fraudflink.job.features.TerminalStageHarness;

import static io.github.fraudflink.job.records.TransactionSerializerTest.assertSameTransaction;
import static io.github.fraudflink.job.records.RecordSerializerContract.pojoSerializer;
import static io.github.fraudflink.job.records.TransactionSerializerTest.restored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.features.TerminalHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.features.TerminalFeaturesFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link FeaturizedTransactionSerializer}: exact round trips of generated records, byte and deep copies, Flink's
 * serializer contract, and the terminal stage's held transactions written by the former POJO serializer restoring
 * (compatible after migration) on RocksDB and on the heap.
 */
class FeaturizedTransactionSerializerTest {
    private static final FeaturizedTransactionSerializer S = FeaturizedTransactionSerializer.INSTANCE;
    private static final long T0 = 1_530_000_000_000L;

    // ---------------------------------------------------------------------------------------------------------------
    // exactness

    @Test
    void anyFeaturizedTransactionRoundTripsExactly() {
        qt().withExamples(3000).forAll(featurized()).checkAssert(FeaturizedTransactionSerializerTest::roundTrip);
    }

    @Test
    void edgeCasesRoundTripExactly() {
        roundTrip(new FeaturizedTransaction());
        roundTrip(new FeaturizedTransaction(null, new double[0], true));
        roundTrip(new FeaturizedTransaction(new Transaction(), null, false));
        double[] odd = {Double.NaN, Double.longBitsToDouble(0x7FF0_0000_0000_0001L), -0.0, 0.0, Double.MIN_VALUE,
            -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        Transaction t = new Transaction("\uD800", null, Long.MIN_VALUE, Double.NaN);
        t.attributes = new TreeMap<>(Map.of("V1", -0.0));
        roundTrip(new FeaturizedTransaction(t, odd, true));
        roundTrip(new FeaturizedTransaction(t, new double[10_000], false));
    }

    @Test
    void copiesAreDeepAndTheFormatIsVersioned() throws IOException {
        Transaction t = new Transaction("t", "a", T0, 12.5);
        t.attributes = new TreeMap<>(Map.of("V1", 1.0));
        FeaturizedTransaction f = new FeaturizedTransaction(t, new double[] {1, 2}, true);
        FeaturizedTransaction c = S.copy(f);
        assertSame(c, f);
        assertThat(c.transaction).isNotSameAs(t);
        assertThat(c.transaction.attributes).isNotSameAs(t.attributes);
        assertThat(c.features).isNotSameAs(f.features);
        assertSame(S.copy(f, new FeaturizedTransaction()), f);
        assertThat(S.createInstance().transaction).isNull();
        assertThat(S.getLength()).isEqualTo(-1);

        byte[] bytes = bytes(f);
        assertThat(bytes[0]).as("format version first").isEqualTo((byte) FeaturizedTransactionSerializer.FORMAT_VERSION);
        byte[] badVersion = bytes.clone();
        badVersion[0] = 7;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(badVersion)))
                .isInstanceOf(IOException.class).hasMessageContaining("format 7 by a newer release");
        byte[] badFlags = bytes.clone();
        badFlags[1] = 8;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(badFlags)))
                .isInstanceOf(IOException.class).hasMessageContaining("flags");
    }

    @Test
    void aTypicalRecordIsSmallerThanWithThePojoSerializer() {
        Transaction t = new Transaction("1234567", "acct-42", T0, 57.16);
        t.ingestTime = T0 + 20;
        t.terminalId = "term-1234";
        FeaturizedTransaction f = new FeaturizedTransaction(t, new double[15], false);
        int ours = bytes(f).length;
        int pojo = RecordSerializerContract.bytes(RecordSerializerContract.pojoSerializer(FeaturizedTransaction.class), f).length;
        System.out.printf("featurized transaction, 15 features: %d bytes (POJO serializer %d)%n", ours, pojo);
        assertThat(ours).isLessThan(pojo);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // snapshots and state written before this serializer

    @Test
    void theSnapshotAcceptsItselfAsIsAndThePojoSerializerAfterMigration() throws IOException {
        TypeSerializerSnapshot<FeaturizedTransaction> own = restored(S.snapshotConfiguration());
        assertThat(own.restoreSerializer()).isSameAs(S);
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(own).isCompatibleAsIs()).isTrue();
        TypeSerializerSnapshot<FeaturizedTransaction> pojo =
                restored(pojoSerializer(FeaturizedTransaction.class).snapshotConfiguration());
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(pojo).isCompatibleAfterMigration()).isTrue();

        // the whole state serializer of the held transactions: map of arrays, nested snapshots resolved
        TypeSerializer<Map<Long, FeaturizedTransaction[]>> now = serializer(TerminalFeaturesFunction.heldDescriptor());
        TypeSerializer<Map<Long, FeaturizedTransaction[]>> before = serializer(pojoHeldDescriptor());
        assertThat(now.snapshotConfiguration().resolveSchemaCompatibility(restored(before.snapshotConfiguration()))
                .isCompatibleAfterMigration()).isTrue();
        assertThat(now.snapshotConfiguration().resolveSchemaCompatibility(restored(now.snapshotConfiguration()))
                .isCompatibleAsIs()).isTrue();
    }

    private static final Duration DELAY = Duration.ofDays(7);
    private static final Duration TTL = Duration.ofDays(38);
    private static final TerminalFeatures FEATURES = new TerminalFeatures(DELAY, Duration.ofMinutes(1), 10_000);

    /** The held transactions' descriptor before {@link FeaturizedTransactionSerializer}: POJO elements. */
    static MapStateDescriptor<Long, FeaturizedTransaction[]> pojoHeldDescriptor() {
        return new MapStateDescriptor<>("terminal-held", Types.LONG,
                ObjectArrayTypeInfo.getInfoFor(FeaturizedTransaction[].class, TypeInformation.of(FeaturizedTransaction.class)));
    }

    /** The terminal stage's holding path as it was before: the same state, its held transactions in POJO bytes. */
    static final class PojoHeldFunction
            extends KeyedCoProcessFunction<String, FeaturizedTransaction, Label, FeaturizedTransaction> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<TerminalHistory> history;
        private transient MapState<Long, FeaturizedTransaction[]> held;

        @Override
        public void open(OpenContext ctx) {
            history = getRuntimeContext().getState(TerminalFeaturesFunction.historyDescriptor(TTL));
            held = getRuntimeContext().getMapState(pojoHeldDescriptor());
        }

        @Override
        public void processElement1(FeaturizedTransaction f, Context ctx, Collector<FeaturizedTransaction> out)
                throws Exception {
            Transaction tx = f.transaction;
            TerminalHistory h = history.value() == null ? new TerminalHistory() : history.value();
            FEATURES.addTransaction(h, tx.accountId, tx.transactionId, tx.eventTime);
            FEATURES.expire(h, ctx.timerService().currentWatermark());
            history.update(h);
            FeaturizedTransaction[] waiting = held.get(tx.eventTime);
            FeaturizedTransaction[] now = waiting == null ? new FeaturizedTransaction[] {f}
                    : Arrays.copyOf(waiting, waiting.length + 1);
            now[now.length - 1] = f;
            held.put(tx.eventTime, now);
            ctx.timerService().registerEventTimeTimer(tx.eventTime - DELAY.toMillis());
        }

        @Override
        public void processElement2(Label l, Context ctx, Collector<FeaturizedTransaction> out) {}
    }

    /**
     * Transactions held (the labels lag) in POJO bytes, a snapshot, a restore into the current function (migration),
     * more transactions held at the same times, a second snapshot and restore (this serializer's bytes), then release:
     * the same records and features as one uninterrupted run of the current function.
     */
    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {true, false})
    void heldTransactionsWrittenByThePojoSerializerRestore(boolean rocks) throws Exception {
        List<FeaturizedTransaction> in = heldInput(new Random(rocks ? 3 : 4), 240);
        int cut = in.size() / 2;

        Map<String, FeaturizedTransaction> want;
        try (var h = TerminalStageHarness.of(new TerminalFeaturesFunction(FEATURES, TTL, Duration.ofDays(365)), rocks)) {
            h.open();
            for (FeaturizedTransaction f : in) {
                h.processElement1(new StreamRecord<>(S.copy(f)));
            }
            assertThat(h.getOutput()).as("all held").isEmpty();
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            want = outputs(h.getOutput());
        }
        assertThat(want).hasSize(in.size());

        OperatorSubtaskState pojoBytes;
        try (var h = TerminalStageHarness.of(new PojoHeldFunction(), rocks)) {
            h.open();
            for (FeaturizedTransaction f : in.subList(0, cut)) {
                h.processElement1(new StreamRecord<>(S.copy(f)));
            }
            pojoBytes = h.snapshot(1L, 1L);
        }
        OperatorSubtaskState ownBytes;
        try (var h = TerminalStageHarness.of(new TerminalFeaturesFunction(FEATURES, TTL, Duration.ofDays(365)), rocks)) {
            h.initializeState(pojoBytes); // compatible after migration
            h.open();
            for (FeaturizedTransaction f : in.subList(cut, in.size())) {
                h.processElement1(new StreamRecord<>(S.copy(f)));
            }
            assertThat(h.getOutput()).as("all held").isEmpty();
            ownBytes = h.snapshot(2L, 2L);
        }
        Map<String, FeaturizedTransaction> got;
        try (var h = TerminalStageHarness.of(new TerminalFeaturesFunction(FEATURES, TTL, Duration.ofDays(365)), rocks)) {
            h.initializeState(ownBytes); // compatible as is
            h.open();
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            got = outputs(h.getOutput());
            assertThat(h.numEventTimeTimers()).as("no timer left").isZero();
        }
        assertThat(got.keySet()).isEqualTo(want.keySet());
        for (Map.Entry<String, FeaturizedTransaction> e : want.entrySet()) {
            FeaturizedTransaction g = got.get(e.getKey());
            FeaturizedTransaction w = e.getValue();
            assertThat(g.transaction).as(e.getKey()).isEqualTo(w.transaction);
            assertThat(bits(g.features)).as(e.getKey()).containsExactly(bits(w.features));
            assertThat(g.duplicate).isEqualTo(w.duplicate);
        }
    }

    /** Transactions on a few terminals at a few shared event times (arrays of several), with odd feature values. */
    private static List<FeaturizedTransaction> heldInput(Random r, int n) {
        List<FeaturizedTransaction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Transaction t = new Transaction("tx-" + i, "acct-" + r.nextInt(5), T0 + r.nextInt(6) * 3_600_000L,
                    r.nextInt(1, 100_000) / 100.0);
            t.ingestTime = t.eventTime + r.nextInt(1000);
            t.terminalId = r.nextInt(10) == 0 ? null : "term-" + r.nextInt(4);
            t.merchantId = "m-" + r.nextInt(3);
            t.currency = r.nextBoolean() ? "EUR" : null;
            t.lat = r.nextBoolean() ? r.nextDouble() * 180 - 90 : null;
            t.country = r.nextInt(4) == 0 ? "\uD83C\uDDEB\uD83C\uDDF7 é" : null;
            if (r.nextBoolean()) {
                t.attributes = new TreeMap<>();
                for (int k = r.nextInt(4); k > 0; k--) {
                    t.attributes.put("V" + r.nextInt(28), r.nextGaussian());
                }
            }
            double[] features = new double[1 + r.nextInt(4)];
            for (int k = 0; k < features.length; k++) {
                features[k] = r.nextInt(5) == 0 ? Double.longBitsToDouble(r.nextLong()) : r.nextDouble();
            }
            out.add(new FeaturizedTransaction(t, features, r.nextInt(8) == 0));
        }
        return out;
    }


    private static Map<String, FeaturizedTransaction> outputs(java.util.Collection<?> output) {
        Map<String, FeaturizedTransaction> out = new HashMap<>();
        for (Object o : output) {
            if (o instanceof StreamRecord<?> sr) {
                FeaturizedTransaction f = (FeaturizedTransaction) sr.getValue();
                assertThat(out.put(f.transaction.transactionId, f)).as("one output per transaction").isNull();
            }
        }
        return out;
    }

    private static <T> TypeSerializer<T> serializer(org.apache.flink.api.common.state.StateDescriptor<?, T> d) {
        d.initializeSerializerUnlessSet(new org.apache.flink.api.common.ExecutionConfig());
        return d.getSerializer();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Flink's own serializer contract

    @Nested
    class FlinkSerializerContract extends RecordSerializerContract<FeaturizedTransaction> {
        FlinkSerializerContract() {
            super(FeaturizedTransactionSerializer.INSTANCE, FeaturizedTransaction.class, FeaturizedTransactionSerializerTest::same);
        }

        @Override
        protected FeaturizedTransaction[] getTestData() {
            Transaction full = new Transaction("tx-1", "acct-1", T0, 57.16);
            full.terminalId = "term-1";
            full.lat = 1.5;
            full.attributes = new TreeMap<>(Map.of("V1", 1.5));
            return new FeaturizedTransaction[] {
                new FeaturizedTransaction(),
                new FeaturizedTransaction(full, new double[] {1, Double.NaN, -0.0}, false),
                new FeaturizedTransaction(new Transaction("\uDC00", null, -1, -0.0), new double[0], true),
                new FeaturizedTransaction(full, null, true),
            };
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // generators and checks

    static Gen<FeaturizedTransaction> featurized() {
        Gen<Transaction> txs = Generate.frequency(Pair.of(1, Generate.constant((Transaction) null)),
                Pair.of(6, TransactionSerializerTest.transactions()));
        Gen<double[]> features = Generate.frequency(Pair.of(1, Generate.constant((double[]) null)),
                Pair.of(6, lists().of(TransactionSerializerTest.anyDoubles()).ofSizeBetween(0, 40)
                        .map(ds -> ds.stream().mapToDouble(Double::doubleValue).toArray())));
        Gen<Boolean> duplicate = integers().between(0, 3).map(i -> i == 0);
        Gen<FeaturizedTransaction> g = txs.zip(features, duplicate, FeaturizedTransaction::new);
        return g.describedAs(f -> "FeaturizedTransaction{" + TransactionSerializerTest.describe(f.transaction)
                + ", features=" + (f.features == null ? "null" : Arrays.toString(bits(f.features)))
                + ", duplicate=" + f.duplicate + "}");
    }

    static FeaturizedTransaction roundTrip(FeaturizedTransaction f) {
        FeaturizedTransaction back = RecordSerializerContract.roundTrip(S, f, FeaturizedTransactionSerializerTest::assertSame);
        FeaturizedTransaction c = S.copy(f);
        if (f.transaction != null) {
            assertThat(c.transaction).isNotSameAs(f.transaction);
        }
        if (f.features != null) {
            assertThat(c.features).isNotSameAs(f.features);
        }
        return back;
    }

    private static void assertSame(FeaturizedTransaction got, FeaturizedTransaction want) {
        if (want.transaction == null) {
            assertThat(got.transaction).isNull();
        } else {
            assertThat(got.transaction).isNotNull();
            assertSameTransaction(got.transaction, want.transaction);
        }
        if (want.features == null) {
            assertThat(got.features).isNull();
        } else {
            assertThat(bits(got.features)).containsExactly(bits(want.features));
        }
        assertThat(got.duplicate).isEqualTo(want.duplicate);
    }

    private static boolean same(FeaturizedTransaction a, FeaturizedTransaction b) {
        try {
            assertSame(a, b);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static long[] bits(double[] xs) {
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = Double.doubleToRawLongBits(xs[i]);
        }
        return out;
    }

    private static byte[] bytes(FeaturizedTransaction value) {
        return RecordSerializerContract.bytes(S, value);
    }
}
