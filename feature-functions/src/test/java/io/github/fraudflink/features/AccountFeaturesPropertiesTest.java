package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Generated sequences of accepted transactions: every feature is finite and the history stays bounded. */
class AccountFeaturesPropertiesTest {
    record Tx(String id, long time, double amount) {}

    @Test
    void featuresAreFiniteAndHistoryBoundedForAnyAcceptedInput() {
        qt().withExamples(300).forAll(sequences()).checkAssert(txs -> {
            AccountFeatures f = new AccountFeatures(Duration.ofDays(1), 50);
            AccountHistory h = new AccountHistory();
            for (Tx tx : txs) {
                FeatureResult r = f.apply(h, tx.id(), tx.time(), tx.amount());
                for (int k = 0; k < r.values().length; k++) {
                    assertThat(Double.isFinite(r.values()[k])).as("%s of %s", FeatureSchema.NAMES.get(k), tx).isTrue();
                }
                assertThat(h.size()).isLessThanOrEqualTo(50);
            }
        });
    }

    /** The extremes the parser accepts: amounts from its minimum to its maximum, ids that collide often. */
    private static Gen<List<Tx>> sequences() {
        Gen<Double> amounts = Generate.oneOf(
                Generate.pick(List.of(TransactionParser.DEFAULT_MIN_AMOUNT, TransactionParser.DEFAULT_MAX_AMOUNT, 0.01, 1.0)),
                doubles().between(TransactionParser.DEFAULT_MIN_AMOUNT, TransactionParser.DEFAULT_MAX_AMOUNT));
        Gen<Long> times = longs().between(1_530_000_000_000L, 1_530_000_000_000L + 90L * AccountFeatures.DAY);
        Gen<String> ids = strings().betweenCodePoints('a', 'c').ofLengthBetween(1, 3);
        return lists().of(ids.zip(times, amounts, Tx::new)).ofSizeBetween(0, 200);
    }
}
