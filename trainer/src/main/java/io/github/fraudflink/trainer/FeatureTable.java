package io.github.fraudflink.trainer;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.trainer.sim.LabelledTransaction;
import java.util.HashMap;
import java.util.Map;

/**
 * Labelled feature rows built by running the job's own feature code ({@link AccountFeatures}) over the
 * transactions in the order given (event-time order for a dataset): one history per account, exactly as
 * the streaming job keeps in keyed state. Column-friendly arrays, ready for XGBoost and the metrics.
 */
public final class FeatureTable {
    public final int rows;
    public final double[][] features;
    public final boolean[] labels;
    public final int[] scenarios;
    public final long[] eventTimes;
    public final String[] accounts;
    public final String[] transactionIds;

    private FeatureTable(int n) {
        rows = n;
        features = new double[n][];
        labels = new boolean[n];
        scenarios = new int[n];
        eventTimes = new long[n];
        accounts = new String[n];
        transactionIds = new String[n];
    }

    /** Computes the features of every transaction in {@code data}, in iteration order. */
    public static FeatureTable compute(Iterable<LabelledTransaction> data, AccountFeatures features, int expectedRows) {
        java.util.ArrayList<LabelledTransaction> all = new java.util.ArrayList<>(Math.max(16, expectedRows));
        data.forEach(all::add);
        FeatureTable t = new FeatureTable(all.size());
        Map<String, AccountHistory> histories = new HashMap<>();
        for (int i = 0; i < all.size(); i++) {
            LabelledTransaction lt = all.get(i);
            AccountHistory h = histories.computeIfAbsent(lt.tx().accountId, k -> new AccountHistory());
            t.features[i] = features.apply(h, lt.tx()).values();
            t.labels[i] = lt.fraud();
            t.scenarios[i] = lt.scenario();
            t.eventTimes[i] = lt.tx().eventTime;
            t.accounts[i] = lt.tx().accountId;
            t.transactionIds[i] = lt.tx().transactionId;
        }
        return t;
    }

    /** Row indices whose event time lies in {@code [from, to)}. */
    public int[] between(long fromInclusive, long toExclusive) {
        return java.util.stream.IntStream.range(0, rows)
                .filter(i -> eventTimes[i] >= fromInclusive && eventTimes[i] < toExclusive).toArray();
    }

    /** The rows at {@code idx} as a dense row-major float matrix for XGBoost. */
    public float[] matrix(int[] idx) {
        int c = FeatureSchema.size();
        float[] m = new float[idx.length * c];
        for (int r = 0; r < idx.length; r++) {
            double[] f = features[idx[r]];
            for (int j = 0; j < c; j++) {
                m[r * c + j] = (float) f[j];
            }
        }
        return m;
    }

    public float[] labels(int[] idx) {
        float[] y = new float[idx.length];
        for (int r = 0; r < idx.length; r++) {
            y[r] = labels[idx[r]] ? 1f : 0f;
        }
        return y;
    }
}
