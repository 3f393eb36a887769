package io.github.fraudflink.job.records;

import io.github.fraudflink.features.Transaction;

/** A transaction with its feature vector (in {@code FeatureSchema} order), on its way to the model. A Flink POJO. */
public class FeaturizedTransaction {
    public Transaction transaction;
    public double[] features;
    /** The transaction id was already known for the account: same features as its first occurrence, not counted again. */
    public boolean duplicate;

    public FeaturizedTransaction() {}

    public FeaturizedTransaction(Transaction transaction, double[] features, boolean duplicate) {
        this.transaction = transaction;
        this.features = features;
        this.duplicate = duplicate;
    }
}
