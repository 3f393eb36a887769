package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * {@link ModelInputs}, the one code that makes a model's input row in the job and in the trainer: for any attribute
 * names the input contract accepts (any Unicode, names equal to a computed feature's, to {@code time_of_day}, to an
 * {@code attribute.} feature's), a row holds the computed features by name, the time of day and each attribute or NaN
 * when the transaction lacks it; the natural order of attribute names is one order whatever the input order; and a
 * model whose names cannot be fed is refused with the cause and the fix. A failure prints its seed; {@code QT_SEED=N}
 * replays it.
 */
class ModelInputsTest {
    private static final List<String> SERVED = FeatureCatalog.SERVED.names();

    @Test
    void aRowIsTheComputedFeaturesByNameTheTimeOfDayAndTheAttributes() {
        ModelInputs in = ModelInputs.of(SERVED, FeatureCatalog.ATTRIBUTES_ID, List.of("attribute.V2",
                FeatureCatalog.TERMINAL_FRAUD_SHARE_7D, "time_of_day", "amount", "attribute.V1", "attribute.amount"));
        double[] computed = IntStream.range(0, SERVED.size()).mapToDouble(i -> 100 + i).toArray();
        Transaction tx = new Transaction("t", "a", Instant.parse("2013-09-03T06:30:00Z").toEpochMilli(), 12.5);
        tx.attributes = new TreeMap<>(Map.of("V1", -1.25, "amount", 7.0, "V3", 3.0));

        assertThat(in.needsTransaction()).isTrue();
        assertThat(in.row(computed, tx)).containsExactly(Double.NaN,
                100 + SERVED.indexOf(FeatureCatalog.TERMINAL_FRAUD_SHARE_7D), 6.5, 100, -1.25, 7.0);
        tx.attributes = null;
        assertThat(in.row(computed, tx)).containsExactly(Double.NaN,
                100 + SERVED.indexOf(FeatureCatalog.TERMINAL_FRAUD_SHARE_7D), 6.5, 100, Double.NaN, Double.NaN);
        assertThatThrownBy(() -> in.row(computed, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attribute.V2").hasMessageContaining("come from the transaction");
    }

    /** Any names the input accepts, any subset of them on the transaction, mixed with computed names in any order. */
    @Test
    void anyAttributeNamesAreFedByNameAndMissingOnesAreNaN() {
        qt().withExamples(1_000).forAll(lists().of(attributeNames()).ofSizeBetween(0, 12), longs().all(),
                integers().between(0, 12)).checkAssert((names, seed, servedCount) -> {
            Random r = new Random(seed);
            List<String> attrs = new ArrayList<>(new LinkedHashSet<>(names));
            List<String> model = new ArrayList<>();
            attrs.forEach(a -> model.add(ModelInputs.attributeFeature(a)));
            List<String> served = new ArrayList<>(SERVED);
            Collections.shuffle(served, r);
            model.addAll(served.subList(0, servedCount));
            if (r.nextBoolean()) {
                model.add(ModelInputs.TIME_OF_DAY);
            }
            if (model.isEmpty()) {
                model.add(FeatureSchema.AMOUNT);
            }
            Collections.shuffle(model, r);

            double[] computed = r.doubles(SERVED.size()).toArray();
            Transaction tx = new Transaction("t", "a", r.nextLong(), 1);
            Map<String, Double> present = new HashMap<>();
            for (String a : attrs) {
                if (r.nextBoolean()) {
                    present.put(a, r.nextGaussian());
                }
            }
            tx.attributes = r.nextBoolean() ? new TreeMap<>(present) : present;

            double[] row = ModelInputs.of(SERVED, "any", model).row(computed, tx);
            assertThat(row).hasSize(model.size());
            for (int i = 0; i < row.length; i++) {
                String n = model.get(i);
                // a brute-force reading of the documented rule
                double want = n.startsWith("attribute.")
                        ? present.getOrDefault(n.substring("attribute.".length()), Double.NaN)
                        : n.equals("time_of_day") ? ModelInputs.timeOfDay(tx.eventTime) : computed[SERVED.indexOf(n)];
                assertThat(Double.doubleToLongBits(row[i])).as("%s in %s: %s, want %s", n, model, row[i], want)
                        .isEqualTo(Double.doubleToLongBits(want));
            }
        });
    }

    @Test
    void theTimeOfDayIsTheHoursSinceMidnightUtc() {
        assertThat(ModelInputs.timeOfDay(Instant.parse("2013-09-02T00:00:00Z").toEpochMilli())).isZero();
        assertThat(ModelInputs.timeOfDay(Instant.parse("2013-09-03T23:59:59.999Z").toEpochMilli())).isLessThan(24);
        assertThat(ModelInputs.timeOfDay(Instant.parse("2013-09-03T18:45:00Z").toEpochMilli())).isEqualTo(18.75);
        qt().withExamples(5_000).forAll(longs().between(-10_000L * 86_400_000L, 100_000L * 86_400_000L)).checkAssert(t -> {
            // java.time as the oracle: nanoseconds of the UTC day over an hour's nanoseconds (the same rational number)
            double want = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).toLocalTime().toNanoOfDay() / 3.6e12;
            assertThat(ModelInputs.timeOfDay(t)).isEqualTo(want).isGreaterThanOrEqualTo(0).isLessThan(24);
        });
    }

    @Test
    void attributeNamesHaveOneNaturalOrderWhateverTheInputOrder() {
        List<String> kaggle = IntStream.rangeClosed(1, 28).mapToObj(i -> "V" + i).toList();
        List<String> shuffled = new ArrayList<>(kaggle);
        Collections.shuffle(shuffled, new Random(7));
        assertThat(FeatureCatalog.attributes(shuffled).names()).containsExactlyElementsOf(
                concat(FeatureCatalog.ATTRIBUTES_BASE, kaggle.stream().map(v -> "attribute." + v).toList()));
        assertThat(sorted(List.of("V10", "V9", "V1", "V01", "V001", "V", "V1a", "V1.5", "W0", "v2")))
                .containsExactly("V", "V001", "V01", "V1", "V1.5", "V1a", "V9", "V10", "W0", "v2");

        qt().withExamples(1_000).forAll(lists().of(attributeNames()).ofSizeBetween(0, 20), longs().all())
                .checkAssert((names, seed) -> {
                    List<String> once = sorted(names);
                    List<String> again = new ArrayList<>(names);
                    Collections.shuffle(again, new Random(seed));
                    assertThat(sorted(again)).as("the order of the same names shuffled").isEqualTo(once);
                    List<Transaction> txs = new ArrayList<>();
                    for (String n : again) { // the names spread over transactions, each row some of them
                        Transaction t = new Transaction();
                        t.attributes = Map.of(n, 1.0);
                        txs.add(t);
                    }
                    assertThat(ModelInputs.attributeNames(txs)).isEqualTo(once.stream().distinct().toList());
                    for (int i = 0; i < names.size(); i++) {
                        for (int j = 0; j < names.size(); j++) {
                            String a = names.get(i);
                            String b = names.get(j);
                            int ab = ModelInputs.NATURAL_ORDER.compare(a, b);
                            assertThat(Integer.signum(ab)).as("%s vs %s", a, b)
                                    .isEqualTo(-Integer.signum(ModelInputs.NATURAL_ORDER.compare(b, a)));
                            assertThat(ab == 0).as("%s vs %s: only equal names tie", a, b).isEqualTo(a.equals(b));
                        }
                    }
                });
        qt().withExamples(1_000).forAll(strings().basicLatinAlphabet().ofLengthBetween(0, 3),
                integers().between(0, 1_000_000), integers().between(0, 1_000_000)).checkAssert((prefix, m, n) ->
                assertThat(Integer.signum(ModelInputs.NATURAL_ORDER.compare(prefix + m, prefix + n)))
                        .as("%s%d vs %s%d", prefix, m, prefix, n).isEqualTo(Integer.signum(Integer.compare(m, n))));
    }

    @Test
    void aModelWhoseNamesCannotBeFedIsRefusedWithTheCauseAndTheFix() {
        // unknown computed names: FeatureCatalog's message, as before
        assertThatThrownBy(() -> ModelInputs.of(FeatureSchema.NAMES, "account-terminal-v2", FeatureCatalog.ACCOUNT_TERMINAL.names()))
                .hasMessageContaining("model needs features this job does not compute: [terminal_tx_count_1d")
                .hasMessageContaining("--features account-v1 or account-terminal-v2 or account-terminal-v3 or"
                        + " account-terminal-v4 or attributes-v1");
        assertThatThrownBy(() -> ModelInputs.of(SERVED, "x", List.of("amount", "attribute.V1", "amount")))
                .hasMessageContaining("repeat a name");
        assertThatThrownBy(() -> ModelInputs.of(SERVED, "x", List.of())).hasMessageContaining("names no features");
        assertThatThrownBy(() -> ModelInputs.of(SERVED, "x", null)).hasMessageContaining("names no features");
        assertThatThrownBy(() -> ModelInputs.of(List.of("amount", "attribute.V1"), "x", List.of("amount")))
                .hasMessageContaining("rename the computed feature");
        // malformed attribute features: what is wrong, and the fix
        assertThatThrownBy(() -> ModelInputs.of(SERVED, FeatureCatalog.ATTRIBUTES_ID, List.of("amount", "attribute.")))
                .hasMessageContaining("'attribute.' (feature set 'attributes-v1') is not a valid attribute feature")
                .hasMessageContaining("the name is empty")
                .hasMessageContaining("fix the manifest's feature_names or train the model again");
        assertThatThrownBy(() -> ModelInputs.of(SERVED, "x", List.of("attribute.V\n1")))
                .hasMessageContaining("'attribute.V<U+000A>1'")
                .hasMessageContaining("a control character U+000A at position 1");
        assertThatThrownBy(() -> ModelInputs.of(SERVED, "x", List.of("attribute.\u200Bx")))
                .hasMessageContaining("an invisible format character U+200B");
        assertThatThrownBy(() -> ModelInputs.of(SERVED, "x", List.of("attribute." + "é".repeat(129))))
                .hasMessageContaining("the name has 129 characters");
        assertThat(ModelInputs.of(SERVED, "x", List.of("attribute." + "é".repeat(128))).names()).hasSize(1);
        // every name the parser accepts for an attribute is a valid attribute feature, and only those
        qt().withExamples(2_000).forAll(strings().allPossible().ofLengthBetween(0, 8)).checkAssert(name -> {
            boolean accepted;
            try {
                TransactionParser.attributeName(name);
                accepted = true;
            } catch (InvalidTransactionException e) {
                accepted = false;
            }
            if (accepted) {
                assertThat(ModelInputs.of(SERVED, "x", List.of("attribute." + name)).names()).containsExactly("attribute." + name);
            } else {
                assertThatThrownBy(() -> ModelInputs.of(SERVED, "x", List.of("attribute." + name)))
                        .hasMessageContaining("is not a valid attribute feature");
            }
        });
    }

    @Test
    void theComputedSetsAreFedAsIndexOfFedThem() {
        double[] computed = IntStream.range(0, SERVED.size()).mapToDouble(i -> i * 1.5).toArray();
        for (FeatureCatalog.FeatureSet s : FeatureCatalog.ALL) {
            ModelInputs in = ModelInputs.of(SERVED, s.id(), s.names());
            int[] index = FeatureCatalog.indexOf(SERVED, s.id(), s.names());
            assertThat(in.needsTransaction()).isFalse();
            assertThat(in.computedIndex()).containsExactly(index);
            assertThat(in.row(computed, null)).containsExactly(IntStream.of(index).mapToDouble(i -> computed[i]).toArray());
        }
        assertThatThrownBy(() -> FeatureCatalog.indexOf(SERVED, FeatureCatalog.ATTRIBUTES_ID, List.of("amount", "time_of_day")))
                .hasMessageContaining("build the rows with ModelInputs");
        assertThatThrownBy(() -> FeatureCatalog.byId(FeatureCatalog.ATTRIBUTES_ID)).hasMessageContaining("no fixed names");
    }

    /** Names the input contract accepts: any Unicode, plus the catalog's names, {@code time_of_day} and look-alikes. */
    private static Gen<String> attributeNames() {
        Gen<String> unicode = strings().allPossible().ofLengthBetween(1, 6).map(ModelInputsTest::valid);
        List<String> tricky = new ArrayList<>(SERVED);
        tricky.addAll(List.of("time_of_day", "attribute.V1", "attribute.", "V1", "V01", "V10", "V2", "é", "e\u0301",
                "\"", "\\", "a.b", "😀", "V١"));
        return Generate.oneOf(unicode, Generate.pick(tricky), strings().basicLatinAlphabet().ofLengthBetween(1, 4)
                .zip(integers().between(0, 300), (p, n) -> p + n).map(ModelInputsTest::valid));
    }

    /** {@code s} with every code point the input contract rejects replaced by 'x'. */
    private static String valid(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> b.appendCodePoint(TextField.problem(new String(Character.toChars(cp))) == null ? cp : 'x'));
        return b.toString();
    }

    private static List<String> sorted(List<String> names) {
        List<String> s = new ArrayList<>(names);
        s.sort(ModelInputs.NATURAL_ORDER);
        return s;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toList());
    }
}
