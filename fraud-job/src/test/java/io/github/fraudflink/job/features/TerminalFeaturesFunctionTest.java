package io.github.fraudflink.job.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.features.TerminalHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The terminal stage under Flink's two-input operator test harness (RocksDB and heap): random transactions and labels
 * (late, early, reversed, repeated, ids shared by accounts, transactions without a terminal) merged in random
 * interleavings, against a brute-force reference over the whole input; snapshot and restore mid-stream; steady state
 * without holding; state and timers cleaned up.
 */
class TerminalFeaturesFunctionTest {
    private static final long DAY = TerminalFeatures.DAY;
    private static final Duration DELAY = Duration.ofDays(7);
    private static final Duration LAG = Duration.ofMinutes(1);
    private static final Duration TTL = Duration.ofDays(38);
    /** How far out of order each input may be; its watermark trails its largest time by this. */
    private static final long DISORDER = 3_600_000L;
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final TerminalFeatures FEATURES = new TerminalFeatures(DELAY, LAG, 10_000);

    private static KeyedTwoInputStreamOperatorTestHarness<String, FeaturizedTransaction, Label, FeaturizedTransaction>
            harness(boolean rocks) throws Exception {
        return TerminalStageHarness.of(new TerminalFeaturesFunction(FEATURES, TTL, MAX_WAIT), rocks);
    }

    /** One input event: a transaction or a label, with the time its input is ordered by. */
    private record Event(Transaction tx, Label label, long time) {}

    private static final class Inputs {
        final List<Transaction> txs = new ArrayList<>();
        final List<Label> labels = new ArrayList<>();
    }

    private static Inputs generate(Random r, int n) {
        Inputs in = new Inputs();
        long clock = 1_530_000_000_000L;
        for (int i = 0; i < n; i++) {
            clock += (long) (r.nextDouble() * DAY / 6);
            Transaction tx = new Transaction("t" + (r.nextDouble() < 0.05 ? r.nextInt(i + 1) : i),
                    r.nextDouble() < 0.15 ? "acct-b" : "acct-a", clock - (long) (r.nextDouble() * DISORDER / 2), 10);
            double u = r.nextDouble();
            tx.terminalId = u < 0.1 ? null : "term-" + r.nextInt(3);
            tx.merchantId = u < 0.05 ? "merchant-1" : null;
            tx.ingestTime = tx.eventTime;
            in.txs.add(tx);
            if (r.nextDouble() < 0.05) {
                in.txs.add(tx); // a repeat
            }
            for (int k = r.nextInt(3); k > 0; k--) {
                Label l = new Label();
                l.transactionId = tx.transactionId;
                l.accountId = tx.accountId;
                l.terminalId = tx.terminalId != null ? tx.terminalId : tx.merchantId;
                l.eventTime = tx.eventTime;
                l.isFraud = r.nextDouble() < 0.4;
                l.labelledAt = tx.eventTime + (long) (r.nextDouble() * 12 * DAY);
                l.source = "test";
                in.labels.add(l);
            }
        }
        return in;
    }

