package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Metric computations against examples worked by hand (and checked against scikit-learn's definitions). */
class MetricsTest {
    private static final double[] S = {0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2};
    private static final boolean[] Y = {true, false, true, false, false, true, false, false};

    @Test
    void averagePrecision() {
        // positives at ranks 1, 3, 6: AP = (1/3)(1/1 + 2/3 + 3/6) = 0.72222...
        assertThat(Metrics.averagePrecision(S, Y)).isCloseTo((1.0 + 2.0 / 3 + 0.5) / 3, within(1e-12));
    }

    @Test
    void averagePrecisionGroupsTies() {
        // one threshold at 0.5 covering both rows: precision 1/2 at recall 1
        assertThat(Metrics.averagePrecision(new double[] {0.5, 0.5}, new boolean[] {true, false})).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void rocAuc() {
        // pairs (pos, neg): 3 positives x 5 negatives = 15; pos 0.9 beats 5, 0.7 beats 4, 0.4 beats 2 -> 11/15
        assertThat(Metrics.rocAuc(S, Y)).isCloseTo(11.0 / 15, within(1e-12));
        assertThat(Metrics.rocAuc(new double[] {0.5, 0.5, 0.1}, new boolean[] {true, false, false})).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void thresholdMetrics() {
        Metrics.AtThreshold t = Metrics.atThreshold(S, Y, 0.7);
        assertThat(t.flagged()).isEqualTo(3);
        assertThat(t.truePositives()).isEqualTo(2);
        assertThat(t.precision()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(t.recall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(t.f1()).isCloseTo(2.0 / 3, within(1e-12));
        // F1 by cut: @0.9 0.5, @0.7 0.667, @0.4 0.667 (p=.5,r=1 -> .667): first max wins -> 0.7
        Metrics.AtThreshold best = Metrics.bestF1(S, Y);
        assertThat(best.threshold()).isEqualTo(0.7);
        assertThat(best.f1()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void cardPrecisionAtK() {
        // day 0: cards a(0.9, fraud), b(0.8), c(0.1, fraud); top 2 = a, b -> 1/2; a is detected
        // day 1: a (excluded), c(0.95, fraud), b(0.2) -> top 2 = c, b -> 1/2
        double[] s = {0.9, 0.3, 0.8, 0.1, 0.99, 0.95, 0.2};
        boolean[] y = {true, false, false, true, true, true, false};
        int[] d = {0, 0, 0, 0, 1, 1, 1};
        String[] c = {"a", "a", "b", "c", "a", "c", "b"};
        assertThat(Metrics.cardPrecisionAtK(s, y, d, c, 2)).isCloseTo(0.5, within(1e-12));
        assertThat(Metrics.cardPrecisionAtK(s, y, d, c, 1)).isCloseTo(1.0, within(1e-12));
    }
}
