package io.github.fraudflink.trainer.sim;

import io.github.fraudflink.features.Transaction;

/**
 * A simulated transaction with its ground truth: whether it is a fraud and which scenario made it one.
 *
 * @param tx the transaction as the job receives it
 * @param fraud the handbook's {@code TX_FRAUD}
 * @param scenario the handbook's {@code TX_FRAUD_SCENARIO}: one of the {@code SCENARIO_*} constants
 */
public record LabelledTransaction(Transaction tx, boolean fraud, int scenario) {

    /** Genuine. */
    public static final int SCENARIO_NONE = 0;
    /** Amount above {@link TransactionSimulator#FRAUD_AMOUNT_THRESHOLD}. */
    public static final int SCENARIO_AMOUNT = 1;
    /** At a compromised terminal. */
    public static final int SCENARIO_TERMINAL = 2;
    /** One of the multiplied transactions of a compromised customer. */
    public static final int SCENARIO_CUSTOMER = 3;
}
