package io.github.fraudflink.trainer;

import io.github.fraudflink.features.AccountFeatures;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The Fraud Detection Handbook's time-based evaluation protocol: train on {@code trainDays} days from
 * {@code trainStart}, skip {@code delayDays} days (labels arrive late), test on the next {@code testDays}
 * days, leaving out of each test day the cards already known to be compromised (frauds of the training
 * period and of the delay days before it). Prequential folds repeat this, each shifted {@code testDays} earlier.
 */
public record HandbookProtocol(LocalDate trainStart, int trainDays, int delayDays, int testDays) {

    /** Rows of the training and test periods. */
    public record Split(int[] train, int[] test) {}

    /** The handbook's baseline split on the shared window: train 2018-07-25..07-31, test 2018-08-08..08-14. */
    public static HandbookProtocol baseline() {
        return new HandbookProtocol(LocalDate.of(2018, 7, 25), 7, 7, 7);
    }

    /**
     * The split of Kaggle's {@code creditcard.csv}, whose {@code Time} covers two days from
     * {@link io.github.fraudflink.data.DatasetReader#KAGGLE_EPOCH} (2013-09-02): train on the first day, no delay (the
     * data has no label delay to model, and two days leave no room for one), test on the second. Every row is its own
     * card, so no test row is left out as a known compromised card.
     */
    public static HandbookProtocol kaggle() {
        return new HandbookProtocol(LocalDate.ofInstant(io.github.fraudflink.data.DatasetReader.KAGGLE_EPOCH, ZoneOffset.UTC),
                1, 0, 1);
    }

    /** The same protocol shifted {@code fold * testDays} days earlier (fold 0 is this one). */
    public HandbookProtocol fold(int fold) {
        return new HandbookProtocol(trainStart.minusDays((long) fold * testDays), trainDays, delayDays, testDays);
    }

    public long trainStartMillis() {
        return trainStart.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    public LocalDate testStart() {
        return trainStart.plusDays(trainDays + delayDays);
    }

    /** Day number (days since 1970-01-01, UTC) of an event time. */
    public static int day(long eventTime) {
        return (int) Math.floorDiv(eventTime, AccountFeatures.DAY);
    }

    public Split split(FeatureTable t) {
        int start = day(trainStartMillis());
        int testStart = start + trainDays + delayDays;
        int[] train = IntStream.range(0, t.rows).filter(i -> {
            int d = day(t.eventTimes[i]);
            return d >= start && d < start + trainDays;
        }).toArray();
        Set<String> known = new HashSet<>();
        for (int i : train) {
            if (t.labels[i]) {
                known.add(t.accounts[i]);
            }
        }
        // frauds per day, for the delay days that become known as the test days go by
        Map<Integer, Set<String>> fraudCardsByDay = new LinkedHashMap<>();
        for (int i = 0; i < t.rows; i++) {
            if (t.labels[i]) {
                fraudCardsByDay.computeIfAbsent(day(t.eventTimes[i]), d -> new HashSet<>()).add(t.accounts[i]);
            }
        }
        IntStream.Builder test = IntStream.builder();
        for (int k = 0; k < testDays; k++) {
            // on test day k, the frauds of day (start + trainDays + k - 1) are known
            known.addAll(fraudCardsByDay.getOrDefault(start + trainDays + k - 1, Set.of()));
            int day = testStart + k;
            for (int i = 0; i < t.rows; i++) {
                if (day(t.eventTimes[i]) == day && !known.contains(t.accounts[i])) {
                    test.add(i);
                }
            }
        }
        return new Split(train, test.build().toArray());
    }

    /**
     * The review band {@code [review, decline)} on {@code rows}: its share of the rows ({@code review_share}), the share
     * of fraud in it ({@code precision_in_review_band}, 0 when empty), and the recall of reviews and declines together
     * ({@code recall_at_review_threshold}).
     */
    public static Map<String, Double> reviewBand(FeatureTable t, int[] rows, double[] scores, double review, double decline) {
        long in = 0;
        long fraudsIn = 0;
        long frauds = 0;
        long caught = 0;
        for (int r = 0; r < rows.length; r++) {
            boolean fraud = t.labels[rows[r]];
            frauds += fraud ? 1 : 0;
            if (scores[r] >= review) {
                caught += fraud ? 1 : 0;
                if (scores[r] < decline) {
                    in++;
                    fraudsIn += fraud ? 1 : 0;
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("review_share", rows.length == 0 ? 0 : (double) in / rows.length);
        m.put("precision_in_review_band", in == 0 ? 0 : (double) fraudsIn / in);
        m.put("recall_at_review_threshold", frauds == 0 ? 0 : (double) caught / frauds);
        return m;
    }

    /** AUPRC, ROC AUC, card precision@100 and precision / recall / F1 at {@code threshold} of {@code scores} on {@code rows}. */
    public static Map<String, Double> evaluate(FeatureTable t, int[] rows, double[] scores, double threshold) {
        boolean[] y = new boolean[rows.length];
        int[] days = new int[rows.length];
        String[] cards = new String[rows.length];
        for (int r = 0; r < rows.length; r++) {
            y[r] = t.labels[rows[r]];
            days[r] = day(t.eventTimes[rows[r]]);
            cards[r] = t.accounts[rows[r]];
        }
        Metrics.AtThreshold at = Metrics.atThreshold(scores, y, threshold);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("auprc", Metrics.averagePrecision(scores, y));
        m.put("roc_auc", Metrics.rocAuc(scores, y));
        m.put("card_precision_at_100", Metrics.cardPrecisionAtK(scores, y, days, cards, 100));
        m.put("precision_at_threshold", at.precision());
        m.put("recall_at_threshold", at.recall());
        m.put("f1_at_threshold", at.f1());
        m.put("test_transactions", (double) rows.length);
        m.put("test_frauds", (double) countPositives(y));
        return m;
    }

    private static long countPositives(boolean[] y) {
        long n = 0;
        for (boolean b : y) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
