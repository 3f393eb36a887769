package io.github.fraudflink.trainer;

import java.util.Locale;

/**
 * How the trainer chooses a model's two thresholds on its validation slice (rows it was not fitted on, before the test
 * period): the decline threshold at a precision target, or at the best F1 when there is none; the review threshold at a
 * recall target, so that declines and reviews together catch that share of the frauds, within a budget: the review
 * band never holds more than a given share of the rows (analysts' time is finite; past the budget the recall target
 * is not met, and the training report says what it reached). The review threshold is never above the decline
 * threshold (an empty review band when declines alone reach the recall target).
 *
 * @param declinePrecision the precision declines should have: the lowest threshold whose precision reaches it (when
 *     none does, the threshold of the highest precision); null: the best-F1 threshold
 * @param reviewRecall the share of frauds at or above the review threshold: the highest threshold that reaches it
 * @param reviewMaxShare the largest share of the rows the review band may hold
 */
public record DecisionRule(Double declinePrecision, double reviewRecall, double reviewMaxShare) {
    public static final double DEFAULT_REVIEW_RECALL = 0.8;
    public static final double DEFAULT_REVIEW_MAX_SHARE = 0.01;
    /** The shipped rule: decline at the best F1; review down to a recall of 0.8, at most 1% of the transactions. */
    public static final DecisionRule DEFAULT = new DecisionRule(null, DEFAULT_REVIEW_RECALL, DEFAULT_REVIEW_MAX_SHARE);

    public DecisionRule {
        if (declinePrecision != null && !(declinePrecision > 0 && declinePrecision <= 1)) {
            throw new IllegalArgumentException("the decline precision target must be in (0, 1], got " + declinePrecision);
        }
        if (!(reviewRecall > 0 && reviewRecall <= 1)) {
            throw new IllegalArgumentException("the review recall target must be in (0, 1], got " + reviewRecall);
        }
        if (!(reviewMaxShare >= 0 && reviewMaxShare <= 1)) {
            throw new IllegalArgumentException("the review band's largest share must be in [0, 1], got " + reviewMaxShare);
        }
    }

    /** The two thresholds, and what they give on the validation slice. */
    public record Thresholds(double decline, double review, Metrics.AtThreshold atDecline, Metrics.AtThreshold atReview) {}

    public Thresholds choose(double[] scores, boolean[] labels) {
        double decline = declinePrecision == null ? Metrics.bestF1(scores, labels).threshold() : atPrecision(scores, labels);
        double review = Math.min(decline, Math.max(atRecall(scores, labels), withinBudget(scores, labels, decline)));
        return new Thresholds(decline, review, Metrics.atThreshold(scores, labels, decline),
                Metrics.atThreshold(scores, labels, review));
    }

    /** For the manifest's training details: how each threshold was chosen. */
    public String declineDescription() {
        return declinePrecision == null ? "best F1 on the validation slice"
                : String.format(Locale.ROOT, "lowest threshold with precision >= %s on the validation slice", declinePrecision);
    }

    public String reviewDescription() {
        return String.format(Locale.ROOT, "highest threshold with recall >= %s on the validation slice, the review band"
                + " holding at most %s of its rows (at most the decline threshold)", reviewRecall, reviewMaxShare);
    }

    /** The lowest distinct score whose precision reaches the target; else the one of the highest precision. */
    private double atPrecision(double[] scores, boolean[] labels) {
        double[][] groups = Metrics.atOrAbove(scores, labels);
        double reached = Double.NaN;
        double best = 1.0;
        double bestPrecision = -1;
        for (double[] g : groups) {
            double precision = g[1] / g[2];
            if (precision >= declinePrecision) {
                reached = g[0];
            }
            if (precision >= bestPrecision) {
                bestPrecision = precision;
                best = g[0];
            }
        }
        return Double.isNaN(reached) ? best : reached;
    }

    /** The highest distinct score whose recall reaches the target; with no fraud, 1 (nothing to review). */
    private double atRecall(double[] scores, boolean[] labels) {
        double[][] groups = Metrics.atOrAbove(scores, labels);
        double frauds = 0;
        for (boolean l : labels) {
            frauds += l ? 1 : 0;
        }
        for (double[] g : groups) {
            if (frauds > 0 && g[1] / frauds >= reviewRecall) {
                return g[0];
            }
        }
        return groups.length == 0 ? 1.0 : groups[groups.length - 1][0];
    }

    /** The lowest distinct score whose band down from {@code decline} holds at most the budget's share of the rows. */
    private double withinBudget(double[] scores, boolean[] labels, double decline) {
        double[][] groups = Metrics.atOrAbove(scores, labels);
        double declined = 0;
        double lowest = decline;
        for (double[] g : groups) {
            if (g[0] >= decline) {
                declined = g[2];
            } else if ((g[2] - declined) <= reviewMaxShare * scores.length) {
                lowest = g[0];
            } else {
                break;
            }
        }
        return lowest;
    }

}
