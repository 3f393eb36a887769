package io.github.fraudflink.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.fraudflink.trainer.Metrics;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PR and ROC points and class histograms against examples worked by hand (scikit-learn's definitions). */
class CurvesTest {
    // the example of MetricsTest: positives at ranks 1, 3 and 6 of 8
    private static final double[] S = {0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2};
    private static final boolean[] Y = {true, false, true, false, false, true, false, false};
    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void precisionRecallHasOnePointPerScoreAfterTheStart() {
        // threshold: tp fp -> recall = tp/3, precision = tp/(tp+fp)
        // 0.9: 1 0 | 0.8: 1 1 | 0.7: 2 1 | 0.6: 2 2 | 0.55: 2 3 | 0.4: 3 3 | 0.3: 3 4 | 0.2: 3 5
        Curves.Curve c = Curves.precisionRecall(S, Y);
        assertThat(c.thresholds()).containsExactly(INF, 0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2);
        assertThat(c.x()).containsExactly(new double[] {0, 1 / 3.0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1, 1},
                within(1e-12));
        assertThat(c.y()).containsExactly(new double[] {1, 1, 1 / 2.0, 2 / 3.0, 2 / 4.0, 2 / 5.0, 3 / 6.0, 3 / 7.0, 3 / 8.0},
                within(1e-12));
        // its step area is the average precision: (1/3)(1 + 2/3 + 1/2)
        assertThat(Curves.stepArea(c)).isCloseTo((1 + 2 / 3.0 + 0.5) / 3, within(1e-12))
                .isCloseTo(Metrics.averagePrecision(S, Y), within(1e-12));
    }

    @Test
    void rocDropsCollinearPoints() {
        // (fpr, tpr) per threshold: 0.9 (0, 1/3), 0.8 (1/5, 1/3), 0.7 (1/5, 2/3), 0.6 (2/5, 2/3), 0.55 (3/5, 2/3),
        // 0.4 (3/5, 1), 0.3 (4/5, 1), 0.2 (1, 1); 0.6 and 0.3 lie on straight runs between their neighbours
        Curves.Curve c = Curves.roc(S, Y);
        assertThat(c.thresholds()).containsExactly(INF, 0.9, 0.8, 0.7, 0.55, 0.4, 0.2);
        assertThat(c.x()).containsExactly(new double[] {0, 0, 0.2, 0.2, 0.6, 0.6, 1}, within(1e-12));
        assertThat(c.y()).containsExactly(new double[] {0, 1 / 3.0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1}, within(1e-12));
        // area: 0.2 * 1/3 + 0.4 * 2/3 + 0.4 * 1 = 11/15
        assertThat(Curves.trapezoidArea(c)).isCloseTo(11.0 / 15, within(1e-12))
                .isCloseTo(Metrics.rocAuc(S, Y), within(1e-12));
    }

    @Test
    void tiedScoresFormOnePoint() {
        double[] s = {0.5, 0.5, 0.1};
        boolean[] y = {true, false, false};
        Curves.Curve roc = Curves.roc(s, y);
        assertThat(roc.x()).containsExactly(0, 0.5, 1);
        assertThat(roc.y()).containsExactly(0, 1, 1);
        assertThat(Curves.trapezoidArea(roc)).isCloseTo(0.75, within(1e-12));
        Curves.Curve pr = Curves.precisionRecall(s, y);
        assertThat(pr.x()).containsExactly(0, 1, 1);
        assertThat(pr.y()).containsExactly(new double[] {1, 0.5, 1 / 3.0}, within(1e-12));
        assertThat(Curves.stepArea(pr)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void areasMatchTheMetricsOnRandomScoresWithTies() {
        SplittableRandom r = new SplittableRandom(7);
        double[] s = new double[5_000];
        boolean[] y = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            y[i] = r.nextDouble() < 0.05;
            s[i] = Math.round((r.nextDouble() + (y[i] ? 0.4 : 0)) * 200) / 200.0; // rounded: many ties
        }
        assertThat(Curves.stepArea(Curves.precisionRecall(s, y))).isCloseTo(Metrics.averagePrecision(s, y), within(1e-12));
        assertThat(Curves.trapezoidArea(Curves.roc(s, y))).isCloseTo(Metrics.rocAuc(s, y), within(1e-12));
    }

    @Test
    void oneClassGivesEmptyCurves() {
        double[] s = {0.2, 0.7};
        assertThat(Curves.precisionRecall(s, new boolean[] {false, false}).isEmpty()).isTrue();
        assertThat(Curves.roc(s, new boolean[] {false, false}).isEmpty()).isTrue();
        assertThat(Curves.roc(s, new boolean[] {true, true}).isEmpty()).isTrue();
        // all frauds: precision 1 everywhere
        assertThat(Curves.precisionRecall(s, new boolean[] {true, true}).y()).containsOnly(1.0);
    }

    @Test
    void histogramCountsEachClassPerBin() {
        double[] s = {0.0, 0.09, 0.1, 0.55, 0.999, 1.0, 1.2, -0.1};
        boolean[] y = {false, true, false, true, true, false, true, false};
        Curves.ClassHistogram h = Curves.histogram(s, y, 10);
        assertThat(h.edges()).hasSize(11);
        assertThat(h.edges()[3]).isCloseTo(0.3, within(1e-12));
        // bin 0: 0.0 (g), 0.09 (f), -0.1 (g); bin 1: 0.1 (g); bin 5: 0.55 (f); bin 9: 0.999 (f), 1.0 (g), 1.2 (f)
        assertThat(h.genuine()).containsExactly(2, 1, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(h.fraud()).containsExactly(1, 0, 0, 0, 0, 1, 0, 0, 0, 2);
    }
}
