package io.github.fraudflink.trainer.sim;

import io.github.fraudflink.data.LabelledTransaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.Transaction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fraud scenarios on 1,000 customers, 2,000 terminals, 60 days, against what the generator should give.
 *
 * <p>Expectations are conditional on the drawn customer and terminal profiles, so only the daily draws are random.
 * With {@code mu_c = mean_nb_tx_per_day * P(0 < int(N(43200, 20000)) < 86400)} (0 if the customer has no
 * terminal) and {@code mu_t = sum over c using t of mu_c / |terminals of c|}, draw day k covers {@code w_k}
 * days (28 or 14, fewer at the end; no draw on the last day):
 * <ul>
 *   <li>transactions: Poisson, mean {@code days * sum mu_c};</li>
 *   <li>scenario 1 before overrides: Poisson, mean {@code days * sum mu_c P(N(m_c, m_c/2) > 220)};</li>
 *   <li>scenario 2: {@code sum_k 2 w_k mean(mu_t)}, variance {@code sum_k 2 w_k^2 var(mu_t)} from which terminals
 *       are drawn plus the Poisson variance;</li>
 *   <li>scenario 3: {@code sum_k (w_k mean(mu_c) - 1/3)} (floor of n/3), variance
 *       {@code sum_k (3 w_k^2 var(mu_c) + 3 w_k mean(mu_c)) / 9};</li>
 * </ul>
 * scenarios 1 and 2 lose the share of transactions that scenario 3 takes over. Tolerance: 4 standard deviations
 * (for the total fraud rate, of the sum), which also covers the small bias of ignoring repeated draws of the same
 * terminal or customer within a window (a few transactions here).
 */
class SimulatorScenarioTest {

    private static final SimulatorConfig CONFIG =
            SimulatorConfig.defaults().withCustomers(1_000).withTerminals(2_000).withDays(60).withSeed(11);

    private static TransactionSimulator sim;
    private static List<LabelledTransaction> txs;

    @BeforeAll
    static void simulate() {
        sim = new TransactionSimulator(CONFIG);
        txs = sim.stream().toList();
    }

    @Test
    void labelsFollowTheScenarioRules() {
        Map<String, Boolean> terminalDayAllFraud = new HashMap<>();
        Map<String, Boolean> terminalDayHasScenario2 = new HashMap<>();
        for (LabelledTransaction lt : txs) {
            Transaction t = lt.tx();
            assertThat(lt.fraud()).isEqualTo(lt.scenario() != LabelledTransaction.SCENARIO_NONE);
            switch (lt.scenario()) {
                case LabelledTransaction.SCENARIO_NONE -> assertThat(t.amount).isLessThanOrEqualTo(220.0);
                case LabelledTransaction.SCENARIO_AMOUNT -> assertThat(t.amount).isGreaterThan(220.0);
                case LabelledTransaction.SCENARIO_TERMINAL -> { }
                case LabelledTransaction.SCENARIO_CUSTOMER ->
                        assertThat(Math.round(t.amount * 100) % 5).isZero(); // multiplied by 5
                default -> throw new AssertionError("scenario " + lt.scenario());
            }
            String key = t.terminalId + "/" + Math.floorDiv(t.eventTime, 86_400_000L);
            terminalDayAllFraud.merge(key, lt.fraud(), Boolean::logicalAnd);
            terminalDayHasScenario2.merge(key, lt.scenario() == 2, Boolean::logicalOr);
        }
        // a compromised terminal is compromised for whole days: all its transactions that day are frauds
        terminalDayHasScenario2.forEach((key, has2) -> {
            if (has2) {
                assertThat(terminalDayAllFraud.get(key)).as(key).isTrue();
            }
        });
    }

