package io.github.fraudflink.job.features;

import io.github.fraudflink.job.records.RecordSerializerContract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.features.TerminalHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
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
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link TerminalHistorySerializer}: exact round trips of generated histories (through the real features and raw
 * extreme arrays), Flink's serializer contract, restore of state written by the former POJO serializer through the
 * terminal stage on RocksDB and on the heap, and the measured size at the handbook's rate.
 */
class TerminalHistorySerializerTest {
    private static final TerminalHistorySerializer S = TerminalHistorySerializer.INSTANCE;
    private static final long T0 = 1_530_000_000_000L;
    private static final long DAY = TerminalFeatures.DAY;

    /**
     * One step on a history: a transaction ({@code kind} &lt; 50), a label (&lt; 90) or an expiry. A label with
     * {@code ref} &gt;= 0 is of the {@code ref}-th transaction added so far (mod their number), else of its own ids and
     * time; its {@code labelled_at} is {@code time + at} (wrapping).
     */
    record Op(int kind, String account, String id, long time, long at, boolean fraud, int ref) {
        Op with(long at, boolean fraud, int ref) {
            return new Op(kind, account, id, time, at, fraud, ref);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // exactness

    /**
     * The job's flow: per event the history is read back from bytes, the step applied, and it is written again. The
     * deserialized history equals the one kept in memory array by array, and gives bit-identical features.
     */
    @Test
    void historiesBuiltByTheFeaturesRoundTripExactly() {
        qt().withExamples(300)
                .forAll(operations(), integers().between(1, 60), longs().between(0, 10 * DAY), longs().between(0, DAY))
                .checkAssert((ops, maxHistory, delay, lag) -> {
                    TerminalFeatures f = new TerminalFeatures(Duration.ofMillis(delay), Duration.ofMillis(lag), maxHistory);
                    TerminalHistory h = new TerminalHistory();
                    TerminalHistory viaBytes = new TerminalHistory();
                    List<Op> added = new ArrayList<>();
                    for (Op op : ops) {
                        viaBytes = roundTrip(viaBytes);
                        if (op.kind() < 50) {
                            f.addTransaction(h, op.account(), op.id(), op.time());
                            f.addTransaction(viaBytes, op.account(), op.id(), op.time());
                            added.add(op);
                            assertThat(bits(f.compute(viaBytes, op.time()))).as("features after %s", op)
                                    .containsExactly(bits(f.compute(h, op.time())));
                        } else if (op.kind() < 90) {
                            Op of = op.ref() >= 0 && !added.isEmpty() ? added.get(op.ref() % added.size()) : op;
                            long at = of.time() + op.at();
                            f.addLabel(h, of.account(), of.id(), of.time(), op.fraud(), at);
                            f.addLabel(viaBytes, of.account(), of.id(), of.time(), op.fraud(), at);
                        } else {
                            assertThat(f.expire(viaBytes, op.time())).isEqualTo(f.expire(h, op.time()));
                        }
                        assertSameHistory(viaBytes, h);
                    }
                    roundTrip(h);
                });
    }

    @Test
    void rawArraysWithExtremeValuesRoundTripExactly() {
        Gen<Integer> sizes = integers().between(0, 40);
        qt().withExamples(1000).forAll(sizes, sizes, longs().all(), integers().between(0, 3))
                .checkAssert((n, m, seed, shape) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    TerminalHistory h = new TerminalHistory();
                    h.times = new long[n];
                    h.keys = new String[n];
                    for (int i = 0; i < n; i++) {
                        h.times[i] = extremeLong(r);
                        h.keys[i] = anyKey(r, i == 0 ? null : h.keys[i - 1]);
                    }
                    shapeTimes(h.times, shape, r);
                    h.labelTimes = new long[m];
                    h.labelKeys = new String[m];
                    h.labelledAt = new long[m];
                    h.labelFraud = new boolean[m];
                    for (int i = 0; i < m; i++) {
                        int k = n == 0 ? -1 : r.nextInt(n);
                        switch (r.nextInt(5)) {
                            case 0, 1 -> { // a label of one of the transactions
                                h.labelTimes[i] = k < 0 ? extremeLong(r) : h.times[k];
                                h.labelKeys[i] = k < 0 ? null : h.keys[k];
                            }
                            case 2 -> { // its time, another key; or its key, another time
                                h.labelTimes[i] = k < 0 || r.nextBoolean() ? extremeLong(r) : h.times[k];
                                h.labelKeys[i] = k < 0 || r.nextBoolean() ? anyKey(r, null) : h.keys[k];
                            }
                            default -> {
                                h.labelTimes[i] = extremeLong(r);
                                h.labelKeys[i] = anyKey(r, i == 0 ? null : h.labelKeys[i - 1]);
                            }
                        }
                        h.labelledAt[i] = r.nextInt(3) == 0 ? extremeLong(r) : h.labelTimes[i] + 7 * DAY + r.nextInt(-2, 3);
                        h.labelFraud[i] = r.nextBoolean();
                    }
                    if (shape != 2) {
                        sortLabels(h); // as the history keeps them; shape 2 leaves them in any order
                    }
                    roundTrip(h);
                });
    }

