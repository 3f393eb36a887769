package io.github.fraudflink.job.records;

/**
 * The output of the job for one transaction: who, when, the named features, the score and the
 * decision, and which model gave them. A Flink POJO; its JSON form is {@link ScoredTransactionJson}.
 *
 * <p>{@code decision} is {@code "decline"} when {@code score >= threshold}, else {@code "approve"}.
 */
public class ScoredTransaction {
    public static final String DECLINE = "decline";
    public static final String APPROVE = "approve";

    public String transactionId;
    public String accountId;
    public double amount;
    public String currency;
    public String terminalId;
    public String merchantId;
    /** Epoch ms: when the transaction happened, when it reached Kafka, when it was scored. */
    public long eventTime;
    public long ingestTime;
    public long scoredTime;
    /** The features the scoring model used, in its order, and their names (from its manifest). */
    public double[] features;
    public String[] featureNames;
    /** The feature set the champion's manifest names (e.g. {@code account-terminal-v2}). */
    public String featureSchema;
    public double score;
    public String decision;
    public double threshold;
    public String model;
    public String modelVersion;
    public String shadowModel;
    public String shadowVersion;
    public Double shadowScore;
    /** The shadow model's own threshold (its decision would be {@code shadowScore >= shadowThreshold}). */
    public Double shadowThreshold;
    public boolean duplicate;

    public ScoredTransaction() {}
}
