package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Generated sequences of accepted transactions: every feature is finite and the history stays bounded. */
class AccountFeaturesPropertiesTest {
    record Tx(String id, long time, double amount) {}

    @Property(tries = 300)
    void featuresAreFiniteAndHistoryBoundedForAnyAcceptedInput(@ForAll("sequences") List<Tx> txs) {
        AccountFeatures f = new AccountFeatures(Duration.ofDays(1), 50);
        AccountHistory h = new AccountHistory();
        for (Tx tx : txs) {
            FeatureResult r = f.apply(h, tx.id(), tx.time(), tx.amount());
            for (int k = 0; k < r.values().length; k++) {
                assertThat(Double.isFinite(r.values()[k])).as("%s of %s", FeatureSchema.NAMES.get(k), tx).isTrue();
            }
            assertThat(h.size()).isLessThanOrEqualTo(50);
        }
    }

    @Provide
    Arbitrary<List<Tx>> sequences() {
        // the extremes the parser accepts: amounts from its minimum to its maximum, ids that collide often
        Arbitrary<Double> amounts = Arbitraries.oneOf(
                Arbitraries.of(TransactionParser.DEFAULT_MIN_AMOUNT, TransactionParser.DEFAULT_MAX_AMOUNT, 0.01, 1.0),
                Arbitraries.doubles().between(TransactionParser.DEFAULT_MIN_AMOUNT, TransactionParser.DEFAULT_MAX_AMOUNT).ofScale(3));
        Arbitrary<Long> times = Arbitraries.longs().between(1_530_000_000_000L, 1_530_000_000_000L + 90L * AccountFeatures.DAY);
        Arbitrary<String> ids = Arbitraries.strings().withChars("abc").ofMinLength(1).ofMaxLength(3);
        return Combinators.combine(ids, times, amounts).as(Tx::new).list().ofMaxSize(200);
    }
}
