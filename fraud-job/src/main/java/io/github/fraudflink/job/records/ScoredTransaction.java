package io.github.fraudflink.job.records;

/**
 * The output of the job for one transaction: who, when, the named features, the score and the
 * decision, and which model gave them. A Flink POJO; its JSON form is {@link ScoredTransactionJson}.
 *
 * <p>{@code decision} is {@code "decline"} when {@code score >= threshold}, {@code "review"} when
 * {@code reviewThreshold <= score < threshold}, else {@code "approve"} ({@link io.github.fraudflink.model.Decision}).
 * Reviewed and declined decisions carry their {@code reasons} when the model can be explained.
 */
public class ScoredTransaction {
    public static final String DECLINE = "decline";
    public static final String APPROVE = "approve";
    public static final String REVIEW = "review";

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
    /** The review band's lower edge; equal to {@code threshold} for a model without a review band. */
    public double reviewThreshold;
    /** The champion's top reasons: for a review or decline by a model that can be explained, else null. */
    public Explanation reasons;
    public String model;
    public String modelVersion;
    public String shadowModel;
    public String shadowVersion;
    public Double shadowScore;
    /** The shadow model's own threshold (its decision would be {@code shadowScore >= shadowThreshold}). */
    public Double shadowThreshold;
    public Double shadowReviewThreshold;
    /** The shadow's decision under its own thresholds. */
    public String shadowDecision;
    /** The shadow's reasons, when it would review or decline and the champion decided otherwise. */
    public Explanation shadowReasons;
    public boolean duplicate;

    public ScoredTransaction() {}
}
