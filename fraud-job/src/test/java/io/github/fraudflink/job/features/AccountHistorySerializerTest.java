package io.github.fraudflink.job.features;

import io.github.fraudflink.job.records.RecordSerializerContract;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.FeatureResult;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.job.FraudScoringJob;
import io.github.fraudflink.job.records.FeaturizedTransaction;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link AccountHistorySerializer}: exact round trips of generated histories (through the real features and raw
 * extreme arrays), Flink's serializer contract, restore of state written by the former POJO serializer, and the
 * measured size at the handbook's rate.
 */
class AccountHistorySerializerTest {
    private static final AccountHistorySerializer S = AccountHistorySerializer.INSTANCE;
    private static final long T0 = 1_530_000_000_000L;
    private static final long DAY = AccountFeatures.DAY;

    record Tx(String id, long time, double amount) {}

    // ---------------------------------------------------------------------------------------------------------------
    // exactness

    /**
     * The job's flow: per event the history is read back from bytes, the features applied, and it is written again.
     * The deserialized history equals the original bit for bit and gives bit-identical features.
     */
    @Test
    void historiesBuiltByTheFeaturesRoundTripExactly() {
        qt().withExamples(300).forAll(sequences(), integers().between(1, 120), longs().between(0, 3 * DAY))
                .checkAssert((txs, maxHistory, slack) -> {
                    AccountFeatures f = new AccountFeatures(Duration.ofMillis(slack), maxHistory);
                    AccountHistory h = new AccountHistory();
                    AccountHistory viaBytes = new AccountHistory();
                    for (Tx tx : txs) {
                        viaBytes = roundTrip(viaBytes);
                        FeatureResult want = f.apply(h, tx.id(), tx.time(), tx.amount());
                        FeatureResult got = f.apply(viaBytes, tx.id(), tx.time(), tx.amount());
                        assertThat(bits(got.values())).as("features of %s", tx).containsExactly(bits(want.values()));
                        assertThat(got.duplicate()).isEqualTo(want.duplicate());
                        assertSameHistory(viaBytes, h);
                    }
                    roundTrip(h);
                });
    }

