package io.github.fraudflink.features;

import java.util.List;

/**
 * The one source of truth for the model input: a versioned, ordered list of feature names.
 *
 * <p>The trainer writes {@link #ID} and {@link #NAMES} into every model manifest; the job refuses a
 * model whose manifest names another schema or another order; the scored output and the PostgreSQL
 * row name the features in this order.
 */
public final class FeatureSchema {

    /** Identifier of this feature list. Change it whenever a name, a definition or the order changes. */
    public static final String ID = "account-v1";

    public static final String AMOUNT = "amount";
    public static final String TX_COUNT_5M = "tx_count_5m";
    public static final String TX_COUNT_1H = "tx_count_1h";
    public static final String TX_COUNT_1D = "tx_count_1d";
    public static final String TX_COUNT_7D = "tx_count_7d";
    public static final String TX_COUNT_30D = "tx_count_30d";
    public static final String AVG_AMOUNT_1D = "avg_amount_1d";
    public static final String AVG_AMOUNT_7D = "avg_amount_7d";
    public static final String AVG_AMOUNT_30D = "avg_amount_30d";
    public static final String AMOUNT_ZSCORE_30D = "amount_zscore_30d";
    public static final String AMOUNT_RATIO_30D = "amount_ratio_30d";
    public static final String SECONDS_SINCE_PREV = "seconds_since_prev";
    public static final String HOUR_OF_DAY = "hour_of_day";
    public static final String IS_WEEKEND = "is_weekend";
    public static final String IS_NIGHT = "is_night";

    /** Feature names in model-input order. */
    public static final List<String> NAMES = List.of(
            AMOUNT,
            TX_COUNT_5M, TX_COUNT_1H, TX_COUNT_1D, TX_COUNT_7D, TX_COUNT_30D,
            AVG_AMOUNT_1D, AVG_AMOUNT_7D, AVG_AMOUNT_30D,
            AMOUNT_ZSCORE_30D, AMOUNT_RATIO_30D,
            SECONDS_SINCE_PREV,
            HOUR_OF_DAY, IS_WEEKEND, IS_NIGHT);

    private FeatureSchema() {}

    public static int size() {
        return NAMES.size();
    }

    public static int indexOf(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown feature '" + name + "' in schema " + ID);
        }
        return i;
    }

    /**
     * Checks that a model's declared schema id and feature order are this schema's.
     *
     * @throws IllegalArgumentException naming the first difference and what to do about it
     */
    public static void requireCompatible(String schemaId, List<String> featureNames) {
        if (!ID.equals(schemaId) && featureNames != null && featureNames.stream().anyMatch(n -> !NAMES.contains(n))) {
            throw new IllegalArgumentException("model needs features this job does not compute: "
                    + featureNames.stream().filter(n -> !NAMES.contains(n)).toList() + " (feature set '" + schemaId
                    + "'); this job computes '" + ID + "' " + NAMES + ": score it with a job that computes them, or"
                    + " train the model on '" + ID + "' (./fraud train --features " + ID + ")");
        }
        if (!ID.equals(schemaId)) {
            throw new IllegalArgumentException("model was trained on feature schema '" + schemaId
                    + "' but this job computes '" + ID + "': retrain the model with this version of the trainer");
        }
        if (featureNames == null || !NAMES.equals(featureNames)) {
            int n = featureNames == null ? 0 : featureNames.size();
            for (int i = 0; i < Math.max(n, NAMES.size()); i++) {
                String want = i < NAMES.size() ? NAMES.get(i) : "(none)";
                String got = i < n ? featureNames.get(i) : "(none)";
                if (!want.equals(got)) {
                    throw new IllegalArgumentException("model feature #" + i + " is '" + got + "' but schema "
                            + ID + " has '" + want + "' there (expected order: " + NAMES + ")");
                }
            }
        }
    }
}
