package io.github.fraudflink.job.postgres;

import io.github.fraudflink.job.records.ScoredTransaction;

/** For tests outside this package: the {@code features} JSON the PostgreSQL sink writes for a scored transaction. */
public final class ScoredTransactionTableAccess {
    private ScoredTransactionTableAccess() {}

    public static String featuresJson(ScoredTransaction s) {
        return ScoredTransactionTable.featuresJson(s.featureNames, s.features);
    }
}
