package io.github.fraudflink.job.scoring;

import io.github.fraudflink.job.records.Explanation;
import io.github.fraudflink.model.LoadedModel;
import io.github.fraudflink.model.Reasons;
import io.github.fraudflink.model.TreeShap;

/**
 * The reasons for one model's decision on one row: the exact contributions of its features ({@link TreeShap}), the
 * {@link Reasons#TOP} that raised the score the most, by name and value. Reuses its buffers: one per scoring instance.
 */
final class DecisionExplainer {
    private double[] phi = new double[0];
    private final int[] top = new int[Reasons.TOP];

    /** The reasons, or null when the model cannot be explained (see {@link LoadedModel#explainer()}). */
    Explanation explain(LoadedModel model, double[] row) {
        TreeShap shap = model.explainer();
        if (shap == null) {
            return null;
        }
        if (phi.length < row.length) {
            phi = new double[row.length];
        }
        shap.explain(row, phi);
        int n = Reasons.top(phi, row.length, top);
        String[] names = new String[n];
        double[] values = new double[n];
        double[] contributions = new double[n];
        for (int i = 0; i < n; i++) {
            names[i] = model.featureNames()[top[i]];
            values[i] = row[top[i]];
            contributions[i] = phi[top[i]];
        }
        return new Explanation(names, values, contributions);
    }
}
