package io.github.fraudflink.features;

import java.util.List;

/**
 * The account features ({@link AccountFeatures}): a versioned, ordered list of names.
 *
 * <p>The account features, the first part of every feature set of {@link FeatureCatalog}: a model's manifest names
 * the features it uses, and the job feeds it those, by name.
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

    /**
     * The features that follow the clock: over any window shorter than a week their distribution differs from the
     * training data's by design (a night has no daytime hours, a Sunday no weekdays), so drift is not measured on them.
     */
    public static final java.util.Set<String> CALENDAR = java.util.Set.of(HOUR_OF_DAY, IS_WEEKEND, IS_NIGHT);

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
}