    @Test
    void rawArraysWithExtremeValuesRoundTripExactly() {
        Gen<Integer> sizes = integers().between(0, 40);
        qt().withExamples(1000).forAll(sizes, longs().all(), longs().all(), integers().between(0, 3))
                .checkAssert((n, seed, nextSeq, timeShape) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    AccountHistory h = new AccountHistory();
                    h.times = new long[n];
                    h.amounts = new double[n];
                    h.seqs = new long[n];
                    h.ids = new String[n];
                    for (int i = 0; i < n; i++) {
                        h.times[i] = extremeLong(r);
                        h.amounts[i] = anyDouble(r);
                        h.seqs[i] = r.nextInt(3) == 0 ? extremeLong(r) : nextSeq - n + i + r.nextInt(-2, 3);
                        h.ids[i] = anyId(r, i == 0 ? null : h.ids[i - 1]);
                    }
                    if (timeShape == 0) {
                        Arrays.sort(h.times); // ascending, as the history keeps them, with any gaps
                    } else if (timeShape == 1) {
                        for (int i = 1; i < n; i++) { // ascending with equal times and multiples of a unit
                            h.times[i] = h.times[i - 1] + r.nextInt(3) * 1000L;
                        }
                    }
                    h.nextSeq = nextSeq;
                    h.maxEventTime = n > 0 && r.nextBoolean() ? h.times[n - 1] : extremeLong(r);
                    roundTrip(h);
                });
    }

    @Test
    void edgeCasesRoundTripExactly() {
        roundTrip(new AccountHistory());
        AccountHistory h = history(
                new long[] {Long.MIN_VALUE, Long.MIN_VALUE, -1, 0, 0, Long.MAX_VALUE, Long.MAX_VALUE},
                new double[] {Double.NaN, Double.longBitsToDouble(0x7FF0_0000_0000_0001L), -0.0, 0.0, 0.001,
                    Double.MAX_VALUE, -Double.MIN_VALUE},
                new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0, -1, 5, 4, Long.MIN_VALUE},
                new String[] {"\uD800", "\uD800\uDC00x", "\uDC00", null, "", "999999999999999999", "1000000000000000000"});
        h.nextSeq = Long.MIN_VALUE;
        h.maxEventTime = Long.MIN_VALUE;
        roundTrip(h);
        h.maxEventTime = Long.MAX_VALUE;
        h.nextSeq = Long.MAX_VALUE;
        roundTrip(h);
        // numeric ids: leading zeros, a digit run starting the id, over 18 digits, descending, crossing a digit count
        roundTrip(history(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, new double[] {1, 2, 3, 4, 5, 6, 7, 8},
                new long[] {0, 1, 2, 3, 4, 5, 6, 7},
                new String[] {"tx-9", "tx-10", "tx-010", "tx-8", "9", "10", "1234567890123456789", "0"}));
        // times ascending except one: the fall-back to wrapped deltas
        roundTrip(history(new long[] {5, Long.MAX_VALUE, Long.MIN_VALUE, 0}, new double[4], new long[4], new String[4]));
    }

    /**
     * Format version 1, byte for byte: state in checkpoints and savepoints must restore whatever the code that reads
     * it, so a change of the bytes needs a new version. The history mixes every id encoding (numeric steps up and
     * down, a shared prefix, a literal, a missing id, a number crossing a digit count) and every time and amount form.
     */
    @Test
    void formatVersionOneIsPinned() {
        AccountHistory h = history(new long[] {1_530_000_000_000L, 1_530_000_060_000L, 1_530_000_120_000L,
                1_530_000_120_000L, 1_530_000_180_000L, 1_530_000_240_000L, 1_530_000_300_000L},
                new double[] {12.5, 0.01, 1e9, Double.NaN, 57.16, 3.0, 0.333},
                new long[] {10, 11, 12, 14, 15, 16, 17},
                new String[] {"tx-99", "tx-100", "tx-98", "tx-a", null, "9", "10"});
        h.nextSeq = 18;
        h.maxEventTime = 1_530_000_300_000L;
        assertThat(java.util.HexFormat.of().formatHex(bytes(h))).isEqualTo("0107248090dab18759e0d40301010001010101020204020202c4130280a0b787e905017ff8000000000000a859d804013fd54fdf3b645a1d000674782d3939050706026100000002390500");
    }

    @Test
    void copiesAreDeepAndDeserializedStateIsIndependent() throws IOException {
        AccountHistory h = history(new long[] {1, 2}, new double[] {1.5, 2.5}, new long[] {0, 1}, new String[] {"a", "b"});
        AccountHistory c = S.copy(h);
        assertSameHistory(c, h);
        assertThat(c.times).isNotSameAs(h.times);
        assertThat(c.amounts).isNotSameAs(h.amounts);
        assertThat(c.seqs).isNotSameAs(h.seqs);
        assertThat(c.ids).isNotSameAs(h.ids);
        assertThat(S.createInstance().size()).isZero();
        assertThat(S.createInstance().maxEventTime).isEqualTo(Long.MIN_VALUE);
        assertThat(S.getLength()).isEqualTo(-1);
        byte[] bytes = bytes(h);
        assertThat(bytes[0]).as("format version first").isEqualTo((byte) AccountHistorySerializer.FORMAT_VERSION);
        bytes[0] = 99;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class).hasMessageContaining("format 99 by a newer release");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // restoring state written before this serializer

    /** Writes the history as the job did before {@link AccountHistorySerializer}: Flink's POJO serializer. */
    static final class PojoStateFunction extends KeyedProcessFunction<String, Transaction, FeaturizedTransaction> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<AccountHistory> history;

        @Override
        public void open(OpenContext ctx) {
            ValueStateDescriptor<AccountHistory> d =
                    new ValueStateDescriptor<>("account-history", TypeInformation.of(AccountHistory.class));
            d.enableTimeToLive(AccountFeaturesFunction.idleTtl(Duration.ofDays(31)));
            history = getRuntimeContext().getState(d);
        }

        @Override
        public void processElement(Transaction tx, Context ctx, Collector<FeaturizedTransaction> out) throws Exception {
            AccountHistory h = history.value();
            if (h == null) {
                h = new AccountHistory();
            }
            FeatureResult r = new AccountFeatures().apply(h, tx);
            if (!r.duplicate()) {
                history.update(h);
            }
            out.collect(new FeaturizedTransaction(tx, r.values(), r.duplicate()));
        }
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {true, false})
    void restoresStateWrittenByThePojoSerializer(boolean rocks) throws Exception {
        List<Transaction> evs = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 400; i++) {
            long t = T0 + i * 600_000L - (r.nextInt(8) == 0 ? r.nextLong(7_200_000) : 0);
            String id = r.nextInt(15) == 0 && i > 0 ? evs.get(i - 1).transactionId : Integer.toString(1_000_000 + i);
            evs.add(new Transaction(id, "acct-" + r.nextInt(4), t, r.nextInt(1, 30_000) / 100.0));
        }
        AccountFeatures f = new AccountFeatures();
        Map<String, AccountHistory> hs = new HashMap<>();
        List<double[]> want = new ArrayList<>();
        for (Transaction t : evs) {
            want.add(f.apply(hs.computeIfAbsent(t.accountId, k -> new AccountHistory()), t).values());
        }

        List<double[]> got = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(new PojoStateFunction(), rocks)) {
            h.open();
            for (int i = 0; i < 200; i++) {
                h.processElement(evs.get(i), evs.get(i).eventTime);
            }
            snapshot = h.snapshot(1L, 1L);
            got.addAll(features(h));
        }
        OperatorSubtaskState snapshot2;
        try (var h = harness(new AccountFeaturesFunction(f, Duration.ofDays(31)), rocks)) {
            h.initializeState(snapshot); // POJO bytes: compatible after migration
            h.open();
            for (int i = 200; i < 300; i++) {
                h.processElement(evs.get(i), evs.get(i).eventTime);
            }
            snapshot2 = h.snapshot(2L, 2L);
            got.addAll(features(h));
        }
        try (var h = harness(new AccountFeaturesFunction(f, Duration.ofDays(31)), rocks)) {
            h.initializeState(snapshot2); // this serializer's bytes: compatible as is
            h.open();
            for (int i = 300; i < evs.size(); i++) {
                h.processElement(evs.get(i), evs.get(i).eventTime);
            }
            got.addAll(features(h));
        }
        assertThat(got).hasSize(evs.size());
        for (int i = 0; i < evs.size(); i++) {
            assertThat(bits(got.get(i))).as("event %d", i).containsExactly(bits(want.get(i)));
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Transaction, FeaturizedTransaction> harness(
            KeyedProcessFunction<String, Transaction, FeaturizedTransaction> fn, boolean rocks) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                new FraudScoringJob.AccountKey(), Types.STRING);
        if (rocks) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static List<double[]> features(KeyedOneInputStreamOperatorTestHarness<?, ?, FeaturizedTransaction> h) {
        List<double[]> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> sr) {
                out.add(((FeaturizedTransaction) sr.getValue()).features);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // size

    /**
     * The budget: at most 1 KB per account at the handbook's rate (about 2 transactions a day, so ~60 in 30
     * days), with the handbook's integer ids and with demo-style ids; and no more than linear growth up to the
     * 1,000-entry bound.
     */
    @Test
    void anAccountAtTheHandbooksRateFitsInOneKilobyte() {
        TypeSerializer<AccountHistory> pojo = RecordSerializerContract.pojoSerializer(AccountHistory.class);
        for (String style : List.of("handbook", "demo")) {
            LongFunction<String> ids = style.equals("handbook") ? Long::toString : n -> "demo-1700000000000-" + n;
            List<AccountHistory> accounts = handbookRate(5_000, 30, 2.0, ids, 12);
            long sum = 0;
            long pojoSum = 0;
            long entries = 0;
            int max = 0;
            int maxAtMost60 = 0;
            for (AccountHistory h : accounts) {
                int size = bytes(h).length;
                sum += size;
                pojoSum += RecordSerializerContract.bytes(pojo, h).length;
                entries += h.size();
                max = Math.max(max, size);
                if (h.size() <= 60) {
                    maxAtMost60 = Math.max(maxAtMost60, size);
                }
            }
            double mean = (double) sum / accounts.size();
            System.out.printf("account history, %s ids, %d accounts, %.1f entries on average: %.1f bytes on average"
                            + " (%.2f per entry, max %d, max at <= 60 entries %d); POJO serializer %.1f bytes%n",
                    style, accounts.size(), (double) entries / accounts.size(), mean, (double) sum / entries, max,
                    maxAtMost60, (double) pojoSum / accounts.size());
            assertThat((double) entries / accounts.size()).isBetween(55.0, 65.0);
            assertThat(mean).isLessThanOrEqualTo(1024);
            assertThat(maxAtMost60).isLessThanOrEqualTo(1024);

            // the 1,000-entry bound: a hot account (~40 a day, so the count bound drops the oldest)
            double perEntryAt60 = (double) sum / entries;
            for (int n : new int[] {125, 250, 500, 1000}) {
                AccountHistory hot = handbookRate(1, 31, 40.0, ids, 13, n).get(0);
                assertThat(hot.size()).isEqualTo(n);
                int size = bytes(hot).length;
                System.out.printf("account history, %s ids, %d entries: %d bytes (%.2f per entry); POJO serializer %d%n",
                        style, n, size, (double) size / n, RecordSerializerContract.bytes(pojo, hot).length);
                assertThat((double) size / n).as("bytes per entry at %d entries", n).isLessThanOrEqualTo(perEntryAt60 * 1.1);
            }
        }
    }

    /**
     * Histories of {@code accounts} accounts after {@code days} days at {@code perDay} transactions a day each (Poisson),
     * as the handbook's simulator makes them: times in whole seconds around midday, amounts in cents around a
     * per-account mean between 5 and 100, ids from one counter in time order across all accounts.
     */
    private static List<AccountHistory> handbookRate(int accounts, int days, double perDay, LongFunction<String> ids,
            long seed) {
        return handbookRate(accounts, days, perDay, ids, seed, AccountFeatures.DEFAULT_MAX_HISTORY);
    }

    private static List<AccountHistory> handbookRate(int accounts, int days, double perDay, LongFunction<String> ids,
            long seed, int maxHistory) {
        SplittableRandom r = new SplittableRandom(seed);
        record Event(int account, long time, double amount) {}
        List<Event> events = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            double meanAmount = 5 + r.nextDouble() * 95;
            for (int d = 0; d < days; d++) {
                int k = RandomDraws.poisson(r, perDay);
                for (int j = 0; j < k; j++) {
                    long second = Math.round(43_200 + RandomDraws.gaussian(r) * 20_000);
                    if (second < 0 || second >= 86_400) {
                        continue;
                    }
                    double amount = meanAmount + RandomDraws.gaussian(r) * meanAmount / 2;
                    if (amount < 0) {
                        amount = r.nextDouble() * meanAmount * 2;
                    }
                    events.add(new Event(a, T0 + d * DAY + second * 1000, Math.round(amount * 100) / 100.0));
                }
            }
        }
        events.sort((x, y) -> Long.compare(x.time(), y.time()));
        AccountFeatures f = new AccountFeatures(AccountFeatures.DEFAULT_SLACK, maxHistory);
        List<AccountHistory> hs = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            hs.add(new AccountHistory());
        }
        long id = 1_234_567;
        for (Event e : events) {
            // one global counter; a single hot account still gets gaps, as if other accounts were interleaved
            id += accounts == 1 ? 1 + r.nextInt(500) : 1;
            f.apply(hs.get(e.account()), ids.apply(id), e.time(), e.amount());
        }
        return hs;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Flink's own serializer contract

    @Nested
    class FlinkSerializerContract extends RecordSerializerContract<AccountHistory> {
        FlinkSerializerContract() {
            super(AccountHistorySerializer.INSTANCE, AccountHistory.class, AccountHistorySerializerTest::sameHistory);
        }

        @Override
        protected AccountHistory[] getTestData() {
            AccountHistory extreme = history(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE},
                    new double[] {Double.NaN, -0.0, 57.16}, new long[] {7, 3, Long.MIN_VALUE},
                    new String[] {"\uDBFF", null, "1234567"});
            extreme.nextSeq = -5;
            extreme.maxEventTime = Long.MAX_VALUE;
            List<AccountHistory> handbook = handbookRate(3, 30, 2.0, Long::toString, 5);
            return new AccountHistory[] {new AccountHistory(), extreme, handbook.get(0), handbook.get(1), handbook.get(2)};
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // generators and helpers

    /** Transactions with any ids (arbitrary UTF-16 including unpaired surrogates, numeric, colliding), amounts and times. */
    private static Gen<List<Tx>> sequences() {
        Gen<String> ids = Generate.oneOf(
                strings().betweenCodePoints('a', 'c').ofLengthBetween(1, 3),
                strings().allPossible().ofLengthBetween(0, 12),
                lists().of(integers().between(0, 0xFFFF)).ofSizeBetween(0, 6).map(AccountHistorySerializerTest::chars),
                longs().between(0, 2_000).map(n -> Long.toString(1_234_000 + n)),
                longs().between(0, 2_000).map(n -> "demo-1700000000000-" + n),
                longs().all().map(n -> "x" + n));
        Gen<Double> amounts = Generate.oneOf(
                integers().between(-100_000, 100_000).map(c -> c / 100.0),
                longs().between(-(1L << 54), 1L << 54).map(c -> c / 100.0),
                doubles().any(),
                longs().all().map(Double::longBitsToDouble),
                Generate.pick(List.of(0.001, 0.005, 1e-300, -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e300, 57.16)));
        Gen<Long> times = Generate.oneOf(
                longs().between(T0, T0 + 90L * DAY),
                longs().between(T0, T0 + 90L).map(s -> s * 1000L),
                longs().all(),
                Generate.pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, T0, 0L)));
        return lists().of(ids.zip(times, amounts, Tx::new)).ofSizeBetween(0, 150);
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

    private static double anyDouble(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> r.nextLong(-(1L << 54), 1L << 54) / 100.0;
            case 2 -> r.nextInt(100_000) / 100.0;
            case 3 -> Double.longBitsToDouble(0x7FF0_0000_0000_0000L | r.nextLong(1, 1L << 52) | (r.nextBoolean() ? 1L << 63 : 0));
            default -> r.nextDouble() * Math.pow(10, r.nextInt(-320, 309));
        };
    }

    private static String anyId(SplittableRandom r, String prev) {
        switch (r.nextInt(7)) {
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
                return Long.toString(r.nextLong(1L << 62)) + (r.nextBoolean() ? "" : "0");
            case 3:
                return prev == null ? "tx-1" : prev + r.nextInt(10);
            case 4:
                return prev == null || prev.isEmpty() ? "" : prev.substring(0, r.nextInt(prev.length()));
            case 5:
                return "demo-1700000000000-" + (r.nextBoolean() ? r.nextLong(1_000_000_000_000_000_000L) : r.nextInt(20));
            default:
                return "0" + r.nextInt(100);
        }
    }

    private static AccountHistory history(long[] times, double[] amounts, long[] seqs, String[] ids) {
        AccountHistory h = new AccountHistory();
        h.times = times;
        h.amounts = amounts;
        h.seqs = seqs;
        h.ids = ids;
        h.nextSeq = seqs.length;
        h.maxEventTime = times.length == 0 ? Long.MIN_VALUE : times[times.length - 1];
        return h;
    }

    /** Serializes, deserializes and checks the copy equals bit for bit, and that copying the bytes copies them exactly. */
    private static AccountHistory roundTrip(AccountHistory h) {
        return RecordSerializerContract.roundTrip(S, h, AccountHistorySerializerTest::assertSameHistory);
    }

    private static void assertSameHistory(AccountHistory got, AccountHistory want) {
        assertThat(got.times).containsExactly(want.times);
        assertThat(bits(got.amounts)).containsExactly(bits(want.amounts));
        assertThat(got.seqs).containsExactly(want.seqs);
        assertThat(got.ids).containsExactly(want.ids);
        assertThat(got.nextSeq).isEqualTo(want.nextSeq);
        assertThat(got.maxEventTime).isEqualTo(want.maxEventTime);
    }

    private static boolean sameHistory(AccountHistory a, AccountHistory b) {
        return Arrays.equals(a.times, b.times) && Arrays.equals(bits(a.amounts), bits(b.amounts))
                && Arrays.equals(a.seqs, b.seqs) && Arrays.equals(a.ids, b.ids) && a.nextSeq == b.nextSeq
                && a.maxEventTime == b.maxEventTime;
    }

    private static long[] bits(double[] xs) {
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = Double.doubleToRawLongBits(xs[i]);
        }
        return out;
    }

    private static byte[] bytes(AccountHistory value) {
        return RecordSerializerContract.bytes(S, value);
    }
}