    @Test
    void edgeCasesRoundTripExactly() {
        roundTrip(new TerminalHistory());
        TerminalHistory h = new TerminalHistory(
                new long[] {Long.MIN_VALUE, Long.MIN_VALUE, -1, 0, 0, Long.MAX_VALUE, Long.MAX_VALUE},
                new String[] {"\uD800", "\uD800\uDC00x", "\uDC00", null, "", "a\u0000b", "a\u0000b"},
                new long[] {Long.MIN_VALUE, -1, 0, 0, 0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE},
                new String[] {"\uD800", "\uDC00", null, "", "a\u0000b", "a\u0000b", "a\u0000b", "other"},
                new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0, -1, 5, Long.MIN_VALUE, Long.MAX_VALUE, 0},
                new boolean[] {true, false, true, false, true, true, false, true});
        roundTrip(h);
        // labels before, between and after the transactions; times ascending except one (wrapped deltas)
        roundTrip(new TerminalHistory(new long[] {5, Long.MAX_VALUE, Long.MIN_VALUE, 0}, new String[] {"a", "b", "c", "d"},
                new long[] {0, 5, 5, Long.MIN_VALUE, 0}, new String[] {"d", "a", "a", "c", "d"},
                new long[] {1, 2, 3, 4, 5}, new boolean[] {false, true, false, true, false}));
        // only labels, only transactions
        roundTrip(new TerminalHistory(new long[0], new String[0], new long[] {T0, T0}, new String[] {"x", "x"},
                new long[] {T0 + 7 * DAY, T0 + 8 * DAY}, new boolean[] {true, false}));
        roundTrip(new TerminalHistory(new long[] {T0, T0}, new String[] {"x", "x"}, new long[0], new String[0], new long[0],
                new boolean[0]));
    }

    @Test
    void aLabelOfATransactionInTheHistoryNamesItInsteadOfRepeatingIt() throws IOException {
        TerminalHistory h = new TerminalHistory(new long[] {T0, T0 + 1000}, new String[] {"acct-1\u0000tx-1", "acct-2\u0000tx-2"},
                new long[] {T0 + 1000}, new String[] {"acct-2\u0000tx-2"}, new long[] {T0 + 1000 + 7 * DAY},
                new boolean[] {true});
        byte[] b = bytes(h);
        TerminalHistory back = roundTrip(h);
        assertThat(back.labelKeys[0]).as("the transaction's own key object").isSameAs(back.keys[1]);
        // version, n, first time, delta, 2 keys of 11 chars (length + chars), m, reference|fraud, 7-day offset,
        // known when made (0)
        assertThat(b).hasSize(1 + 1 + 6 + 2 + 2 * 12 + 1 + 1 + 5 + 1);
    }

