package io.github.fraudflink.features;

import java.util.ArrayList;
import java.util.List;

/**
 * The versioned feature sets a model can be trained on: {@code account-v1} ({@link FeatureSchema}, the account's own
 * history); {@code account-terminal-v2}, the same plus the handbook's terminal features of {@link TerminalFeatures}
 * (count and fraud share from delayed labels over 1, 7 and 30 days); and {@code account-terminal-v3}, the same plus
 * the terminal's known frauds (counts over 1, 7 and 30 days, days since the first and the last); and
 * {@code account-terminal-v4}, the same plus the terminal's recent frauds, counted as soon as their labels are known
 * (an analyst's verdict within hours, a cardholder's report within days): known frauds among its transactions of the
 * last 1 and 7 days, and the days since the latest known fraud of the last 30. The job computes the largest
 * ({@link #SERVED}); a model's manifest names its set and features, and the job loads only a model whose features it
 * computes ({@code ModelLoader} refuses the others, saying why).
 *
 * <p>{@code attributes-v1} ({@link #attributes}) is for rows that have no account or terminal history worth the name
 * (Kaggle's {@code creditcard.csv}: every row its own card): {@code amount}, {@code time_of_day}, then the
 * transaction's attributes, {@code attribute.<name>} each ({@link ModelInputs}). Its names are fixed when a model is
 * trained (the attributes of the training data) and written in the model's manifest, the one place they are kept; so
 * it is not in {@link #ALL}, whose sets have fixed names.
 */
public final class FeatureCatalog {
    public static final String TERMINAL_TX_COUNT_1D = "terminal_tx_count_1d";
    public static final String TERMINAL_FRAUD_SHARE_1D = "terminal_fraud_share_1d";
    public static final String TERMINAL_TX_COUNT_7D = "terminal_tx_count_7d";
    public static final String TERMINAL_FRAUD_SHARE_7D = "terminal_fraud_share_7d";
    public static final String TERMINAL_TX_COUNT_30D = "terminal_tx_count_30d";
    public static final String TERMINAL_FRAUD_SHARE_30D = "terminal_fraud_share_30d";
    public static final String TERMINAL_FRAUD_COUNT_1D = "terminal_fraud_count_1d";
    public static final String TERMINAL_FRAUD_COUNT_7D = "terminal_fraud_count_7d";
    public static final String TERMINAL_FRAUD_COUNT_30D = "terminal_fraud_count_30d";
    public static final String TERMINAL_DAYS_SINCE_FIRST_FRAUD = "terminal_days_since_first_fraud";
    public static final String TERMINAL_DAYS_SINCE_LAST_FRAUD = "terminal_days_since_last_fraud";
    public static final String TERMINAL_RECENT_FRAUD_COUNT_1D = "terminal_recent_fraud_count_1d";
    public static final String TERMINAL_RECENT_FRAUD_COUNT_7D = "terminal_recent_fraud_count_7d";
    public static final String TERMINAL_DAYS_SINCE_LATEST_FRAUD = "terminal_days_since_latest_fraud";
    /** The handbook's terminal features, the first six values of {@link TerminalFeatures#apply}. */
    public static final List<String> TERMINAL_NAMES = List.of(TERMINAL_TX_COUNT_1D, TERMINAL_FRAUD_SHARE_1D,
            TERMINAL_TX_COUNT_7D, TERMINAL_FRAUD_SHARE_7D, TERMINAL_TX_COUNT_30D, TERMINAL_FRAUD_SHARE_30D);
    /** The terminal's known frauds, the values of {@link TerminalFeatures#apply} after the handbook's six. */
    public static final List<String> TERMINAL_FRAUD_NAMES = List.of(TERMINAL_FRAUD_COUNT_1D, TERMINAL_FRAUD_COUNT_7D,
            TERMINAL_FRAUD_COUNT_30D, TERMINAL_DAYS_SINCE_FIRST_FRAUD, TERMINAL_DAYS_SINCE_LAST_FRAUD);
    /**
     * The terminal's recent known frauds, the last values of {@link TerminalFeatures#apply}: windows ending at
     * {@code t}, not {@code t - d}, so they count labels as soon as they are known.
     */
    public static final List<String> TERMINAL_RECENT_NAMES = List.of(TERMINAL_RECENT_FRAUD_COUNT_1D,
            TERMINAL_RECENT_FRAUD_COUNT_7D, TERMINAL_DAYS_SINCE_LATEST_FRAUD);

    /** One feature set: an id and its ordered names. */
    public record FeatureSet(String id, List<String> names, boolean terminal) {
        public int size() {
            return names.size();
        }
    }

