package io.github.fraudflink.data;

import io.github.fraudflink.features.Transaction;

/**
 * A transaction with its ground truth (from a simulator or a labelled file): whether it is a fraud and which scenario made it one.
 *
 * @param tx the transaction as the job receives it
 * @param fraud the handbook's {@code TX_FRAUD}
 * @param scenario the handbook's {@code TX_FRAUD_SCENARIO}: one of the {@code SCENARIO_*} constants
 */
public record LabelledTransaction(Transaction tx, boolean fraud, int scenario) {

    /** Genuine. */
    public static final int SCENARIO_NONE = 0;
    /** Amount above the simulator's threshold (220). */
    public static final int SCENARIO_AMOUNT = 1;
    /** At a compromised terminal. */
    public static final int SCENARIO_TERMINAL = 2;
    /** One of the multiplied transactions of a compromised customer. */
    public static final int SCENARIO_CUSTOMER = 3;
}
