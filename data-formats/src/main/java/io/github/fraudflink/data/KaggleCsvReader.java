package io.github.fraudflink.data;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.features.TransactionParser;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * {@link DatasetReader.Format#KAGGLE}: the ULB credit-card data set from Kaggle ({@code creditcard.csv}: {@code Time,
 * V1..V28, Amount, Class}; columns found by name; the original file quotes the names and the {@code Class} values).
 * It has no account or transaction column, so:
 * <ul>
 *   <li><b>keying</b>: every row is its own account and transaction, both with the id {@code kaggle-<line>} (the
 *       1-based line number in the file, header = line 1). Nothing links two rows of the same card, and inventing a
 *       link (one account for all, or buckets of rows) would make the account windows count unrelated cards. So the
 *       account features are degenerate constants: {@code tx_count_*} = 1, {@code avg_amount_*} = the amount,
 *       {@code amount_zscore_30d} = 0, {@code amount_ratio_30d} = 1, {@code seconds_since_prev} = -1;</li>
 *   <li><b>event time</b>: {@link DatasetReader#KAGGLE_EPOCH} (2013-09-02T00:00:00Z) + {@code Time} seconds (rounded
 *       to the millisecond). {@code Time} counts seconds from the first transaction of the capture (two days of
 *       September 2013; the exact dates are not published). The origin assumes the capture began at midnight UTC,
 *       which the data are consistent with (genuine transactions are fewest between {@code Time} 1 h and 8 h and again
 *       between 24 h and 31 h); {@code hour_of_day} and {@code is_night} mean something only under that assumption.
 *       The origin is a Monday so both days are weekdays: {@code is_weekend} is 0 everywhere instead of an invented
 *       weekday/weekend contrast;</li>
 *   <li><b>features that carry information</b>: {@code amount}, {@code hour_of_day}, {@code is_night}.
 *       {@code V1..V28} (anonymised PCA components) go into {@link Transaction#attributes} under their names; the
 *       feature set {@code attributes-v1} ({@code ModelInputs}: amount, time of day, {@code attribute.V1..V28}) uses
 *       them, the account sets do not;</li>
 *   <li><b>label</b>: {@code Class} must be 0 or 1; the scenario of a fraud is unknown (-1), of a genuine row 0;</li>
 *   <li><b>contract</b>: rows of {@code Amount} 0 are bad rows ({@code non_positive_amount}), as in the job. Kaggle
 *       has such rows, and many are frauds (31 rows in the shared 1,722-row sample, 27 of them frauds, so 465 of its
 *       492 frauds are imported);</li>
 *   <li><b>training</b>: the two days start on {@link DatasetReader#KAGGLE_EPOCH}, so a time split is for example
 *       train 2013-09-02 (1 day), no delay, test 2013-09-03 (1 day). Every card is new, so "known compromised cards"
 *       removes nothing and card precision@k is transaction precision@k.</li>
 * </ul>
 */
final class KaggleCsvReader extends CsvFormatReader {
    /** Largest accepted {@code Time}: 100 years of seconds, far beyond the data, well inside a long. */
    static final double MAX_TIME_SECONDS = 100 * 365.25 * 86_400;
    private static final int COMPONENTS = 28;
    private static final String[] ATTRIBUTE_NAMES = new String[COMPONENTS];
    private static final String LAYOUT = "the Kaggle creditcard.csv layout needs Time, V1..V28, Amount, Class";

    static {
        for (int i = 0; i < COMPONENTS; i++) {
            ATTRIBUTE_NAMES[i] = "V" + (i + 1);
        }
    }

    @Override
    String expectedHeader() {
        return "the Kaggle header Time,V1,...,V28,Amount,Class";
    }

    @Override
    RowReader header(String[] cols, TransactionParser parser, boolean labels) throws IOException {
        int time = column(cols, "Time", LAYOUT);
        int amount = column(cols, "Amount", LAYOUT);
        int label = labelColumn(cols, "Class", LAYOUT, labels);
        int[] components = new int[COMPONENTS];
        for (int i = 0; i < COMPONENTS; i++) {
            components[i] = column(cols, ATTRIBUTE_NAMES[i], LAYOUT);
        }
        long epoch = DatasetReader.KAGGLE_EPOCH.toEpochMilli();
        return (line, f) -> {
            double seconds = number(f[time], "Time");
            if (seconds < 0 || seconds > MAX_TIME_SECONDS) {
                throw new RowContract.Rejected("Time " + f[time] + " must be between 0 and " + (long) MAX_TIME_SECONDS
                        + " seconds");
            }
            double[] v = new double[COMPONENTS];
            for (int i = 0; i < COMPONENTS; i++) {
                v[i] = number(f[components[i]], ATTRIBUTE_NAMES[i]);
            }
            String id = DatasetReader.KAGGLE_ID_PREFIX + line;
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("transaction_id", id);
            o.put("account_id", id);
            o.put("event_time", epoch + Math.round(seconds * 1000));
            o.put("amount", number(f[amount], "Amount"));
            Transaction t = RowContract.check(parser, o);
            t.attributes = new ComponentMap(v);
            Boolean isFraud = label(f, label, "Class");
            return FileRow.valid(line, t, isFraud, Boolean.TRUE.equals(isFraud) ? -1 : 0);
        };
    }

    /**
     * V1..V28 as an unmodifiable map, in that order, backed by one {@code double[]}: about 250 bytes a row instead of
     * about 2 KB for a TreeMap of boxed values (the full file has 284,807 rows).
     */
    private static final class ComponentMap extends AbstractMap<String, Double> {
        private final double[] values;

        ComponentMap(double[] values) {
            this.values = values;
        }

        @Override
        public int size() {
            return values.length;
        }

        @Override
        public Double get(Object key) {
            int i = index(key);
            return i < 0 ? null : values[i];
        }

        @Override
        public boolean containsKey(Object key) {
            return index(key) >= 0;
        }

        private int index(Object key) {
            if (key instanceof String k && k.length() >= 2 && k.charAt(0) == 'V') {
                try {
                    int i = Integer.parseInt(k, 1, k.length(), 10) - 1;
                    if (i >= 0 && i < values.length && ATTRIBUTE_NAMES[i].equals(k)) {
                        return i;
                    }
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
            return -1;
        }

        @Override
        public Set<Entry<String, Double>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return values.length;
                }

                @Override
                public Iterator<Entry<String, Double>> iterator() {
                    return new Iterator<>() {
                        private int i;

                        @Override
                        public boolean hasNext() {
                            return i < values.length;
                        }

                        @Override
                        public Entry<String, Double> next() {
                            if (i >= values.length) {
                                throw new NoSuchElementException();
                            }
                            Entry<String, Double> e = new SimpleImmutableEntry<>(ATTRIBUTE_NAMES[i], values[i]);
                            i++;
                            return e;
                        }
                    };
                }
            };
        }
    }
}