    /** The brute-force features of every transaction: the definition over the whole input of its terminal. */
    private static Map<String, double[]> reference(Inputs in) {
        Map<String, double[]> out = new HashMap<>();
        for (Transaction tx : in.txs) {
            String key = tx.terminalId != null ? tx.terminalId : tx.merchantId;
            double[] v = new double[TerminalFeatures.size()];
            if (key != null) {
                long upper = tx.eventTime - DELAY.toMillis();
                List<Transaction> same = in.txs.stream().filter(x -> key.equals(x.terminalId != null ? x.terminalId : x.merchantId))
                        .filter(x -> x.eventTime <= upper && x.eventTime > upper - 30 * DAY)
                        .map(x -> x.accountId + "/" + x.transactionId + "/" + x.eventTime).distinct()
                        .map(s -> in.txs.stream().filter(x -> (x.accountId + "/" + x.transactionId + "/" + x.eventTime).equals(s)).findFirst().get())
                        .toList();
                int n = TerminalFeatures.WINDOW_DAYS.length;
                long first = Long.MAX_VALUE;
                long last = Long.MIN_VALUE;
                for (int w = 0; w < n; w++) {
                    long lower = upper - TerminalFeatures.WINDOW_DAYS[w] * DAY;
                    int count = 0;
                    int frauds = 0;
                    for (Transaction x : same) {
                        if (x.eventTime > lower) {
                            count++;
                            Label best = null;
                            for (Label l : in.labels) {
                                if (l.accountId.equals(x.accountId) && l.transactionId.equals(x.transactionId)
                                        && l.eventTime == x.eventTime && key.equals(l.terminalId)
                                        && l.labelledAt <= tx.eventTime - LAG.toMillis()
                                        && (best == null || l.labelledAt > best.labelledAt || (l.labelledAt == best.labelledAt && l.isFraud))) {
                                    best = l;
                                }
                            }
                            if (best != null && best.isFraud) {
                                frauds++;
                                first = Math.min(first, x.eventTime);
                                last = Math.max(last, x.eventTime);
                            }
                        }
                    }
                    v[2 * w] = count;
                    v[2 * w + 1] = count == 0 ? 0 : (double) frauds / count;
                    v[2 * n + w] = frauds;
                }
                v[3 * n] = first == Long.MAX_VALUE ? 0 : (double) (tx.eventTime - first) / DAY;
                v[3 * n + 1] = last == Long.MIN_VALUE ? 0 : (double) (tx.eventTime - last) / DAY;
                // the recent known frauds: from the terminal's labels alone, by the labelled transaction's event time
                long t = tx.eventTime;
                List<String> recent = new ArrayList<>();
                long latest = Long.MIN_VALUE;
                for (Label l : in.labels) {
                    String ident = l.accountId + "/" + l.transactionId + "/" + l.eventTime;
                    if (!key.equals(l.terminalId) || l.eventTime <= t - 30 * DAY || l.eventTime > t || recent.contains(ident)) {
                        continue;
                    }
                    Label best = null;
                    for (Label o : in.labels) {
                        if ((o.accountId + "/" + o.transactionId + "/" + o.eventTime).equals(ident) && key.equals(o.terminalId)
                                && o.labelledAt <= t - LAG.toMillis()
                                && (best == null || o.labelledAt > best.labelledAt || (o.labelledAt == best.labelledAt && o.isFraud))) {
                            best = o;
                        }
                    }
                    if (best != null && best.isFraud) {
                        recent.add(ident);
                        latest = Math.max(latest, l.eventTime);
                        v[3 * n + 2] += l.eventTime > t - DAY ? 1 : 0;
                        v[3 * n + 3] += l.eventTime > t - 7 * DAY ? 1 : 0;
                    }
                }
                v[3 * n + 4] = latest == Long.MIN_VALUE ? 30 : (double) (t - latest) / DAY;
            } else {
                v = TerminalFeatures.empty();
            }
            out.put(id(tx), v);
        }
        return out;
    }

    private static String id(Transaction tx) {
        return tx.accountId + "/" + tx.transactionId + "/" + tx.eventTime;
    }

