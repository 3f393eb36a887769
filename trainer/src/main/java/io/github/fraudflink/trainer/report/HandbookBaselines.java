package io.github.fraudflink.trainer.report;

import java.util.List;

/**
 * The Fraud Detection Handbook's published test results (Le Borgne et al.), shown in the training report next to
 * a model's own figures for reference. They were measured with the handbook's 15 features (customer <em>and
 * terminal</em> windows) on its own data window, so they are a yardstick, not a like-for-like comparison.
 */
public final class HandbookBaselines {
    private HandbookBaselines() {}

    /** One published result: AUC ROC, average precision (AUPRC) and card precision@100 on the test period. */
    public record Baseline(String model, String protocol, double rocAuc, double averagePrecision, double cardPrecisionAt100) {}

    /** Baseline split: train 2018-07-25..07-31, 7 days of delay, test 2018-08-08..08-14. */
    public static final String BASELINE_SPLIT = "baseline split";

    /** Prequential model selection: 7-day train, 7-day delay, 7-day test, 4 folds (mean over folds). */
    public static final String PREQUENTIAL = "prequential, 4 folds";

    /** As published, in the order the handbook lists them. */
    public static final List<Baseline> ALL = List.of(
            new Baseline("logistic regression", BASELINE_SPLIT, 0.871, 0.606, 0.291),
            new Baseline("random forest", BASELINE_SPLIT, 0.867, 0.658, 0.287),
            new Baseline("XGBoost", BASELINE_SPLIT, 0.862, 0.639, 0.273),
            new Baseline("XGBoost", PREQUENTIAL, 0.869, 0.687, 0.303),
            new Baseline("random forest", PREQUENTIAL, 0.870, 0.678, 0.299));
}