    @Test
    void scenarioCountsMatchTheGenerator() {
        int days = CONFIG.days();
        double pKeep = phi((86_400 - 43_200) / 20_000.0) - phi((1 - 43_200) / 20_000.0);
        int nc = CONFIG.customers();
        double[] muC = new double[nc];
        double[] muT = new double[CONFIG.terminals()];
        double expectedTx = 0;
        double expectedS1 = 0;
        for (TransactionSimulator.Customer c : sim.customers()) {
            int[] terms = sim.availableTerminals(c.id());
            muC[c.id()] = terms.length == 0 ? 0 : c.meanNbTxPerDay() * pKeep;
            for (int t : terms) {
                muT[t] += muC[c.id()] / terms.length;
            }
            expectedTx += days * muC[c.id()];
            // a redrawn negative amount is at most 2 * mean <= 200
            expectedS1 += days * muC[c.id()] * (1 - phi((220 - c.meanAmount()) / c.stdAmount()));
        }
        double meanT = mean(muT);
        double varT = variance(muT, meanT);
        double meanC = mean(muC);
        double varC = variance(muC, meanC);
        double expectedS2 = 0;
        double varS2 = 0;
        double expectedS3 = 0;
        double varS3 = 0;
        for (int k = 0; k < days - 1; k++) {
            int w2 = Math.min(28, days - k);
            expectedS2 += 2 * w2 * meanT;
            varS2 += 2.0 * w2 * w2 * varT;
            int w3 = Math.min(14, days - k);
            expectedS3 += w3 * meanC - 1 / 3.0;
            varS3 += (3.0 * w3 * w3 * varC + 3 * w3 * meanC) / 9;
        }
        varS2 += expectedS2;

        long n = txs.size();
        long s1 = count(1);
        long s2 = count(2);
        long s3 = count(3);
        long s1BeforeS2 = s1 + txs.stream().filter(lt -> lt.scenario() == 2 && lt.tx().amount > 220).count();
        double takenByS3 = (double) s3 / n;
        double e1 = expectedS1 * (1 - takenByS3);
        double e2 = expectedS2 * (1 - takenByS3);
        System.out.printf("tx %d (expected %.0f), s1 %d/%d (%.1f), s2 %d (%.1f +- %.1f), s3 %d (%.1f +- %.1f)%n",
                n, expectedTx, s1, s1BeforeS2, e1, s2, e2, Math.sqrt(varS2), s3, expectedS3, Math.sqrt(varS3));

        assertWithin("transactions", n, expectedTx, 4 * Math.sqrt(expectedTx));
        assertWithin("scenario 1 before scenario 2", s1BeforeS2, e1, 4 * Math.sqrt(expectedS1));
        assertWithin("scenario 2", s2, e2, 4 * Math.sqrt(varS2));
        assertWithin("scenario 3", s3, expectedS3, 4 * Math.sqrt(varS3));
        double fraudRate = (double) (s1 + s2 + s3) / n;
        double expectedRate = (e1 + e2 + expectedS3) / expectedTx;
        double rateStd = Math.sqrt(expectedS1 + varS2 + varS3) / expectedTx;
        assertWithin("fraud rate", fraudRate, expectedRate, 4 * rateStd);
        // at this scale scenario 2 dominates: 56 of 2,000 terminals compromised at a time
        assertThat((double) s2 / (s1 + s2 + s3)).isBetween(0.5, 0.85);
    }

    private static long count(int scenario) {
        return txs.stream().filter(lt -> lt.scenario() == scenario).count();
    }

    private static void assertWithin(String what, double actual, double expected, double tolerance) {
        assertThat(actual).as("%s: %s vs expected %s +- %s", what, actual, expected, tolerance)
                .isBetween(expected - tolerance, expected + tolerance);
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double variance(double[] v, double mean) {
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return s / v.length;
    }

    /** Standard normal CDF; erf by Abramowitz-Stegun 7.1.26 (absolute error below 1.5e-7). */
    static double phi(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                + t * 1.061405429)))) * Math.exp(-x * x);
        return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
    }
}