    /** Each input in its own order (by time, shuffled within the disorder bound), the two merged at random. */
    private static List<Event> interleave(Inputs in, Random r) {
        List<Event> a = new ArrayList<>();
        in.txs.forEach(t -> a.add(new Event(t, null, t.eventTime)));
        List<Event> b = new ArrayList<>();
        in.labels.forEach(l -> b.add(new Event(null, l, TerminalFeaturesFunction.labelTimestamp(l, DELAY, LAG))));
        disorder(a, r);
        disorder(b, r);
        List<Event> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            boolean takeA = j >= b.size() || (i < a.size() && r.nextBoolean());
            out.add(takeA ? a.get(i++) : b.get(j++));
        }
        return out;
    }

    private static void disorder(List<Event> events, Random r) {
        events.sort(Comparator.comparingLong(Event::time));
        for (int k = 0; k + 1 < events.size(); k++) {
            if (r.nextDouble() < 0.3 && events.get(k + 1).time() - events.get(k).time() < DISORDER / 2) {
                java.util.Collections.swap(events, k, k + 1);
            }
        }
    }

    /** Feeds events from {@code from}, each input's watermark trailing its largest time by the disorder bound. */
    private static void feed(KeyedTwoInputStreamOperatorTestHarness<String, FeaturizedTransaction, Label, FeaturizedTransaction> h,
            List<Event> events, int from, int to, long[] maxSeen) throws Exception {
        for (int k = from; k < to; k++) {
            Event e = events.get(k);
            if (e.tx() != null) {
                h.processElement1(new StreamRecord<>(new FeaturizedTransaction(e.tx(), new double[] {e.tx().amount}, false), e.time()));
                maxSeen[0] = Math.max(maxSeen[0], e.time());
                h.processWatermark1(new Watermark(maxSeen[0] - DISORDER));
            } else {
                h.processElement2(new StreamRecord<>(e.label(), e.time()));
                maxSeen[1] = Math.max(maxSeen[1], e.time());
                h.processWatermark2(new Watermark(maxSeen[1] - DISORDER));
            }
        }
    }

    private static Map<String, double[]> outputs(java.util.Collection<?> output) {
        Map<String, double[]> out = new TreeMap<>();
        for (Object o : output) {
            if (o instanceof StreamRecord<?> sr) {
                FeaturizedTransaction f = (FeaturizedTransaction) sr.getValue();
                assertThat(f.features[0]).isEqualTo(f.transaction.amount); // the account features come first
                double[] prev = out.put(id(f.transaction), Arrays.copyOfRange(f.features, 1, f.features.length));
                if (prev != null) { // a repeat: the same values
                    assertThat(prev).containsExactly(out.get(id(f.transaction)));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void anyInterleavingAndARestoreGiveTheBruteForceFeatures(int seed) throws Exception {
        Random r = new Random(seed);
        Inputs in = generate(r, 300);
        Map<String, double[]> want = reference(in);
        boolean rocks = seed % 2 == 0;

        // one uninterrupted run
        List<Event> first = interleave(in, r);
        Map<String, double[]> uninterrupted;
        try (var h = harness(rocks)) {
            h.open();
            feed(h, first, 0, first.size(), new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            uninterrupted = outputs(h.getOutput());
            assertThat(h.numEventTimeTimers()).as("no timer left").isZero();
        }
        assertThat(uninterrupted.keySet()).isEqualTo(want.keySet());
        int nonZero = 0;
        for (Map.Entry<String, double[]> e : want.entrySet()) {
            assertThat(uninterrupted.get(e.getKey())).as("seed %d, %s", seed, e.getKey()).containsExactly(e.getValue());
            nonZero += e.getValue()[5] > 0 ? 1 : 0;
        }
        assertThat(nonZero).as("known frauds exercised").isPositive();

        // another interleaving, snapshotted in the middle and restored into a new operator
        List<Event> second = interleave(in, r);
        int cut = second.size() / 2;
        long[] maxSeen = {Long.MIN_VALUE, Long.MIN_VALUE};
        List<Object> output = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(rocks)) {
            h.open();
            feed(h, second, 0, cut, maxSeen);
            snapshot = h.snapshot(1, 1);
            output.addAll(h.getOutput());
        }
        try (var h = harness(rocks)) {
            h.initializeState(snapshot);
            h.open();
            feed(h, second, cut, second.size(), maxSeen);
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            output.addAll(h.getOutput());
        }
        Map<String, double[]> restored = outputs(output);
        assertThat(restored.keySet()).isEqualTo(uninterrupted.keySet());
        restored.forEach((k, v) -> assertThat(v).as(k).containsExactly(uninterrupted.get(k)));
    }

    @Test
    void aLiveTransactionIsNotHeldWhenTheLabelsAreFlowingAndIsHeldWhileTheyLag() throws Exception {
        long now = 1_700_000_000_000L;
        try (var h = harness(true)) {
            h.open();
            Transaction old = tx("a", "t-old", now - 8 * DAY);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(old, new double[] {10}, false)));
            // labels flowing: one known a second ago moves the labels' watermark; the transactions' is at now - 1 min
            h.processWatermark1(new Watermark(now - 60_000));
            Label fraud = label(old, true, now - 1_000);
            h.processElement2(new StreamRecord<>(fraud, TerminalFeaturesFunction.labelTimestamp(fraud, DELAY, LAG)));
            h.processWatermark2(new Watermark(TerminalFeaturesFunction.labelTimestamp(fraud, DELAY, LAG) - 5_000));
            h.getOutput().clear();

            Transaction live = tx("a", "t-live", now);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(live, new double[] {10}, false)));
            assertThat(outputs(h.getOutput())).as("computed at once").hasSize(1);
            // the label is not known by now - L: the transaction is in the 7- and 30-day windows, not yet a fraud
            assertThat(outputs(h.getOutput()).get(id(live))).containsExactly(0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 30);
            assertThat(h.numEventTimeTimers()).isZero();

            // labels stall: a transaction two minutes later waits for them
            h.getOutput().clear();
            Transaction later = tx("a", "t-later", now + 120_000);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(later, new double[] {10}, false)));
            assertThat(outputs(h.getOutput())).as("held").isEmpty();
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            // a label known at now + 61 s arrives and the labels' watermark passes later - L: released, the fraud counts
            Label next = label(tx("b", "t-other", now - 9 * DAY), false, now + 61_000);
            h.processElement2(new StreamRecord<>(next, TerminalFeaturesFunction.labelTimestamp(next, DELAY, LAG)));
            h.processWatermark2(new Watermark(TerminalFeaturesFunction.labelTimestamp(next, DELAY, LAG)));
            double age = (later.eventTime - old.eventTime) / (double) DAY; // "old", the one known fraud, 8 days and 2 min before
            assertThat(outputs(h.getOutput()).get(id(later))).containsExactly(0, 0, 1, 1, 1, 1, 0, 1, 1, age, age, 0, 0, age);
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).as("the hold's deadline is gone with it").isZero();
        }
    }

    @Test
    void aTransactionHeldByAStoppedWatermarkLeavesAfterTheMaximumWait() throws Exception {
        try (var h = harness(true)) {
            h.open();
            h.setProcessingTime(1_000);
            Transaction a = tx("a", "t1", 1_700_000_000_000L);
            Transaction b = tx("a", "t2", 1_700_000_060_000L);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(a, new double[] {10}, false)));
            h.setProcessingTime(5_000);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(b, new double[] {10}, false)));
            assertThat(outputs(h.getOutput())).isEmpty();
            assertThat(h.numProcessingTimeTimers()).as("one deadline per terminal").isOne();
            h.setProcessingTime(1_000 + MAX_WAIT.toMillis());
            assertThat(outputs(h.getOutput())).containsOnlyKeys(id(a), id(b));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numProcessingTimeTimers()).isZero();
            // a watermark that comes later finds nothing left to release
            h.processWatermark1(new Watermark(Long.MAX_VALUE));
            h.processWatermark2(new Watermark(Long.MAX_VALUE));
            assertThat(outputs(h.getOutput())).hasSize(2);
        }
    }

    /** The labels' out-of-orderness in {@link #clocked}. */
    private static final Duration LABELS_OOO = Duration.ofSeconds(5);

    /**
     * The terminal stage with its clock: silence after 10 s, a silent labels input following the transactions (whose
     * watermarks here are their newest event time: no out-of-orderness).
     */
    private static KeyedTwoInputStreamOperatorTestHarness<String, FeaturizedTransaction, Label, FeaturizedTransaction> clocked()
            throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new TerminalStageClock<>(new TerminalFeaturesFunction(FEATURES, TTL, Duration.ofHours(1)),
                        Duration.ofSeconds(10), LAG.minus(LABELS_OOO).minus(DELAY)),
                new TerminalFeaturesFunction.TransactionKey(), new TerminalFeaturesFunction.LabelKey(), Types.STRING);
    }

    @Test
    void aSilentLabelsInputFollowsTheTransactionsAndSpeakingAgainMakesItCount() throws Exception {
        // the labels input never says anything (a partition without records since a restore): after the silence its
        // watermark follows the transactions', which releases them by event time, not by the maximum wait
        try (var h = clocked()) {
            h.setProcessingTime(0);
            h.open();
            Transaction a = tx("a", "t1", 1_700_000_000_000L);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(a, new double[] {10}, false)));
            h.processWatermark1(new Watermark(a.eventTime));
            assertThat(outputs(h.getOutput())).as("held: the labels input has said nothing yet").isEmpty();
            h.setProcessingTime(9_000);
            assertThat(outputs(h.getOutput())).isEmpty();
            h.setProcessingTime(10_000);
            assertThat(outputs(h.getOutput())).as("released: the silent labels follow the transactions").containsOnlyKeys(id(a));
            // labels speak again: a transaction later than their watermark waits for them once more
            h.getOutput().clear();
            Label l = label(a, true, a.eventTime + 60_000);
            long ts = TerminalFeaturesFunction.labelTimestamp(l, DELAY, LAG);
            h.processElement2(new StreamRecord<>(l, ts));
            h.processWatermark2(new Watermark(ts));
            Transaction b = tx("a", "t2", a.eventTime + 8 * DAY);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(b, new double[] {10}, false)));
            h.processWatermark1(new Watermark(b.eventTime));
            assertThat(outputs(h.getOutput())).as("held again").isEmpty();
            Label later = label(tx("a", "t0", a.eventTime - DAY), false, b.eventTime);
            long ts2 = TerminalFeaturesFunction.labelTimestamp(later, DELAY, LAG);
            h.processElement2(new StreamRecord<>(later, ts2));
            h.processWatermark2(new Watermark(ts2));
            // "a", 8 days before "b", is a known fraud: the first and the last, 8 days old
            assertThat(outputs(h.getOutput()).get(id(b))).containsExactly(0, 0, 1, 1, 1, 1, 0, 1, 1, 8, 8, 0, 0, 8);
        }
    }

    @Test
    void afterAPauseOfTheLabelsALabelOnTimeStillCountsForTheTransactionThatNeedsIt() throws Exception {
        // live: transactions every second, labels known when sent; the labels pause, then one comes back on time
        try (var h = clocked()) {
            h.setProcessingTime(0);
            h.open();
            long t0 = 1_700_000_000_000L;
            Transaction fraud = tx("a", "f", t0 - 8 * DAY); // the transaction the label will be of
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(fraud, new double[] {10}, false)));
            for (int s = 0; s <= 60; s++) { // a minute of transactions, labels silent: after 10 s nothing waits for them
                h.setProcessingTime(s * 1_000L);
                Transaction x = tx("a", "x" + s, t0 + s * 1_000L);
                h.processElement1(new StreamRecord<>(new FeaturizedTransaction(x, new double[] {10}, false)));
                h.processWatermark1(new Watermark(x.eventTime));
            }
            assertThat(outputs(h.getOutput())).as("all computed while the labels were silent").hasSize(62);
            h.getOutput().clear();
            // the labels come back: a label known at t0 + 61 s, on time (within their out-of-orderness of the
            // transactions' frontier), reaches the stage just after the transaction that needs it (t0 + 61 s + L)
            Transaction needs = tx("a", "n", t0 + 61_000 + LAG.toMillis());
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(needs, new double[] {10}, false)));
            assertThat(outputs(h.getOutput())).as("held: a label known by t - L may still be on its way").isEmpty();
            Label back = label(fraud, true, t0 - DAY);
            back.knownAt = t0 + 61_000;
            long ts = TerminalFeaturesFunction.labelTimestamp(back, DELAY, LAG);
            h.processElement2(new StreamRecord<>(back, ts));
            h.processWatermark2(new Watermark(ts));
            double age = 8 + (61_000.0 + LAG.toMillis()) / DAY;
            assertThat(outputs(h.getOutput()).get(id(needs))).as("the label counts: alignment survived the pause")
                    .containsExactly(0, 0, 1, 1, 1, 1, 0, 1, 1, age, age, 0, 0, age);
        }
    }

    @Test
    void aRestoreOfAFollowingLabelsInputFollowsAtOnce() throws Exception {
        Transaction a = tx("a", "t1", 1_700_000_000_000L);
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState following;
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState flowing;
        try (var h = clocked()) {
            h.setProcessingTime(0);
            h.open();
            h.processWatermark1(new Watermark(a.eventTime - 1_000));
            flowing = h.snapshot(1, 0); // the labels not silent yet
            h.setProcessingTime(10_000);
            following = h.snapshot(2, 10_000);
        }
        try (var h = clocked()) {
            h.setProcessingTime(0);
            h.initializeState(following);
            h.open();
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(a, new double[] {10}, false)));
            h.processWatermark1(new Watermark(a.eventTime));
            assertThat(outputs(h.getOutput())).as("restored following: no wait").containsOnlyKeys(id(a));
        }
        try (var h = clocked()) {
            h.setProcessingTime(0);
            h.initializeState(flowing);
            h.open();
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(a, new double[] {10}, false)));
            h.processWatermark1(new Watermark(a.eventTime));
            assertThat(outputs(h.getOutput())).as("restored while labels flowed: waits for them").isEmpty();
            h.setProcessingTime(10_000);
            assertThat(outputs(h.getOutput())).containsOnlyKeys(id(a));
        }
    }

    @Test
    void aTransactionWithoutTerminalGetsTheEmptyWindowValuesAndNoState() throws Exception {
        try (var h = harness(false)) {
            h.open();
            Transaction t = tx(null, "t1", 1_700_000_000_000L);
            h.processElement1(new StreamRecord<>(new FeaturizedTransaction(t, new double[] {10}, false)));
            assertThat(outputs(h.getOutput()).get(id(t))).containsExactly(TerminalFeatures.empty());
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void historyStaysWithinTheWindowAndSmall() throws Exception {
        // a terminal at the handbook's rate (about one transaction a day), every transaction labelled 7 days later,
        // for 200 days: the history keeps what d + 30 days need and nothing more
        TerminalHistory h = new TerminalHistory();
        long t0 = 1_530_000_000_000L;
        for (int d = 0; d < 200; d++) {
            long t = t0 + d * DAY;
            FEATURES.addTransaction(h, "acct", "t" + d, t);
            FEATURES.addLabel(h, "acct", "t" + d, t, d % 30 == 0, t + 7 * DAY);
            FEATURES.expire(h, t);
        }
        assertThat(h.size()).isBetween(37, 38);
        assertThat(h.labels()).isBetween(37, 38);
        // the state's own serializer, as RocksDB stores it
        var d = TerminalFeaturesFunction.historyDescriptor(java.time.Duration.ofDays(40));
        var out = new org.apache.flink.core.memory.DataOutputSerializer(4096);
        d.getSerializer().serialize(h, out);
        System.out.printf("terminal state at one transaction a day: %d transactions, %d labels, %d bytes%n",
                h.size(), h.labels(), out.length());
        assertThat(out.length()).as("bytes of a terminal's state").isLessThan(1024);
    }

    private static Transaction tx(String terminal, String id, long time) {
        Transaction t = new Transaction(id, "acct", time, 10);
        t.terminalId = terminal;
        t.ingestTime = time;
        return t;
    }

    private static Label label(Transaction tx, boolean fraud, long at) {
        return Label.of(tx, fraud, at, "test");
    }
}
