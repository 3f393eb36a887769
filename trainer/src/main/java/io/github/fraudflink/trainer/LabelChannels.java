package io.github.fraudflink.trainer;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.data.LabelledTransaction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The label channels a card issuer really has, replayed on a labelled dataset: an analysts' review queue, cardholders'
 * reports and chargebacks, each labelling a transaction with its own delay ({@code source} = {@code analyst},
 * {@code cardholder}, {@code chargeback}).
 *
 * <ul>
 *   <li><b>analyst</b>: a causal daily budget. A transaction of day {@code D} is reviewed when its score is at or
 *       above the bar of day {@code D} (the {@code K}-th highest score of day {@code D - 1}, so the choice never looks
 *       ahead) and fewer than {@code K} transactions of day {@code D} were reviewed before it, in event-time order. No
 *       reviews on a day whose previous day has fewer than {@code K} scored transactions (the first scored day among
 *       them). The verdict is the truth, made and known {@code analystDelay} after the transaction.</li>
 *   <li><b>cardholder</b>: each fraud not reviewed is reported with probability {@code p}, decided by a hash of the
 *       transaction's identity and a seed (the same data and seed give the same reports), made and known
 *       {@code cardholderDelay} after the transaction.</li>
 *   <li><b>chargeback</b>: every other transaction, genuine ones included (the handbook labels every transaction),
 *       {@code chargebackDelay} after it. A transaction labelled by an analyst or a cardholder gets no other label: a
 *       later chargeback of a fraud would say the same, and a reviewed genuine one would never be charged back.</li>
 * </ul>
 *
 * With {@code K = 0} and {@code p = 0} every label is a chargeback: the handbook's assumption
 * ({@link FeatureTable#labelsAtDelay}, with source {@code chargeback}).
 */
public final class LabelChannels {
    public static final String ANALYST = "analyst";
    public static final String CARDHOLDER = "cardholder";
    public static final String CHARGEBACK = "chargeback";

    /**
     * The channels' settings.
     *
     * @param analystDaily reviews a day ({@code K}); 0: no analysts
     * @param cardholderShare the share {@code p} of unreviewed frauds a cardholder reports, in [0, 1]
     * @param seed what the cardholder's draws hash with the transaction's identity
     * @param selectorTrainStart the first training day of the model whose scores fill the review queue; null: the
     *     latest window that makes it usable from the first day any fold's features need ({@link TrainingRun})
     * @param selectorTrainDays its training days
     */
    public record Config(int analystDaily, Duration analystDelay, double cardholderShare, Duration cardholderDelay,
            Duration chargebackDelay, long seed, LocalDate selectorTrainStart, int selectorTrainDays) {
        public static final Duration DEFAULT_ANALYST_DELAY = Duration.ofHours(4);
        public static final Duration DEFAULT_CARDHOLDER_DELAY = Duration.ofDays(2);
        public static final int DEFAULT_SELECTOR_TRAIN_DAYS = 21;

        public Config {
            if (analystDaily < 0) {
                throw new IllegalArgumentException("--analyst-daily must be 0 or more, got " + analystDaily);
            }
            if (!(cardholderShare >= 0 && cardholderShare <= 1)) {
                throw new IllegalArgumentException("--cardholder-share must lie in [0, 1], got " + cardholderShare);
            }
            for (Duration d : List.of(analystDelay, cardholderDelay, chargebackDelay)) {
                if (d.isNegative()) {
                    throw new IllegalArgumentException("a channel's delay must not be negative: " + d);
                }
            }
            if (selectorTrainDays < 1) {
                throw new IllegalArgumentException("--selector-train-days must be at least 1, got " + selectorTrainDays);
            }
        }

        /** Whether the analysts review anything (and a selector model is needed). */
        public boolean analysts() {
            return analystDaily > 0;
        }

        /** The settings as one line, for logs and the manifest. */
        public String describe() {
            return String.format("analyst %d a day after %s, cardholder share %s after %s, chargeback after %s, seed %d",
                    analystDaily, analystDelay, cardholderShare, cardholderDelay, chargebackDelay, seed);
        }
    }

    /** The labels, and how many each channel gave, with their frauds per scenario ({@code scenario -> count}). */
    public record Result(List<Label> labels, long[] labelled, long[] frauds, TreeMap<Integer, long[]> fraudsByScenario,
            int reviewDays) {
        /** Per channel (analyst, cardholder, chargeback): labels given and frauds among them, as one line. */
        public String summary() {
            StringBuilder b = new StringBuilder();
            String[] names = {ANALYST, CARDHOLDER, CHARGEBACK};
            for (int c = 0; c < 3; c++) {
                b.append(c == 0 ? "" : "; ").append(String.format("%s %,d labels (%,d frauds)", names[c], labelled[c],
                        frauds[c]));
            }
            b.append(String.format("; analysts at work on %d days; frauds by scenario (analyst/cardholder/chargeback):",
                    reviewDays));
            fraudsByScenario.forEach((s, n) -> b.append(String.format(" %d: %d/%d/%d", s, n[0], n[1], n[2])));
            return b.toString();
        }
    }

    private LabelChannels() {}

    /**
     * The label of every transaction of {@code data} (in event-time order) from the first channel that labels it.
     *
     * @param scores the selector's score per transaction, parallel to {@code data}; NaN where it did not score (such a
     *     transaction is never reviewed, nor counts for the next day's bar)
     */
    public static Result assign(List<LabelledTransaction> data, double[] scores, Config c) {
        if (scores.length != data.size()) {
            throw new IllegalArgumentException("one score per transaction: " + scores.length + " for " + data.size());
        }
        long analystMs = c.analystDelay().toMillis();
        long cardholderMs = c.cardholderDelay().toMillis();
        long chargebackMs = c.chargebackDelay().toMillis();
        List<Label> out = new ArrayList<>(data.size());
        long[] labelled = new long[3];
        long[] frauds = new long[3];
        TreeMap<Integer, long[]> byScenario = new TreeMap<>();
        int day = Integer.MIN_VALUE;
        double bar = Double.NaN; // NaN: no reviews today
        int reviewed = 0;
        int reviewDays = 0;
        List<Double> today = new ArrayList<>();
        long previousTime = Long.MIN_VALUE;
        for (int i = 0; i < data.size(); i++) {
            LabelledTransaction lt = data.get(i);
            long t = lt.tx().eventTime;
            if (t < previousTime) {
                throw new IllegalArgumentException("the transactions must be in event-time order: "
                        + lt.tx().transactionId + " comes after a later one");
            }
            previousTime = t;
            int d = HandbookProtocol.day(t);
            if (d != day) {
                bar = d == day + 1 ? kthHighest(today, c.analystDaily()) : Double.NaN;
                reviewDays += Double.isNaN(bar) ? 0 : 1;
                today.clear();
                reviewed = 0;
                day = d;
            }
            double s = scores[i];
            if (!Double.isNaN(s)) {
                today.add(s);
            }
            int channel;
            long delay;
            if (c.analysts() && !Double.isNaN(bar) && !Double.isNaN(s) && s >= bar && reviewed < c.analystDaily()) {
                reviewed++;
                channel = 0;
                delay = analystMs;
            } else if (lt.fraud() && draw(lt, c.seed()) < c.cardholderShare()) {
                channel = 1;
                delay = cardholderMs;
            } else {
                channel = 2;
                delay = chargebackMs;
            }
            long at = t + delay;
            out.add(Label.of(lt.tx(), lt.fraud(), at, at, channel == 0 ? ANALYST : channel == 1 ? CARDHOLDER : CHARGEBACK));
            labelled[channel]++;
            if (lt.fraud()) {
                frauds[channel]++;
                byScenario.computeIfAbsent(lt.scenario(), k -> new long[3])[channel]++;
            }
        }
        return new Result(out, labelled, frauds, byScenario, reviewDays);
    }

    /** The {@code k}-th highest of {@code scores}, or NaN when there are fewer than {@code k} (or {@code k} is 0). */
    static double kthHighest(List<Double> scores, int k) {
        if (k < 1 || scores.size() < k) {
            return Double.NaN;
        }
        double[] v = scores.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v[v.length - k];
    }

    /**
     * The cardholder's draw for a transaction, uniform in [0, 1): a 64-bit FNV-1a hash of its account and id, mixed
     * with the seed (SplitMix64's finaliser). The same transaction and seed always draw the same.
     */
    static double draw(LabelledTransaction lt, long seed) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (lt.tx().accountId + '\u0000' + lt.tx().transactionId).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        long z = h + seed * 0x9e3779b97f4a7c15L + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
