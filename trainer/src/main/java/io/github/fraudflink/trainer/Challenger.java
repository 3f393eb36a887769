package io.github.fraudflink.trainer;

import java.util.Arrays;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;

/**
 * How one model is trained on time-ordered rows, the same for a fold of the handbook's protocol and for retraining
 * from served data: the last {@code validationShare} of the rows (by time) is the validation slice, XGBoost stops
 * early on its AUPRC, the decline and review thresholds are chosen on it ({@link DecisionRule}), and with {@code refit}
 * the model is trained again on all the rows for the rounds found (the thresholds stay the ones chosen on the
 * validation rows).
 */
public final class Challenger {
    /**
     * @param booster the model (refit when asked)
     * @param fit the rows it was fitted on (all of them after a refit)
     */
    public record Trained(Booster booster, int rounds, double threshold, double reviewThreshold, double validationAuprc,
            Map<String, Object> params, int[] fit, int[] valid, DecisionRule.Thresholds onValidation) {}

    private Challenger() {}

    /** The rows before the validation slice, and the slice: {@code [fit, valid]}. */
    public static int[][] split(int[] rows, double validationShare) {
        int cut = (int) Math.round(rows.length * (1 - validationShare));
        return new int[][] {Arrays.copyOfRange(rows, 0, cut), Arrays.copyOfRange(rows, cut, rows.length)};
    }

    public static Trained train(FeatureTable t, int[] fit, int[] valid, XgbTrainer.Params p, DecisionRule rule)
            throws Exception {
        XgbTrainer.Result r = XgbTrainer.train(t, fit, valid, p);
        double[] vs = XgbTrainer.predict(r.booster(), t, valid);
        DecisionRule.Thresholds chosen = rule.choose(vs, TrainingRun.labels(t, valid));
        Booster model = r.booster();
        int[] fitted = fit;
        if (p.refit()) {
            int[] all = new int[fit.length + valid.length];
            System.arraycopy(fit, 0, all, 0, fit.length);
            System.arraycopy(valid, 0, all, fit.length, valid.length);
            model = XgbTrainer.refit(t, all, p, r.rounds());
            r.booster().dispose();
            fitted = all;
        }
        return new Trained(model, r.rounds(), chosen.decline(), chosen.review(), r.validationAuprc(), r.params(), fitted,
                valid, chosen);
    }
}