    @Test
    void copiesAreDeepAndTheFormatIsVersioned() throws IOException {
        TerminalHistory h = new TerminalHistory(new long[] {1, 2}, new String[] {"a", "b"}, new long[] {2}, new String[] {"b"},
                new long[] {3}, new boolean[] {true});
        TerminalHistory c = S.copy(h);
        assertSameHistory(c, h);
        assertThat(c.times).isNotSameAs(h.times);
        assertThat(c.keys).isNotSameAs(h.keys);
        assertThat(c.labelTimes).isNotSameAs(h.labelTimes);
        assertThat(c.labelKeys).isNotSameAs(h.labelKeys);
        assertThat(c.labelledAt).isNotSameAs(h.labelledAt);
        assertThat(c.knownAt).isNotSameAs(h.knownAt);
        assertThat(c.labelFraud).isNotSameAs(h.labelFraud);
        assertSameHistory(S.copy(h, new TerminalHistory()), h);
        assertThat(S.createInstance().size()).isZero();
        assertThat(S.createInstance().labels()).isZero();
        assertThat(S.getLength()).isEqualTo(-1);
        assertThat(S.isImmutableType()).isFalse();

        byte[] bytes = bytes(h);
        assertThat(bytes[0]).as("format version first").isEqualTo((byte) TerminalHistorySerializer.FORMAT_VERSION);
        byte[] badVersion = bytes.clone();
        badVersion[0] = 99;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(badVersion)))
                .isInstanceOf(IOException.class).hasMessageContaining("format 99 by a newer release");
        // a label naming a transaction that is not there
        byte[] badReference = bytes(new TerminalHistory(new long[] {1}, new String[] {"a"}, new long[] {1}, new String[] {"a"},
                new long[] {1}, new boolean[] {false}));
        assertThat(badReference[badReference.length - 3]).as("reference to transaction 0").isEqualTo((byte) 2);
        badReference[badReference.length - 3] = 4;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(badReference)))
                .isInstanceOf(IOException.class).hasMessageContaining("corrupt");

        TerminalHistory ragged = new TerminalHistory(new long[] {1}, new String[0], new long[0], new String[0], new long[0],
                new boolean[0]);
        assertThatThrownBy(() -> bytes(ragged)).isInstanceOf(IllegalArgumentException.class);
        TerminalHistory nullColumn = new TerminalHistory();
        nullColumn.labelFraud = null;
        assertThatThrownBy(() -> bytes(nullColumn)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatOneWrittenBeforeKnownAtReadsAsKnownWhenMade() throws IOException {
        // format 1 is format 2 without the last varint of each label (the known-at offset): one label, offset 0 here
        TerminalHistory h = new TerminalHistory(new long[] {T0}, new String[] {"acct\u0000tx"}, new long[] {T0},
                new String[] {"acct\u0000tx"}, new long[] {T0 + 7 * DAY}, new boolean[] {true});
        byte[] v2 = bytes(h);
        assertThat(v2[v2.length - 1]).as("known when made: offset 0").isEqualTo((byte) 0);
        byte[] v1 = Arrays.copyOf(v2, v2.length - 1);
        v1[0] = 1;
        TerminalHistory back = S.deserialize(new DataInputDeserializer(v1));
        assertSameHistory(back, h);
        assertThat(back.knownAt).containsExactly(T0 + 7 * DAY);
        // and a label known later than it was made round-trips in format 2
        TerminalHistory later = new TerminalHistory(h.times, h.keys, h.labelTimes, h.labelKeys, h.labelledAt,
                new long[] {T0 + 9 * DAY}, h.labelFraud);
        assertThat(roundTrip(later).knownAt).containsExactly(T0 + 9 * DAY);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // snapshots and state written before this serializer

    @Test
    void theSnapshotAcceptsItselfAsIsAndThePojoSerializerAfterMigration() throws IOException {
        TypeSerializerSnapshot<TerminalHistory> own = restored(S.snapshotConfiguration());
        assertThat(own.restoreSerializer()).isSameAs(S);
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(own).isCompatibleAsIs()).isTrue();
        TypeSerializerSnapshot<TerminalHistory> pojo = restored(RecordSerializerContract.pojoSerializer(TerminalHistory.class).snapshotConfiguration());
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(pojo).isCompatibleAfterMigration()).isTrue();
        assertThat(TerminalFeaturesFunction.historyDescriptor(TTL).getSerializer()).isSameAs(S);
    }

    private static final Duration DELAY = Duration.ofDays(7);
    private static final Duration LAG = Duration.ofMinutes(1);
    private static final Duration TTL = Duration.ofDays(38);
    private static final TerminalFeatures FEATURES = new TerminalFeatures(DELAY, LAG, 10_000);

    /**
     * The terminal stage's steady-state path as it was before {@link TerminalHistorySerializer}: the same history
     * state, with the same TTL, written by Flink's POJO serializer. Every transaction arrives after the watermark
     * passed {@code t - d} here, so it is computed at once (the function refuses to hold one).
     */
    static final class PojoHistoryFunction
            extends KeyedCoProcessFunction<String, FeaturizedTransaction, Label, FeaturizedTransaction> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<TerminalHistory> history;

        @Override
        public void open(OpenContext ctx) {
            ValueStateDescriptor<TerminalHistory> d =
                    new ValueStateDescriptor<>("terminal-history", TypeInformation.of(TerminalHistory.class));
            d.enableTimeToLive(AccountFeaturesFunction.idleTtl(TTL));
            history = getRuntimeContext().getState(d);
        }

        @Override
        public void processElement1(FeaturizedTransaction f, Context ctx, Collector<FeaturizedTransaction> out)
                throws Exception {
            Transaction tx = f.transaction;
            long watermark = ctx.timerService().currentWatermark();
            if (tx.eventTime - DELAY.toMillis() > watermark) {
                throw new IllegalStateException("this test never holds a transaction: " + tx);
            }
            TerminalHistory h = history.value() == null ? new TerminalHistory() : history.value();
            FEATURES.addTransaction(h, tx.accountId, tx.transactionId, tx.eventTime);
            FEATURES.expire(h, watermark);
            history.update(h);
            double[] terminal = FEATURES.compute(h, tx.eventTime);
            double[] all = Arrays.copyOf(f.features, f.features.length + terminal.length);
            System.arraycopy(terminal, 0, all, f.features.length, terminal.length);
            out.collect(new FeaturizedTransaction(tx, all, f.duplicate));
        }

        @Override
        public void processElement2(Label l, Context ctx, Collector<FeaturizedTransaction> out) throws Exception {
            TerminalHistory h = history.value() == null ? new TerminalHistory() : history.value();
            FEATURES.addLabel(h, l.accountId, l.transactionId, l.eventTime, l.isFraud, l.labelledAt);
            FEATURES.expire(h, ctx.timerService().currentWatermark());
            history.update(h);
        }
    }

    /** One input event, in arrival order: a transaction (at its event time) or a label (when it became known). */
    private record Event(Transaction tx, Label label, long arrival) {}

    /**
     * Transactions and labels on a few terminals over 80 days (expiry cutting in), in POJO bytes for the first third,
     * a snapshot, a restore into the current function (migration), the second third, a second snapshot and restore
     * (this serializer's bytes), the rest: the same records and features as one uninterrupted run of the current
     * function.
     */
    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {true, false})
    void historyWrittenByThePojoSerializerRestores(boolean rocks) throws Exception {
        List<Event> events = restoreInput(new SplittableRandom(rocks ? 21 : 22), 900);
        int cut1 = events.size() / 3;
        int cut2 = 2 * events.size() / 3;

        List<FeaturizedTransaction> want;
        try (var h = TerminalStageHarness.of(new TerminalFeaturesFunction(FEATURES, TTL, Duration.ofDays(365)), rocks)) {
            h.open();
            feed(h, events, 0, events.size());
            want = outputs(h.getOutput());
        }

        List<FeaturizedTransaction> got = new ArrayList<>();
        OperatorSubtaskState pojoBytes;
        try (var h = TerminalStageHarness.of(new PojoHistoryFunction(), rocks)) {
            h.open();
            feed(h, events, 0, cut1);
            pojoBytes = h.snapshot(1L, 1L);
            got.addAll(outputs(h.getOutput()));
        }
        OperatorSubtaskState ownBytes;
        try (var h = TerminalStageHarness.of(new TerminalFeaturesFunction(FEATURES, TTL, Duration.ofDays(365)), rocks)) {
            h.initializeState(pojoBytes); // POJO bytes: compatible after migration
            h.open();
            feed(h, events, cut1, cut2);
            ownBytes = h.snapshot(2L, 2L);
            got.addAll(outputs(h.getOutput()));
        }
        try (var h = TerminalStageHarness.of(new TerminalFeaturesFunction(FEATURES, TTL, Duration.ofDays(365)), rocks)) {
            h.initializeState(ownBytes); // this serializer's bytes: compatible as is
            h.open();
            feed(h, events, cut2, events.size());
            got.addAll(outputs(h.getOutput()));
            assertThat(h.numEventTimeTimers()).as("nothing held").isZero();
        }

        long txs = events.stream().filter(e -> e.tx() != null).count();
        assertThat(want).hasSize((int) txs);
        assertThat(want.stream().filter(f -> f.features[6] > 0)).as("frauds counted").isNotEmpty();
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            FeaturizedTransaction g = got.get(i);
            FeaturizedTransaction w = want.get(i);
            assertThat(g.transaction.transactionId).as("output %d", i).isEqualTo(w.transaction.transactionId);
            assertThat(bits(g.features)).as("output %d (%s)", i, w.transaction.transactionId)
                    .containsExactly(bits(w.features));
        }
    }

    /**
     * Feeds events {@code [from, to)}: before each transaction both inputs' watermarks reach {@code t - d}, so it is
     * computed at once; the first thing after a (re)start is the watermark where the previous part left it.
     */
    private static void feed(KeyedTwoInputStreamOperatorTestHarness<String, FeaturizedTransaction, Label,
            FeaturizedTransaction> h, List<Event> events, int from, int to) throws Exception {
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < from; i++) {
            if (events.get(i).tx() != null) {
                watermark = events.get(i).tx().eventTime - DELAY.toMillis();
            }
        }
        if (watermark != Long.MIN_VALUE) {
            h.processWatermark1(new Watermark(watermark));
            h.processWatermark2(new Watermark(watermark));
        }
        for (Event e : events.subList(from, to)) {
            if (e.tx() != null) {
                long w = e.tx().eventTime - DELAY.toMillis();
                if (w > watermark) {
                    watermark = w;
                    h.processWatermark1(new Watermark(w));
                    h.processWatermark2(new Watermark(w));
                }
                h.processElement1(new StreamRecord<>(new FeaturizedTransaction(e.tx(), new double[] {1.5}, false),
                        e.tx().eventTime));
            } else {
                h.processElement2(new StreamRecord<>(e.label(),
                        TerminalFeaturesFunction.labelTimestamp(e.label(), DELAY, LAG)));
            }
        }
    }

    /**
     * Transactions every ~2 hours on three terminals (one with a non-ASCII id), accounts with Unicode ids, repeated
     * transactions; labels ~7 days later (some fraud, some reversed, some of transactions never seen, some earlier
     * than the lag allows for).
     */
    private static List<Event> restoreInput(SplittableRandom r, int n) {
        List<Event> events = new ArrayList<>();
        String[] terminals = {"term-0", "term-\u00e9\uD83D\uDE00", "term-2"};
        long clock = T0;
        for (int i = 0; i < n; i++) {
            clock += r.nextLong(4 * 3_600_000L);
            String account = r.nextInt(5) == 0 ? "compte-\u00e7\uD83D\uDCB3-" + r.nextInt(3) : "acct-" + r.nextInt(30);
            Transaction tx = new Transaction(r.nextInt(20) == 0 && i > 0 ? "t" + (i - 1) : "t" + i, account, clock,
                    r.nextInt(1, 100_000) / 100.0);
            tx.terminalId = terminals[r.nextInt(terminals.length)];
            tx.ingestTime = clock;
            events.add(new Event(tx, null, clock));
            boolean fraud = r.nextInt(4) == 0;
            if (r.nextInt(10) != 0) {
                long at = clock + DELAY.toMillis() + r.nextLong(-DAY, DAY);
                events.add(new Event(null, Label.of(tx, fraud, at, "test"), at));
                if (r.nextInt(8) == 0) { // reversed
                    long later = at + r.nextLong(1, 3 * DAY);
                    events.add(new Event(null, Label.of(tx, !fraud, later, "analyst"), later));
                }
            }
            if (r.nextInt(20) == 0) { // a label of a transaction this stage never sees
                Transaction unseen = new Transaction("unseen-" + i, account, clock - r.nextLong(DAY), 1);
                unseen.terminalId = tx.terminalId;
                long at = clock + r.nextLong(DAY);
                events.add(new Event(null, Label.of(unseen, true, at, "test"), at));
            }
        }
        events.sort(Comparator.comparingLong(Event::arrival)); // stable: a label known at t comes after t's transaction
        return events;
    }


    private static List<FeaturizedTransaction> outputs(java.util.Collection<?> output) {
        List<FeaturizedTransaction> out = new ArrayList<>();
        for (Object o : output) {
            if (o instanceof StreamRecord<?> sr) {
                out.add((FeaturizedTransaction) sr.getValue());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // size

    /**
     * A terminal at the handbook's rate (about one transaction a day, every one labelled 7 days later, as in
     * {@code TerminalFeaturesFunctionTest}): ~37 transactions and ~37 labels kept. Printed: the mean size with this
     * serializer and with the POJO serializer it replaced, with the handbook's integer ids and with demo-style ids,
     * labels exactly 7 days later and with a spread of a day.
     */
    @Test
    void aTerminalAtTheHandbooksRateIsSmallerThanWithThePojoSerializer() {
        TypeSerializer<TerminalHistory> pojo = RecordSerializerContract.pojoSerializer(TerminalHistory.class);
        for (String style : List.of("handbook", "demo")) {
            LongFunction<String> accounts = style.equals("handbook") ? Long::toString : n -> "acct-" + n;
            LongFunction<String> ids = style.equals("handbook") ? Long::toString : n -> "demo-1700000000000-" + n;
            for (long spread : new long[] {0, DAY}) {
                List<TerminalHistory> terminals = handbookRate(2_000, 120, accounts, ids, spread, 17);
                long sum = 0;
                long pojoSum = 0;
                long entries = 0;
                long labels = 0;
                for (TerminalHistory h : terminals) {
                    sum += bytes(h).length;
                    pojoSum += RecordSerializerContract.bytes(pojo, h).length;
                    entries += h.size();
                    labels += h.labels();
                }
                double mean = (double) sum / terminals.size();
                double pojoMean = (double) pojoSum / terminals.size();
                System.out.printf("terminal history, %s ids, labels %s: %.1f transactions and %.1f labels on average:"
                                + " %.1f bytes (%.2f per entry); POJO serializer %.1f bytes (%.2f per entry)%n",
                        style, spread == 0 ? "7 days later" : "7 days later +- a day",
                        (double) entries / terminals.size(), (double) labels / terminals.size(), mean,
                        (double) sum / (entries + labels), pojoMean, (double) pojoSum / (entries + labels));
                assertThat((double) entries / terminals.size()).isBetween(33.0, 41.0);
                assertThat((double) labels / terminals.size()).isBetween(33.0, 41.0);
                assertThat(mean).isLessThan(pojoMean / 2);
            }
        }
    }

    /**
     * Histories of {@code terminals} terminals after {@code days} days at a Poisson one transaction a day each, as the
     * handbook's simulator makes them: times in whole seconds around midday, accounts among 5,000, ids from one
     * counter in time order across all terminals; every transaction labelled 7 days later (plus or minus up to
     * {@code spread}, in ms), about 1% fraud.
     */
    private static List<TerminalHistory> handbookRate(int terminals, int days, LongFunction<String> accounts,
            LongFunction<String> ids, long spread, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        record Tx(int terminal, long time, long account) {}
        List<Tx> txs = new ArrayList<>();
        for (int t = 0; t < terminals; t++) {
            for (int d = 0; d < days; d++) {
                for (int k = RandomDraws.poisson(r, 1.0); k > 0; k--) {
                    long second = Math.round(43_200 + RandomDraws.gaussian(r) * 20_000);
                    if (second >= 0 && second < 86_400) {
                        txs.add(new Tx(t, T0 + d * DAY + second * 1000, r.nextInt(5_000)));
                    }
                }
            }
        }
        txs.sort(Comparator.comparingLong(Tx::time));
        TerminalFeatures f = new TerminalFeatures();
        List<TerminalHistory> hs = new ArrayList<>();
        for (int t = 0; t < terminals; t++) {
            hs.add(new TerminalHistory());
        }
        long id = 1_234_567;
        for (Tx tx : txs) {
            TerminalHistory h = hs.get(tx.terminal());
            String txId = ids.apply(id++);
            String account = accounts.apply(tx.account());
            f.addTransaction(h, account, txId, tx.time());
            long at = tx.time() + 7 * DAY + (spread == 0 ? 0 : r.nextLong(-spread, spread));
            long known = spread == 0 || r.nextBoolean() ? at : at + r.nextLong(0, spread); // some known after they were made
            f.addLabel(h, account, txId, tx.time(), r.nextInt(100) == 0, at, known);
            f.expire(h, tx.time());
        }
        return hs;
    }

    /** The snapshot as Flink writes it into a checkpoint and reads it back. */
    private static <T> TypeSerializerSnapshot<T> restored(TypeSerializerSnapshot<T> snapshot) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
                TerminalHistorySerializerTest.class.getClassLoader());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Flink's own serializer contract

    @Nested
    class FlinkSerializerContract extends RecordSerializerContract<TerminalHistory> {
        FlinkSerializerContract() {
            super(TerminalHistorySerializer.INSTANCE, TerminalHistory.class, TerminalHistorySerializerTest::sameHistory);
        }

        @Override
        protected TerminalHistory[] getTestData() {
            TerminalHistory extreme = new TerminalHistory(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE},
                    new String[] {"\uDBFF", null, "a\u0000b"}, new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE},
                    new String[] {null, "a\u0000b", "\uDBFF"}, new long[] {7, Long.MIN_VALUE, 3},
                    new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 3}, new boolean[] {true, false, true});
            List<TerminalHistory> handbook = handbookRate(3, 60, Long::toString, Long::toString, DAY, 5);
            return new TerminalHistory[] {new TerminalHistory(), extreme, handbook.get(0), handbook.get(1),
                handbook.get(2)};
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // generators and helpers

    /** Steps with any ids (arbitrary UTF-16 including unpaired surrogates, colliding, NUL) and any times. */
    private static Gen<List<Op>> operations() {
        Gen<String> accounts = Generate.oneOf(
                Generate.pick(List.of("acct-1", "acct-2", "", "\u00e9\uD83D\uDE00")),
                strings().allPossible().ofLengthBetween(0, 8),
                lists().of(integers().between(0, 0xFFFF)).ofSizeBetween(0, 5).map(TerminalHistorySerializerTest::chars));
        Gen<String> ids = Generate.oneOf(
                strings().betweenCodePoints('a', 'c').ofLengthBetween(1, 2),
                strings().allPossible().ofLengthBetween(0, 12),
                lists().of(integers().between(0, 0xFFFF)).ofSizeBetween(0, 6).map(TerminalHistorySerializerTest::chars),
                longs().between(0, 2_000).map(n -> Long.toString(1_234_000 + n)),
                longs().all().map(n -> "x" + n));
        Gen<Long> times = Generate.oneOf(
                longs().between(T0, T0 + 60L * DAY),
                longs().between(T0 / 3_600_000, T0 / 3_600_000 + 5).map(hr -> hr * 3_600_000), // many equal times
                longs().all(),
                Generate.pick(List.of(Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1, T0, 0L)));
        Gen<Long> ats = Generate.oneOf(
                Generate.pick(List.of(7 * DAY, 0L, -1L, 1L)),
                longs().between(-DAY, 10 * DAY),
                longs().all());
        Gen<Op> ops = integers().between(0, 99).zip(accounts, ids, times, (k, a, i, t) -> new Op(k, a, i, t, 0, false, -1))
                .zip(ats, integers().between(0, 1), integers().between(-5, 100), (op, at, fraud, ref) -> op.with(at, fraud == 1, ref));
        return lists().of(ops).ofSizeBetween(0, 150);
    }

    private static String chars(List<Integer> cs) {
        StringBuilder b = new StringBuilder();
        for (int c : cs) {
            b.append((char) c);
        }
        return b.toString();
    }

    private static long extremeLong(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> Long.MIN_VALUE + r.nextInt(3);
            case 1 -> Long.MAX_VALUE - r.nextInt(3);
            case 2 -> r.nextInt(-3, 4);
            case 3 -> T0 + r.nextLong(90 * DAY);
            default -> r.nextLong();
        };
    }

    /** 0: ascending with any gaps; 1: ascending with equal times; 2 and 3: any order. */
    private static void shapeTimes(long[] times, int shape, SplittableRandom r) {
        if (shape == 0) {
            Arrays.sort(times);
        } else if (shape == 1) {
            for (int i = 1; i < times.length; i++) {
                times[i] = times[i - 1] + r.nextInt(3) * 1000L;
            }
        }
    }

    /** Sorts the label columns by time, stably, as the history keeps them. */
    private static void sortLabels(TerminalHistory h) {
        Integer[] order = new Integer[h.labelTimes.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> h.labelTimes[i]));
        long[] times = new long[order.length];
        String[] keys = new String[order.length];
        long[] at = new long[order.length];
        boolean[] fraud = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            times[i] = h.labelTimes[order[i]];
            keys[i] = h.labelKeys[order[i]];
            at[i] = h.labelledAt[order[i]];
            fraud[i] = h.labelFraud[order[i]];
        }
        h.labelTimes = times;
        h.labelKeys = keys;
        h.labelledAt = at;
        h.labelFraud = fraud;
    }

    private static String anyKey(SplittableRandom r, String prev) {
        switch (r.nextInt(6)) {
            case 0:
                return null;
            case 1: {
                StringBuilder b = new StringBuilder();
                for (int i = r.nextInt(8); i > 0; i--) {
                    b.append((char) r.nextInt(0x10000));
                }
                return b.toString();
            }
            case 2:
                return prev; // the same identity again (a repeat at another time)
            case 3:
                return "";
            case 4:
                return TerminalHistory.identity("acct-" + r.nextInt(5), Long.toString(r.nextLong(1L << 62)));
            default:
                return TerminalHistory.identity("\u00e9\uD83D\uDE00", "demo-1700000000000-" + r.nextInt(20));
        }
    }


    /** Serializes, deserializes and checks the copy equals array by array, and that copying the bytes copies them exactly. */
    private static TerminalHistory roundTrip(TerminalHistory h) {
        TerminalHistory back = RecordSerializerContract.roundTrip(S, h, TerminalHistorySerializerTest::assertSameHistory);
        try {
            assertSameHistory(S.deserialize(new TerminalHistory(), new DataInputDeserializer(bytes(h))), h);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        TerminalHistory c = S.copy(h);
        assertThat(c.times).isNotSameAs(h.times);
        assertThat(c.labelKeys).isNotSameAs(h.labelKeys);
        return back;
    }

    private static void assertSameHistory(TerminalHistory got, TerminalHistory want) {
        assertThat(got.times).as("times").containsExactly(want.times);
        assertThat(got.keys).as("keys").containsExactly(want.keys);
        assertThat(got.labelTimes).as("labelTimes").containsExactly(want.labelTimes);
        assertThat(got.labelKeys).as("labelKeys").containsExactly(want.labelKeys);
        assertThat(got.labelledAt).as("labelledAt").containsExactly(want.labelledAt);
        assertThat(knownAt(got)).as("knownAt").containsExactly(knownAt(want));
        assertThat(got.labelFraud).as("labelFraud").containsExactly(want.labelFraud);
    }

    /** The known-at column as the history answers it (a history written before the column: known when made). */
    private static long[] knownAt(TerminalHistory h) {
        long[] k = new long[h.labelTimes.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = h.knownAt(i);
        }
        return k;
    }

    private static boolean sameHistory(TerminalHistory a, TerminalHistory b) {
        return Arrays.equals(a.times, b.times) && Arrays.equals(a.keys, b.keys)
                && Arrays.equals(a.labelTimes, b.labelTimes) && Arrays.equals(a.labelKeys, b.labelKeys)
                && Arrays.equals(a.labelledAt, b.labelledAt) && Arrays.equals(knownAt(a), knownAt(b))
                && Arrays.equals(a.labelFraud, b.labelFraud);
    }

    private static long[] bits(double[] xs) {
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = Double.doubleToRawLongBits(xs[i]);
        }
        return out;
    }

    private static byte[] bytes(TerminalHistory value) {
        return RecordSerializerContract.bytes(S, value);
    }
}
