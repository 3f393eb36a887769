package io.github.fraudflink.job.records;

import static io.github.fraudflink.job.records.RecordSerializerContract.pojoSerializer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.TextField;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionJson;
import io.github.fraudflink.features.TransactionParser;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link TransactionSerializer}: exact round trips of generated transactions (any field null or not, any UTF-16
 * including unpaired surrogates, any double bits, attribute maps of any kind), of transactions the parser made, byte
 * copies, deep copies, Flink's serializer contract, the snapshot's compatibility with the former POJO serializer, and
 * {@link RecordTypes}.
 */
class TransactionSerializerTest {
    private static final TransactionSerializer S = TransactionSerializer.INSTANCE;
    private static final long T0 = 1_530_000_000_000L;

    // ---------------------------------------------------------------------------------------------------------------
    // exactness

    @Test
    void anyTransactionRoundTripsExactly() {
        qt().withExamples(3000).forAll(transactions()).checkAssert(TransactionSerializerTest::roundTrip);
    }

    @Test
    void aSequenceOfTransactionsReadsBackInOrder() throws IOException {
        qt().withExamples(200).forAll(lists().of(transactions()).ofSizeBetween(0, 20)).checkAssert(ts -> {
            try {
                DataOutputSerializer out = new DataOutputSerializer(64);
                for (Transaction t : ts) {
                    S.serialize(t, out);
                }
                DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
                for (Transaction t : ts) {
                    assertSameTransaction(S.deserialize(new Transaction(), in), t);
                }
                assertThat(in.available()).isZero();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** What the job sees: the parser's transactions (valid generated messages) come back equal, TreeMap and all. */
    @Test
    void parsedTransactionsRoundTripEqual() {
        TransactionParser parser = new TransactionParser();
        qt().withExamples(1500).forAll(validTransactions()).checkAssert(t -> {
            byte[] json = TransactionJson.write(t);
            Transaction parsed;
            try {
                parsed = parser.parse(json, t.ingestTime);
            } catch (InvalidTransactionException e) {
                throw new AssertionError("generated an invalid message: " + e.getMessage(), e);
            }
            Transaction back = roundTrip(parsed);
            assertThat(back).isEqualTo(parsed);
            if (parsed.attributes != null) {
                assertThat(parsed.attributes).isInstanceOf(TreeMap.class);
                assertThat(back.attributes).isInstanceOf(TreeMap.class);
            }
            // and the round trip writes the same message as what was parsed
            assertThat(TransactionJson.write(back)).isEqualTo(TransactionJson.write(parsed));
        });
    }

    @Test
    void edgeCasesRoundTripExactly() {
        roundTrip(new Transaction());
        Transaction t = new Transaction("\uD800", "\uDC00x\uD800", Long.MIN_VALUE, Double.longBitsToDouble(0x7FF0_0000_0000_0001L));
        t.ingestTime = Long.MAX_VALUE;
        t.currency = "";
        t.terminalId = "\u0000";
        t.merchantId = "x".repeat(70_000) + "\uDBFF";
        t.merchantCategory = "\uD83D\uDE00";
        t.country = "\uFFFF";
        t.lat = -0.0;
        t.lon = Double.longBitsToDouble(0xFFF8_0000_0000_0123L);
        t.attributes = new TreeMap<>();
        roundTrip(t);
        t.amount = -0.0;
        Map<String, Double> nulls = new LinkedHashMap<>();
        nulls.put(null, null);
        nulls.put("b", Double.NaN);
        nulls.put("a", null);
        nulls.put("", -0.0);
        t.attributes = nulls;
        roundTrip(t);
        t.attributes = new HashMap<>(Map.of("V1", 1.0, "V2", -2.0, "V3", Double.MIN_VALUE));
        roundTrip(t);
        TreeMap<String, Double> reversed = new TreeMap<>(Collections.reverseOrder());
        reversed.putAll(Map.of("a", 1.0, "b", 2.0, "c", 3.0));
        t.attributes = reversed;
        assertThat(roundTrip(t).attributes.keySet()).containsExactly("c", "b", "a");
        t.attributes = Map.of();
        roundTrip(t);
        t.attributes = Collections.singletonMap("k", null);
        roundTrip(t);
    }

    @Test
    void copiesAreDeepAndTheFormatIsVersioned() throws IOException {
        Transaction t = new Transaction("t", "a", T0, 12.5);
        t.attributes = new TreeMap<>(Map.of("V1", 1.0));
        Transaction c = S.copy(t);
        assertSameTransaction(c, t);
        assertThat(c).isNotSameAs(t);
        assertThat(c.attributes).isNotSameAs(t.attributes).isInstanceOf(TreeMap.class);
        c.attributes.put("V2", 2.0);
        assertThat(t.attributes).containsOnlyKeys("V1");
        assertSameTransaction(S.copy(t, new Transaction()), t);
        assertThat(S.createInstance()).isEqualTo(new Transaction());
        assertThat(S.getLength()).isEqualTo(-1);
        assertThat(S.isImmutableType()).isFalse();

        byte[] bytes = bytes(t);
        assertThat(bytes[0]).as("format version first").isEqualTo((byte) TransactionSerializer.FORMAT_VERSION);
        byte[] badVersion = bytes.clone();
        badVersion[0] = 99;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(badVersion)))
                .isInstanceOf(IOException.class).hasMessageContaining("format 99 by a newer release");
        byte[] badFlags = bytes.clone();
        badFlags[1] = (byte) 0x80;
        assertThatThrownBy(() -> S.deserialize(new DataInputDeserializer(badFlags)))
                .isInstanceOf(IOException.class).hasMessageContaining("flags");
    }

    /** The point of it: smaller than the POJO serializer's bytes for the job's typical transaction. */
    @Test
    void aTypicalTransactionIsSmallerThanWithThePojoSerializer() {
        Transaction t = new Transaction("1234567", "acct-42", T0, 57.16);
        t.ingestTime = T0 + 20;
        t.currency = "EUR";
        t.terminalId = "term-1234";
        t.merchantId = "m-77";
        t.merchantCategory = "5411";
        t.country = "FR";
        t.lat = 48.85;
        t.lon = 2.35;
        int ours = bytes(t).length;
        int pojo = RecordSerializerContract.bytes(RecordSerializerContract.pojoSerializer(Transaction.class), t).length;
        t.attributes = new TreeMap<>();
        for (int i = 1; i <= 28; i++) {
            t.attributes.put("V" + i, i / 7.0);
        }
        int oursKaggle = bytes(t).length;
        int pojoKaggle = RecordSerializerContract.bytes(RecordSerializerContract.pojoSerializer(Transaction.class), t).length;
        System.out.printf("transaction: %d bytes (POJO serializer %d); with 28 attributes %d (POJO serializer %d)%n",
                ours, pojo, oursKaggle, pojoKaggle);
        assertThat(ours).isLessThan(pojo);
        assertThat(oursKaggle).isLessThanOrEqualTo(pojoKaggle);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // snapshot and type information

    @Test
    void theSnapshotAcceptsItselfAsIsAndThePojoSerializerAfterMigration() throws IOException {
        TypeSerializerSnapshot<Transaction> own = restored(S.snapshotConfiguration());
        assertThat(own.restoreSerializer()).isSameAs(S);
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(own).isCompatibleAsIs()).isTrue();

        TypeSerializerSnapshot<Transaction> pojo = restored(pojoSerializer(Transaction.class).snapshotConfiguration());
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(pojo).isCompatibleAfterMigration()).isTrue();

        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<Transaction> otherPojo =
                (TypeSerializerSnapshot) restored(pojoSerializer(Label.class).snapshotConfiguration());
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(otherPojo).isIncompatible()).isTrue();
    }

