package io.github.fraudflink.features;

/** The feature vector of one transaction (in {@link FeatureSchema} order) and how it was obtained. */
public final class FeatureResult {
    private final double[] values;
    private final boolean duplicate;
    private final boolean late;
    private final int evicted;

    FeatureResult(double[] values, boolean duplicate, boolean late, int evicted) {
        this.values = values;
        this.duplicate = duplicate;
        this.late = late;
        this.evicted = evicted;
    }

    /** How many of the account's oldest transactions were dropped because its history reached its bound. */
    public int evicted() {
        return evicted;
    }

    /** Feature values in {@link FeatureSchema#NAMES} order. The array is owned by the caller. */
    public double[] values() {
        return values;
    }

    /** True when the transaction id was already known for this account: it was not counted again. */
    public boolean duplicate() {
        return duplicate;
    }

    /** True when the event came with an event time earlier than the newest one already seen for the account. */
    public boolean late() {
        return late;
    }
}