    /** The account features only. */
    public static final FeatureSet ACCOUNT = new FeatureSet(FeatureSchema.ID, FeatureSchema.NAMES, false);
    /** The account features, then the handbook's terminal features. */
    public static final FeatureSet ACCOUNT_TERMINAL = new FeatureSet("account-terminal-v2", concat(FeatureSchema.NAMES, TERMINAL_NAMES), true);
    /** The account features, then all terminal features. */
    public static final FeatureSet ACCOUNT_TERMINAL_FRAUDS = new FeatureSet("account-terminal-v3",
            concat(ACCOUNT_TERMINAL.names(), TERMINAL_FRAUD_NAMES), true);
    /** The account features, then all terminal features, then the terminal's recent known frauds. */
    public static final FeatureSet ACCOUNT_TERMINAL_RECENT = new FeatureSet("account-terminal-v4",
            concat(ACCOUNT_TERMINAL_FRAUDS.names(), TERMINAL_RECENT_NAMES), true);
    public static final List<FeatureSet> ALL = List.of(ACCOUNT, ACCOUNT_TERMINAL, ACCOUNT_TERMINAL_FRAUDS,
            ACCOUNT_TERMINAL_RECENT);
    /** What the scoring job computes for every transaction: a model may use any of these, in any order. */
    public static final FeatureSet SERVED = ACCOUNT_TERMINAL_RECENT;
    /** The id of the set of {@link #attributes}. */
    public static final String ATTRIBUTES_ID = "attributes-v1";
    /** The features of {@code attributes-v1} before its attributes: the amount and the time of day. */
    public static final List<String> ATTRIBUTES_BASE = List.of(FeatureSchema.AMOUNT, ModelInputs.TIME_OF_DAY);

    private FeatureCatalog() {}

    /** The set with this id, or an error naming the known ones. */
    public static FeatureSet byId(String id) {
        for (FeatureSet s : ALL) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        if (ATTRIBUTES_ID.equals(id)) {
            throw new IllegalArgumentException("feature set '" + ATTRIBUTES_ID + "' has no fixed names: they are the"
                    + " attributes of the training data (attribute.<name> each), so it is made from the data"
                    + " (FeatureCatalog.attributes; ./fraud train --features " + ATTRIBUTES_ID + " does), and a model of"
                    + " it names its features in its manifest");
        }
        throw new IllegalArgumentException("unknown feature set '" + id + "'; known: "
                + ALL.stream().map(FeatureSet::id).toList() + " and " + ATTRIBUTES_ID);
    }

    /**
     * {@code attributes-v1} for these attribute names: {@code amount}, {@code time_of_day}, then
     * {@code attribute.<name>} for each name, once, in {@link ModelInputs#NATURAL_ORDER} (V1, V2, ..., V10, ...: the
     * same set whatever order the names come in).
     *
     * @throws IllegalArgumentException when a name could not be an input's attribute (the input contract's rule)
     */
    public static FeatureSet attributes(java.util.Collection<String> attributeNames) {
        java.util.TreeSet<String> sorted = new java.util.TreeSet<>(ModelInputs.NATURAL_ORDER);
        sorted.addAll(attributeNames);
        List<String> names = new ArrayList<>(ATTRIBUTES_BASE);
        for (String a : sorted) {
            names.add(ModelInputs.attributeFeature(a));
        }
        return new FeatureSet(ATTRIBUTES_ID, List.copyOf(names), false);
    }

    /**
     * Where each feature a model names sits in a computed vector: the model's input row is
     * {@code computed[index[0]], computed[index[1]], ...}. A feature's name fixes its definition (a changed definition
     * gets a new name), so names are all a model needs to be fed correctly. For a model that also names the
     * transaction's features ({@code time_of_day}, {@code attribute.<name>}), {@link ModelInputs} builds the row.
     *
     * @param computed the names of the computed vector, in its order
     * @param setId the feature set the model's manifest declares (for the message)
     * @param modelNames the features the model uses, in its input order
     * @throws IllegalArgumentException naming the features that are not computed (or repeated) and the fix
     */
    public static int[] indexOf(List<String> computed, String setId, List<String> modelNames) {
        ModelInputs inputs = ModelInputs.of(computed, setId, modelNames);
        if (inputs.needsTransaction()) {
            throw new IllegalArgumentException("the features " + modelNames + " (feature set '" + setId + "') include"
                    + " the transaction's own (" + ModelInputs.TIME_OF_DAY + ", " + ModelInputs.ATTRIBUTE_PREFIX
                    + "<name>), which no computed vector holds: build the rows with ModelInputs, from the transactions");
        }
        return inputs.computedIndex();
    }

    /** The message for a model that names features the computed vector does not have. */
    static String notComputed(List<String> computed, String setId, List<String> missing) {
        return "model needs features this job does not compute: " + missing
                + " (feature set '" + setId + "'); this job computes " + computed + ": score it with a job that"
                + " computes them, or train the model on a set this job computes, e.g. ./fraud train --features "
                + ALL.stream().map(FeatureSet::id).collect(java.util.stream.Collectors.joining(" or "))
                + " or " + ATTRIBUTES_ID;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
