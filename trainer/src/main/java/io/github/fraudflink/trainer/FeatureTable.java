package io.github.fraudflink.trainer;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.AccountHistory;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.ModelInputs;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.features.TerminalHistory;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.features.Label;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Labelled feature rows built by running the job's own feature code ({@link AccountFeatures}, and for the
 * terminal sets {@link TerminalFeatures}) over the transactions in the order given (event-time
 * order for a dataset): one history per account and per terminal, exactly as the streaming job keeps in keyed state.
 * A transaction's label becomes known {@code delay} after it (the handbook's assumption), and counts from
 * {@code label lag} later, as in the job. Column-friendly arrays,
 * ready for XGBoost and the metrics. {@link #select} makes a model's rows with the job's own code
 * ({@link ModelInputs}), the transaction's own features ({@code time_of_day}, {@code attribute.<name>}) included.
 */
public final class FeatureTable {
    /** The feature set of the columns. */
    public final FeatureCatalog.FeatureSet featureSet;
    public final int rows;
    public final double[][] features;
    public final boolean[] labels;
    public final int[] scenarios;
    public final long[] eventTimes;
    public final String[] accounts;
    public final String[] transactionIds;
    /** The transaction of each row, for the features that are its own; null for rows read back from what was served. */
    private final Transaction[] transactions;

    private FeatureTable(int n, FeatureCatalog.FeatureSet set, boolean withTransactions) {
        featureSet = set;
        rows = n;
        features = new double[n][];
        labels = new boolean[n];
        scenarios = new int[n];
        eventTimes = new long[n];
        accounts = new String[n];
        transactionIds = new String[n];
        transactions = withTransactions ? new Transaction[n] : null;
    }

    /** Computes the account features ({@code account-v1}) of every transaction in {@code data}, in iteration order. */
    public static FeatureTable compute(Iterable<LabelledTransaction> data, AccountFeatures features, int expectedRows) {
        return compute(data, features, null, expectedRows);
    }

    /**
     * Computes the features of every transaction in {@code data}, in iteration order: the account features, then, when
     * {@code terminal} is not null, all the terminal features ({@link FeatureCatalog#SERVED}, what the job computes),
     * keyed by the terminal (else the merchant; neither: the empty-window values), each transaction's label known
     * {@code terminal.delay()} after it. {@link #select} keeps the columns of a smaller set.
     */
    public static FeatureTable compute(Iterable<LabelledTransaction> data, AccountFeatures features,
            TerminalFeatures terminal, int expectedRows) {
        List<LabelledTransaction> all = asList(data, expectedRows);
        return compute(all, features, terminal, terminal == null ? List.of() : labelsAtDelay(all, terminal.delay()), expectedRows);
    }

    /**
     * As {@link #compute(Iterable, AccountFeatures, TerminalFeatures, int)}, with the labels given: what a job that
     * received exactly these labels computes (the terminal features depend on the set of labels, not their order).
     */
    public static FeatureTable compute(Iterable<LabelledTransaction> data, AccountFeatures features,
            TerminalFeatures terminal, Iterable<Label> labels, int expectedRows) {
        List<LabelledTransaction> all = asList(data, expectedRows);
        FeatureTable t = new FeatureTable(all.size(), terminal == null ? FeatureCatalog.ACCOUNT : FeatureCatalog.SERVED, true);
        Map<String, AccountHistory> histories = new HashMap<>();
        Map<String, TerminalHistory> terminals = new HashMap<>();
        if (terminal != null) {
            for (Label l : labels) {
                if (l.terminalId != null) {
                    terminal.addLabel(terminals.computeIfAbsent(l.terminalId, k -> new TerminalHistory()), l.accountId,
                            l.transactionId, l.eventTime, l.isFraud, l.labelledAt, l.knownAt);
                }
            }
        }
        for (int i = 0; i < all.size(); i++) {
            LabelledTransaction lt = all.get(i);
            AccountHistory h = histories.computeIfAbsent(lt.tx().accountId, k -> new AccountHistory());
            double[] account = features.apply(h, lt.tx()).values();
            if (terminal == null) {
                t.features[i] = account;
            } else {
                double[] row = java.util.Arrays.copyOf(account, account.length + TerminalFeatures.size());
                String key = terminalKey(lt.tx());
                double[] v = TerminalFeatures.empty(); // no terminal: what the job gives
                if (key != null) {
                    TerminalHistory th = terminals.computeIfAbsent(key, k -> new TerminalHistory());
                    Transaction tx = lt.tx();
                    v = terminal.apply(th, tx.accountId, tx.transactionId, tx.eventTime);
                }
                System.arraycopy(v, 0, row, account.length, v.length);
                t.features[i] = row;
            }
            t.labels[i] = lt.fraud();
            t.scenarios[i] = lt.scenario();
            t.eventTimes[i] = lt.tx().eventTime;
            t.accounts[i] = lt.tx().accountId;
            t.transactionIds[i] = lt.tx().transactionId;
            t.transactions[i] = lt.tx();
        }
        return t;
    }

    /**
     * The same rows with the features of {@code set}, in its order, made as the job makes a model's input row
     * ({@link ModelInputs}: computed features found by name, {@code time_of_day} and {@code attribute.<name>} from the
     * row's transaction, a missing attribute NaN); this table itself when it already has them in that order.
     *
     * @throws IllegalArgumentException when this table does not compute a feature of {@code set}, or {@code set} needs
     *     the transactions and this table has none (rows read back from what was served)
     */
    public FeatureTable select(FeatureCatalog.FeatureSet set) {
        if (set.names().equals(featureSet.names())) {
            return this;
        }
        ModelInputs inputs = ModelInputs.of(featureSet.names(), set.id(), set.names());
        if (inputs.needsTransaction() && transactions == null) {
            throw new IllegalArgumentException("feature set '" + set.id() + "' needs the transactions (time_of_day,"
                    + " attribute.<name>), and these rows were read back without them: compute the features from the"
                    + " transactions (FeatureTable.compute)");
        }
        FeatureTable t = new FeatureTable(rows, set, transactions != null);
        for (int i = 0; i < rows; i++) {
            t.features[i] = inputs.row(features[i], transactions == null ? null : transactions[i]);
        }
        System.arraycopy(labels, 0, t.labels, 0, rows);
        System.arraycopy(scenarios, 0, t.scenarios, 0, rows);
        System.arraycopy(eventTimes, 0, t.eventTimes, 0, rows);
        System.arraycopy(accounts, 0, t.accounts, 0, rows);
        System.arraycopy(transactionIds, 0, t.transactionIds, 0, rows);
        if (transactions != null) {
            System.arraycopy(transactions, 0, t.transactions, 0, rows);
        }
        return t;
    }

    /**
     * A table of given rows: feature values in the order of {@code set}, a label, an event time and the transaction's
     * identity per row (the features the job served, read back from PostgreSQL, for retraining). Scenarios are unknown
     * (0). The arrays are used as they are.
     */
    public static FeatureTable of(FeatureCatalog.FeatureSet set, double[][] features, boolean[] labels, long[] eventTimes,
            String[] accounts, String[] transactionIds) {
        int n = features.length;
        if (labels.length != n || eventTimes.length != n || accounts.length != n || transactionIds.length != n) {
            throw new IllegalArgumentException("every column needs one value per row (" + n + " rows)");
        }
        FeatureTable t = new FeatureTable(n, set, false);
        for (int i = 0; i < n; i++) {
            if (features[i].length != set.size()) {
                throw new IllegalArgumentException("row " + i + " has " + features[i].length + " features; " + set.id()
                        + " has " + set.size());
            }
            t.features[i] = features[i];
        }
        System.arraycopy(labels, 0, t.labels, 0, n);
        System.arraycopy(eventTimes, 0, t.eventTimes, 0, n);
        System.arraycopy(accounts, 0, t.accounts, 0, n);
        System.arraycopy(transactionIds, 0, t.transactionIds, 0, n);
        return t;
    }

    /** {@code data} itself when it is a list, else its elements in a new one. */
    private static List<LabelledTransaction> asList(Iterable<LabelledTransaction> data, int expectedRows) {
        if (data instanceof List<LabelledTransaction> list) {
            return list;
        }
        List<LabelledTransaction> all = new java.util.ArrayList<>(Math.max(16, expectedRows));
        data.forEach(all::add);
        return all;
    }

    /**
     * Each transaction's label, made and known {@code delay} after it (the handbook's assumption), source
     * {@code replay}.
     */
    public static List<Label> labelsAtDelay(List<LabelledTransaction> data, java.time.Duration delay) {
        List<Label> out = new java.util.ArrayList<>(data.size());
        for (LabelledTransaction lt : data) {
            long at = lt.tx().eventTime + delay.toMillis();
            out.add(Label.of(lt.tx(), lt.fraud(), at, at, "replay"));
        }
        return out;
    }

    /** The terminal's key: {@code terminal_id}, else {@code merchant_id}, else null. */
    static String terminalKey(Transaction tx) {
        return tx.terminalId != null ? tx.terminalId : tx.merchantId;
    }

    /** The number of feature columns. */
    public int columns() {
        return featureSet.size();
    }

    /** Row indices whose event time lies in {@code [from, to)}. */
    public int[] between(long fromInclusive, long toExclusive) {
        return java.util.stream.IntStream.range(0, rows)
                .filter(i -> eventTimes[i] >= fromInclusive && eventTimes[i] < toExclusive).toArray();
    }

    /** The rows at {@code idx} as a dense row-major float matrix for XGBoost. */
    public float[] matrix(int[] idx) {
        int c = columns();
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
