package io.github.fraudflink.cli.common;

import io.github.fraudflink.registry.Gates;
import io.github.fraudflink.trainer.Metrics;

/** A model's quality on labelled transactions, for the gates: the trainer's own metrics over the scores given. */
public final class ModelQuality {
    private ModelQuality() {}

    /** AP (scikit-learn's), and precision, recall and false-positive rate at {@code threshold} (score >= threshold). */
    public static Gates.Quality of(double[] scores, boolean[] labels, double threshold) {
        Metrics.AtThreshold at = Metrics.atThreshold(scores, labels, threshold);
        long frauds = 0;
        for (boolean b : labels) {
            frauds += b ? 1 : 0;
        }
        long genuine = labels.length - frauds;
        double fpr = genuine == 0 ? 0 : (double) (at.flagged() - at.truePositives()) / genuine;
        return new Gates.Quality(labels.length, frauds, Metrics.averagePrecision(scores, labels), at.recall(), fpr,
                at.precision());
    }
}
