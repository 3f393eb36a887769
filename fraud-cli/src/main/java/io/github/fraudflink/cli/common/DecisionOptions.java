package io.github.fraudflink.cli.common;

import io.github.fraudflink.trainer.DecisionRule;
import picocli.CommandLine.Option;

/** How a trained model's two thresholds are chosen on its validation slice ({@code train} and {@code retrain}). */
public final class DecisionOptions {
    @Option(names = "--decline-precision", paramLabel = "P",
            description = "Decline at the lowest threshold whose precision on the validation slice reaches P"
                    + " (default: the best-F1 threshold).")
    Double declinePrecision;

    @Option(names = "--review-recall", paramLabel = "R", defaultValue = "" + DecisionRule.DEFAULT_REVIEW_RECALL,
            description = "Review down to the highest threshold at which reviews and declines catch the share R of the"
                    + " validation slice's frauds, within --review-max-share (default: ${DEFAULT-VALUE}).")
    double reviewRecall = DecisionRule.DEFAULT_REVIEW_RECALL;

    @Option(names = "--review-max-share", paramLabel = "S", defaultValue = "" + DecisionRule.DEFAULT_REVIEW_MAX_SHARE,
            description = "The review band holds at most the share S of the validation slice's transactions, the analysts'"
                    + " budget; it wins over --review-recall (default: ${DEFAULT-VALUE}).")
    double reviewMaxShare = DecisionRule.DEFAULT_REVIEW_MAX_SHARE;

    public DecisionRule rule() {
        return new DecisionRule(declinePrecision, reviewRecall, reviewMaxShare);
    }
}
