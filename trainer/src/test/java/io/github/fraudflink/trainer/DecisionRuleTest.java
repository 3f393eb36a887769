package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two thresholds {@link DecisionRule} chooses, against a brute force over every distinct score of generated
 * validation slices (ties, few or no frauds, any targets and budgets). {@code QT_SEED=N} replays a failure.
 */
class DecisionRuleTest {
    @Test
    void theThresholdsAreWhatTryingEveryScoreGives() {
        qt().withExamples(500).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int n = 1 + r.nextInt(300);
            double[] scores = new double[n];
            boolean[] labels = new boolean[n];
            double fraudRate = r.nextDouble() * 0.3;
            for (int i = 0; i < n; i++) {
                labels[i] = r.nextDouble() < fraudRate;
                double s = labels[i] ? Math.pow(r.nextDouble(), 0.3) : Math.pow(r.nextDouble(), 3);
                scores[i] = r.nextInt(5) == 0 ? Math.round(s * 20) / 20.0 : s; // ties
            }
            Double precision = r.nextBoolean() ? null : 0.05 + r.nextDouble() * 0.95;
            DecisionRule rule = new DecisionRule(precision, 0.05 + r.nextDouble() * 0.95, r.nextDouble() * 0.2);
            DecisionRule.Thresholds t = rule.choose(scores, labels);

            double[] distinct = Arrays.stream(scores).distinct().sorted().toArray();
            long frauds = count(labels, scores, Double.NEGATIVE_INFINITY, true);
            double decline;
            if (precision == null) {
                decline = Metrics.bestF1(scores, labels).threshold();
            } else {
                double reached = Double.NaN;
                double best = Double.NaN;
                double bestPrecision = -1;
                for (int k = distinct.length - 1; k >= 0; k--) { // highest first: equal precision goes to the lower
                    double p = (double) count(labels, scores, distinct[k], true) / count(labels, scores, distinct[k], false);
                    if (p >= precision) {
                        reached = distinct[k];
                    }
                    if (p >= bestPrecision) {
                        bestPrecision = p;
                        best = distinct[k];
                    }
                }
                decline = Double.isNaN(reached) ? best : reached;
            }
            assertThat(t.decline()).isEqualTo(decline);

            double atRecall = distinct[0];
            for (int k = distinct.length - 1; k >= 0; k--) {
                if (frauds > 0 && (double) count(labels, scores, distinct[k], true) / frauds >= rule.reviewRecall()) {
                    atRecall = distinct[k];
                    break;
                }
            }
            double withinBudget = decline;
            for (double s : distinct) {
                long band = count(labels, scores, s, false) - count(labels, scores, decline, false);
                if (s < decline && band <= rule.reviewMaxShare() * n) {
                    withinBudget = Math.min(withinBudget, s);
                }
            }
            assertThat(t.review()).isEqualTo(Math.min(decline, Math.max(atRecall, withinBudget)));
            assertThat(t.review()).isLessThanOrEqualTo(t.decline());
            long inBand = count(labels, scores, t.review(), false) - count(labels, scores, t.decline(), false);
            assertThat(inBand).isLessThanOrEqualTo((long) Math.floor(rule.reviewMaxShare() * n));
        });
    }

    /** Rows with score >= {@code at}: frauds only, or all. */
    private static long count(boolean[] labels, double[] scores, double at, boolean fraudsOnly) {
        long c = 0;
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] >= at && (!fraudsOnly || labels[i])) {
                c++;
            }
        }
        return c;
    }
}
