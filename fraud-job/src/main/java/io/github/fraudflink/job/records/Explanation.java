package io.github.fraudflink.job.records;

/**
 * Why a model decided as it did: its top features by exact contribution to the margin (TreeSHAP, log-odds), largest
 * first, each with the feature's value. A Flink POJO inside {@link ScoredTransaction}.
 */
public class Explanation {
    public String[] features;
    public double[] values;
    /** Each feature's contribution to the model's margin (log-odds); all are positive. */
    public double[] contributions;

    public Explanation() {}

    public Explanation(String[] features, double[] values, double[] contributions) {
        this.features = features;
        this.values = values;
        this.contributions = contributions;
    }

    public int size() {
        return features.length;
    }
}