    @Test
    void theTypeInformationGivesThisSerializer() throws Exception {
        TypeInformation<Transaction> info = RecordTypes.TRANSACTION;
        assertThat(info.createSerializer(new SerializerConfigImpl())).isSameAs(S);
        assertThat(info.getTypeClass()).isEqualTo(Transaction.class);
        assertThat(info.isBasicType()).isFalse();
        assertThat(info.isTupleType()).isFalse();
        assertThat(info.isKeyType()).isFalse();
        assertThat(info.getArity()).isEqualTo(1);
        assertThat(info.getTotalFields()).isEqualTo(1);
        assertThat(info.toString()).contains("Transaction").contains("TransactionSerializer");
        SerializerTypeInfo<Transaction> same = new SerializerTypeInfo<>(Transaction.class, S);
        assertThat(info).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(RecordTypes.FEATURIZED)
                .isNotEqualTo(TypeInformation.of(Transaction.class));
        TypeInformation<Transaction> cloned = InstantiationUtil.clone(info);
        assertThat(cloned).isEqualTo(info);
        assertThat(cloned.createSerializer(new SerializerConfigImpl())).isSameAs(S);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Flink's own serializer contract

    @Nested
    class FlinkSerializerContract extends RecordSerializerContract<Transaction> {
        FlinkSerializerContract() {
            super(TransactionSerializer.INSTANCE, Transaction.class, null);
        }

        @Override
        protected Transaction[] getTestData() {
            Transaction full = new Transaction("tx-1", "acct-1", T0, 57.16);
            full.ingestTime = T0 + 5;
            full.currency = "EUR";
            full.terminalId = "term-1";
            full.merchantId = "m-1";
            full.merchantCategory = "5411";
            full.country = "FR";
            full.lat = 48.85;
            full.lon = -0.0;
            full.attributes = new TreeMap<>(Map.of("V1", 1.5, "V2", Double.NaN));
            Transaction odd = new Transaction("\uDBFF", null, Long.MIN_VALUE, Double.NaN);
            odd.ingestTime = Long.MAX_VALUE;
            Map<String, Double> nulls = new LinkedHashMap<>();
            nulls.put(null, 1.0);
            nulls.put("z", null);
            odd.attributes = nulls;
            Transaction empty = new Transaction("t", "a", 0, 0);
            empty.attributes = new TreeMap<>();
            return new Transaction[] {new Transaction(), full, odd, empty};
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // generators

    /** Any transaction: every field null or not, any UTF-16, any long and double bits, attribute maps of any kind. */
    static Gen<Transaction> transactions() {
        Gen<String> s = nullableStrings();
        Gen<Long> l = anyLongs();
        Gen<Double> d = anyDoubles();
        Gen<Double> nd = Generate.frequency(Pair.of(1, Generate.constant((Double) null)), Pair.of(3, d));
        Gen<Map<String, Double>> a = attributes();
        Gen<Transaction> g = in -> {
            Transaction t = new Transaction();
            t.transactionId = s.generate(in);
            t.accountId = s.generate(in);
            t.eventTime = l.generate(in);
            t.ingestTime = l.generate(in);
            t.amount = d.generate(in);
            t.currency = s.generate(in);
            t.terminalId = s.generate(in);
            t.merchantId = s.generate(in);
            t.merchantCategory = s.generate(in);
            t.country = s.generate(in);
            t.lat = nd.generate(in);
            t.lon = nd.generate(in);
            t.attributes = a.generate(in);
            return t;
        };
        return g.describedAs(TransactionSerializerTest::describe);
    }

    static Gen<String> nullableStrings() {
        return Generate.frequency(
                Pair.of(1, Generate.constant((String) null)),
                Pair.of(2, strings().allPossible().ofLengthBetween(0, 12)),
                Pair.of(2, lists().of(integers().between(0, 0xFFFF)).ofSizeBetween(0, 8).map(TransactionSerializerTest::chars)),
                Pair.of(1, strings().basicLatinAlphabet().ofLengthBetween(0, 20)),
                Pair.of(1, Generate.pick(List.of("", "\uD800", "\uDC00", "a\uD800b", "\uD83D\uDE00", "\u0000", "\uFFFF",
                        "x".repeat(200)))));
    }

    static Gen<Long> anyLongs() {
        return Generate.oneOf(longs().all(), longs().between(T0, T0 + 100L * 86_400_000L),
                Generate.pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L)));
    }

    static Gen<Double> anyDoubles() {
        return Generate.oneOf(
                longs().all().map(Double::longBitsToDouble),
                doubles().any(),
                integers().between(1, 10_000_000).map(c -> c / 100.0),
                Generate.pick(List.of(Double.NaN, Double.longBitsToDouble(0x7FF0_0000_0000_0001L),
                        Double.longBitsToDouble(0xFFF8_0000_0000_00FFL), -0.0, 0.0, Double.MIN_VALUE, -Double.MAX_VALUE,
                        Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.001, 1e6)));
    }

    /** Null, empty, the parser's TreeMap, or other maps with any keys (null too) and values (null too), in any order. */
    static Gen<Map<String, Double>> attributes() {
        Gen<Double> values = Generate.frequency(Pair.of(1, Generate.constant((Double) null)), Pair.of(6, anyDoubles()));
        Gen<String> keys = nullableStrings();
        Gen<List<Pair<String, Double>>> entries = lists().of(keys.zip(values, Pair::of)).ofSizeBetween(0, 30);
        Gen<List<Pair<String, Double>>> nonNull = lists().of(
                strings().allPossible().ofLengthBetween(0, 10).zip(anyDoubles(), Pair::of)).ofSizeBetween(0, 30);
        return Generate.frequency(
                Pair.of(1, Generate.constant((Map<String, Double>) null)),
                Pair.of(1, Generate.<Map<String, Double>>constant(() -> new TreeMap<>())),
                Pair.of(3, nonNull.map(es -> fill(new TreeMap<>(), es))),
                Pair.of(2, entries.map(es -> fill(new LinkedHashMap<>(), es))),
                Pair.of(1, entries.map(es -> fill(new HashMap<>(), es))),
                Pair.of(1, nonNull.map(es -> fill(new TreeMap<>(Collections.reverseOrder()), es))));
    }

    /** Transactions whose JSON ({@link TransactionJson}) the parser accepts. */
    static Gen<Transaction> validTransactions() {
        long min = TransactionParser.DEFAULT_MIN_EVENT_TIME.toEpochMilli();
        long max = Instant.parse("9999-01-01T00:00:00Z").toEpochMilli();
        Gen<String> ids = validText(1, 30).map(x -> x.strip().isEmpty() ? "id" + x : x);
        Gen<String> text = Generate.frequency(Pair.of(1, Generate.constant((String) null)), Pair.of(3, validText(0, 30)));
        Gen<Long> ingest = Generate.oneOf(longs().between(min, max), longs().between(T0, T0 + 100L * 86_400_000L));
        Gen<Double> amounts = Generate.oneOf(doubles().between(TransactionParser.DEFAULT_MIN_AMOUNT,
                TransactionParser.DEFAULT_MAX_AMOUNT), integers().between(1, 100_000_000).map(c -> c / 100.0));
        Gen<String> currencies = Generate.pick(Arrays.asList(null, "EUR", "USD", "GBP", "JPY", "CHF"));
        Gen<Double> lat = Generate.frequency(Pair.of(1, Generate.constant((Double) null)), Pair.of(2, doubles().between(-90, 90)));
        Gen<Double> lon = Generate.frequency(Pair.of(1, Generate.constant((Double) null)), Pair.of(2, doubles().between(-180, 180)));
        Gen<Double> finite = anyDoubles().map(v -> Double.isFinite(v) ? v : 1.0);
        Gen<Map<String, Double>> attrs = Generate.frequency(
                Pair.of(1, Generate.constant((Map<String, Double>) null)),
                Pair.of(2, lists().of(validText(1, 20).zip(finite, Pair::of)).ofSizeBetween(0, 40)
                        .map(es -> fill(new TreeMap<>(), es))));
        Gen<Long> fraction = longs().between(0, 1_000_000);
        Gen<Transaction> g = in -> {
            Transaction t = new Transaction(ids.generate(in), ids.generate(in), 0, amounts.generate(in));
            t.ingestTime = ingest.generate(in);
            long latest = t.ingestTime + TransactionParser.DEFAULT_MAX_FUTURE_SKEW.toMillis();
            t.eventTime = min + (long) ((latest - min) * (fraction.generate(in) / 1_000_000.0));
            t.currency = currencies.generate(in);
            t.terminalId = text.generate(in);
            t.merchantId = text.generate(in);
            t.merchantCategory = text.generate(in);
            t.country = text.generate(in);
            t.lat = lat.generate(in);
            t.lon = lon.generate(in);
            t.attributes = attrs.generate(in);
            return t;
        };
        return g.describedAs(TransactionSerializerTest::describe);
    }

    /** Text that {@link TextField} accepts: any code points (supplementary too) but the forbidden ones. */
    private static Gen<String> validText(int minCodePoints, int maxCodePoints) {
        Gen<Integer> codePoints = Generate.oneOf(integers().between(0x20, 0x7E), integers().between(0, 0x10FFFF));
        return lists().of(codePoints).ofSizeBetween(minCodePoints, maxCodePoints).map(cps -> {
            StringBuilder b = new StringBuilder();
            for (int cp : cps) {
                String c = new String(Character.toChars(cp));
                b.append(TextField.problem(c) == null ? c : "x");
            }
            return b.toString();
        });
    }

    private static <M extends Map<String, Double>> M fill(M m, List<Pair<String, Double>> entries) {
        for (Pair<String, Double> e : entries) {
            m.put(e._1, e._2);
        }
        return m;
    }

    private static String chars(List<Integer> cs) {
        StringBuilder b = new StringBuilder();
        for (int c : cs) {
            b.append((char) c);
        }
        return b.toString();
    }

    static String describe(Transaction t) {
        return t == null ? "null" : "Transaction{id=" + escape(t.transactionId) + ", account=" + escape(t.accountId)
                + ", eventTime=" + t.eventTime + ", ingestTime=" + t.ingestTime + ", amount="
                + Long.toHexString(Double.doubleToRawLongBits(t.amount)) + ", currency=" + escape(t.currency)
                + ", terminal=" + escape(t.terminalId) + ", merchant=" + escape(t.merchantId) + ", category="
                + escape(t.merchantCategory) + ", country=" + escape(t.country) + ", lat=" + t.lat + ", lon=" + t.lon
                + ", attributes=" + (t.attributes == null ? "null" : t.attributes.getClass().getSimpleName()
                        + t.attributes.size()) + "}";
    }

    private static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.append('"').toString();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // checks

    /** Serializes, deserializes and checks field by field, the bytes of a re-serialization, a byte copy, a deep copy. */
    static Transaction roundTrip(Transaction t) {
        Transaction back = RecordSerializerContract.roundTrip(S, t, (got, want) -> {
            assertSameTransaction(got, want);
            assertThat(got).isEqualTo(want);
            assertThat(want).isEqualTo(got);
        });
        if (t.attributes != null) {
            assertThat(S.copy(t).attributes).isNotSameAs(t.attributes);
        }
        return back;
    }

    static void assertSameTransaction(Transaction got, Transaction want) {
        assertThat(got.transactionId).isEqualTo(want.transactionId);
        assertThat(got.accountId).isEqualTo(want.accountId);
        assertThat(got.eventTime).isEqualTo(want.eventTime);
        assertThat(got.ingestTime).isEqualTo(want.ingestTime);
        assertThat(Double.doubleToRawLongBits(got.amount)).isEqualTo(Double.doubleToRawLongBits(want.amount));
        assertThat(got.currency).isEqualTo(want.currency);
        assertThat(got.terminalId).isEqualTo(want.terminalId);
        assertThat(got.merchantId).isEqualTo(want.merchantId);
        assertThat(got.merchantCategory).isEqualTo(want.merchantCategory);
        assertThat(got.country).isEqualTo(want.country);
        assertThat(bits(got.lat)).as("lat").isEqualTo(bits(want.lat));
        assertThat(bits(got.lon)).as("lon").isEqualTo(bits(want.lon));
        if (want.attributes == null) {
            assertThat(got.attributes).isNull();
            return;
        }
        assertThat(got.attributes).isNotNull();
        List<String> gotKeys = new ArrayList<>();
        List<Long> gotValues = new ArrayList<>();
        got.attributes.forEach((k, v) -> {
            gotKeys.add(k);
            gotValues.add(bits(v));
        });
        List<String> wantKeys = new ArrayList<>();
        List<Long> wantValues = new ArrayList<>();
        want.attributes.forEach((k, v) -> {
            wantKeys.add(k);
            wantValues.add(bits(v));
        });
        assertThat(gotKeys).as("attribute names, in order").isEqualTo(wantKeys);
        assertThat(gotValues).as("attribute values, in order").isEqualTo(wantValues);
        if (want.attributes instanceof TreeMap<String, Double> tree && tree.comparator() == null) {
            assertThat(got.attributes).isInstanceOf(TreeMap.class);
            assertThat(((TreeMap<String, Double>) got.attributes).comparator()).isNull();
        }
    }

    static boolean sameTransaction(Transaction a, Transaction b) {
        try {
            assertSameTransaction(a, b);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    private static Long bits(Double d) {
        return d == null ? null : Double.doubleToRawLongBits(d);
    }

    /** The snapshot as Flink writes it into a checkpoint and reads it back. */
    static <T> TypeSerializerSnapshot<T> restored(TypeSerializerSnapshot<T> snapshot) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
                TransactionSerializerTest.class.getClassLoader());
    }

    private static byte[] bytes(Transaction value) {
        return RecordSerializerContract.bytes(S, value);
    }
}
