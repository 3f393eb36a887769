package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The terminal features against a brute-force reference over random transactions and labels (out-of-order events,
 * late, early and reversed labels, repeats, ids shared by accounts), arriving in random orders.
 */
class TerminalFeaturesTest {
    private static final long DAY = TerminalFeatures.DAY;
    private static final Duration DELAY = Duration.ofDays(7);
    private static final Duration LAG = Duration.ofMinutes(1);

    private record Tx(String account, String id, long time) {}

    /** A label: made at {@code at}, known to the system from {@code known} (at or after {@code at}). */
    private record Lb(Tx tx, boolean fraud, long at, long known) {}

    /** The value at {@code t} by rescanning everything: the definition, written the plainest way. */
    private static double[] reference(List<Tx> txs, List<Lb> labels, long t) {
        double[] v = new double[TerminalFeatures.size()];
        int n = TerminalFeatures.WINDOW_DAYS.length;
        long upper = t - DELAY.toMillis();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int w = 0; w < n; w++) {
            long lower = upper - TerminalFeatures.WINDOW_DAYS[w] * DAY;
            List<Tx> in = txs.stream().filter(x -> x.time() > lower && x.time() <= upper).distinct().toList();
            int frauds = 0;
            for (Tx x : in) {
                if (knownFraud(x, labels, t)) {
                    frauds++;
                    first = Math.min(first, x.time());
                    last = Math.max(last, x.time());
                }
            }
            v[2 * w] = in.size();
            v[2 * w + 1] = in.isEmpty() ? 0 : (double) frauds / in.size();
            v[2 * n + w] = frauds;
        }
        v[3 * n] = first == Long.MAX_VALUE ? 0 : (double) (t - first) / DAY;
        v[3 * n + 1] = last == Long.MIN_VALUE ? 0 : (double) (t - last) / DAY;
        // the recent known frauds: the labelled transactions of (t - w, t] (from the labels, whether or not the
        // transaction itself is there) whose verdict known at t - L is fraud
        List<Tx> labelled = labels.stream().map(Lb::tx).distinct().toList();
        int m = TerminalFeatures.RECENT_WINDOW_DAYS.length;
        for (int w = 0; w < m; w++) {
            long lower = t - TerminalFeatures.RECENT_WINDOW_DAYS[w] * DAY;
            v[3 * n + 2 + w] = labelled.stream().filter(x -> x.time() > lower && x.time() <= t)
                    .filter(x -> knownFraud(x, labels, t)).count();
        }
        long latest = labelled.stream().filter(x -> x.time() > t - 30 * DAY && x.time() <= t)
                .filter(x -> knownFraud(x, labels, t)).mapToLong(Tx::time).max().orElse(Long.MIN_VALUE);
        v[3 * n + 2 + m] = latest == Long.MIN_VALUE ? 30 : (double) (t - latest) / DAY;
        return v;
    }

    /**
     * Whether, of the labels of {@code x} known at {@code t - L}, the one made last says fraud (fraud wins a tie): the
     * verdict is chosen by when it was made, counted from when it became known.
     */
    private static boolean knownFraud(Tx x, List<Lb> labels, long t) {
        Lb best = null;
        for (Lb l : labels) {
            if (l.tx().equals(x) && l.known() <= t - LAG.toMillis()
                    && (best == null || l.at() > best.at() || (l.at() == best.at() && l.fraud()))) {
                best = l;
            }
        }
        return best != null && best.fraud();
    }

    /**
     * Transactions over ~60 days (some out of order, some repeated, ids reused by another account) and their labels,
     * half of them known when made, the others up to 3 days later (a lagging feed), some sent twice (a resend, known
     * again later).
     */
    private static void generate(Random r, int n, List<Tx> txs, List<Lb> labels) {
        long clock = 1_530_000_000_000L;
        for (int i = 0; i < n; i++) {
            clock += (long) (r.nextDouble() * DAY / 4);
            long t = r.nextDouble() < 0.2 ? clock - (long) (r.nextDouble() * 2 * DAY) : clock;
            Tx tx = new Tx(r.nextDouble() < 0.1 ? "b" : "a", "t" + (r.nextDouble() < 0.1 ? r.nextInt(i + 1) : i), t);
            txs.add(tx);
            if (r.nextDouble() < 0.05) {
                txs.add(tx); // the same transaction again
            }
            for (int k = r.nextInt(4); k > 0; k--) { // 0..3 labels: on time, late, early, reversals, exact repeats
                long at0 = tx.time() + (long) (r.nextDouble() * 12 * DAY);
                long at = r.nextDouble() < 0.1 ? Math.max(tx.time(), at0 - at0 % DAY) : at0;
                long known = r.nextBoolean() ? at : at + (long) (r.nextDouble() * 3 * DAY);
                Lb l = new Lb(tx, r.nextDouble() < 0.4, at, known);
                labels.add(l);
                if (r.nextDouble() < 0.1) {
                    labels.add(r.nextBoolean() ? l : new Lb(tx, l.fraud(), at, known + (long) (r.nextDouble() * DAY)));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void anyArrivalOrderGivesTheReferenceOnceWhatATransactionNeedsHasArrived(long seed) {
        Random r = new Random(seed);
        List<Tx> txs = new ArrayList<>();
        List<Lb> labels = new ArrayList<>();
        generate(r, 250, txs, labels);
        List<Object> arrivals = new ArrayList<>(txs);
        arrivals.addAll(labels);
        Collections.shuffle(arrivals, r);

        TerminalFeatures f = new TerminalFeatures(DELAY, LAG, Integer.MAX_VALUE);
        TerminalHistory h = new TerminalHistory();
        List<Tx> arrivedTx = new ArrayList<>();
        List<Lb> arrivedLabels = new ArrayList<>();
        int checked = 0;
        int nonZeroShares = 0;
        int nonZeroRecent = 0;
        for (Object a : arrivals) {
            if (a instanceof Tx x) {
                f.addTransaction(h, x.account(), x.id(), x.time());
                arrivedTx.add(x);
            } else {
                Lb l = (Lb) a;
                f.addLabel(h, l.tx().account(), l.tx().id(), l.tx().time(), l.fraud(), l.at(), l.known());
                arrivedLabels.add(l);
            }
            // a transaction whose inputs are all here: every transaction up to t - d, every label up to t - L
            Tx probe = txs.get(r.nextInt(txs.size()));
            long t = probe.time();
            boolean complete = txs.stream().filter(x -> x.time() <= t - DELAY.toMillis()).allMatch(arrivedTx::contains)
                    && labels.stream().filter(l -> l.known() <= t - LAG.toMillis()).allMatch(arrivedLabels::contains);
            if (complete) {
                double[] want = reference(txs, labels, t);
                double[] got = f.compute(h, t);
                for (int j = 0; j < want.length; j++) {
                    assertThat(got[j]).as("seed %d, t=%d, value %d", seed, t, j).isCloseTo(want[j], within(1e-12));
                }
                checked++;
                nonZeroShares += got[5] > 0 ? 1 : 0;
                nonZeroRecent += got[want.length - 2] > 0 ? 1 : 0;
            }
        }
        // then every transaction in event-time order, expiring behind it as the job does behind its watermark
        List<Tx> byTime = new ArrayList<>(txs);
        byTime.sort(java.util.Comparator.comparingLong(Tx::time));
        for (Tx x : byTime) {
            assertThat(f.expire(h, x.time())).isZero();
            assertThat(f.compute(h, x.time())).as("seed %d, %s", seed, x).containsExactly(reference(txs, labels, x.time()));
            nonZeroShares += f.compute(h, x.time())[5] > 0 ? 1 : 0;
            nonZeroRecent += f.compute(h, x.time())[TerminalFeatures.size() - 2] > 0 ? 1 : 0;
        }
        assertThat(checked).as("complete moments during the arrivals").isPositive();
        assertThat(nonZeroShares).as("the sequence exercises known frauds").isPositive();
        assertThat(nonZeroRecent).as("the sequence exercises recent known frauds").isPositive();
    }

    @Test
    void anEmptyWindowHasShareZeroAndALabelCountsOnlyOnceKnown() {
        TerminalFeatures f = new TerminalFeatures(DELAY, Duration.ZERO, 100);
        TerminalHistory h = new TerminalHistory();
        long t0 = 1_530_000_000_000L;
        assertThat(f.apply(h, "acc", "a", t0)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30);
        f.addLabel(h, "acc", "a", t0, true, t0 + 9 * DAY);
        // eight days later "a" lies in (t - 14d, t - 7d] and (t - 37d, t - 7d], not in (t - 8d, t - 7d] (the lower end
        // is open), and its label is not known yet
        assertThat(f.apply(h, "acc", "b", t0 + 8 * DAY)).containsExactly(0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 30);
        // ten days later the label is known ("b" is not yet 7 days old, so it does not count): one known fraud, ten
        // days old, the first and the last; "a" is older than the recent 7 days, but it is the latest known fraud
        assertThat(f.compute(h, t0 + 10 * DAY)).containsExactly(0, 0, 1, 1, 1, 1, 0, 1, 1, 10, 10, 0, 0, 10);
        // an analyst reverses it at day 10: from then on it is genuine, before then it stays a fraud
        f.addLabel(h, "acc", "a", t0, false, t0 + 10 * DAY);
        assertThat(f.compute(h, t0 + 10 * DAY)).containsExactly(0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 30);
        double age = (10 * DAY - 1) / (double) DAY;
        assertThat(f.compute(h, t0 + 10 * DAY - 1)).containsExactly(0, 0, 1, 1, 1, 1, 0, 1, 1, age, age, 0, 0, age);
        // the same transaction id on another account is another transaction: its label does not count for "a"
        f.addLabel(h, "other", "a", t0, true, t0 + 11 * DAY);
        // (the recent values count it, since they are read from the labels alone: a fraud of this terminal, 12 days old)
        assertThat(f.compute(h, t0 + 12 * DAY)).containsExactly(0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 12);
        // exactly 7 days + 1 day after "b": "b" is at the closed upper end of every window
        assertThat(f.compute(h, t0 + 15 * DAY)[0]).isEqualTo(1);
    }

    @Test
    void theFirstAndLastKnownFraudsDateTheTrouble() {
        TerminalFeatures f = new TerminalFeatures(DELAY, Duration.ZERO, 100);
        TerminalHistory h = new TerminalHistory();
        long t0 = 1_530_000_000_000L;
        for (int day = 0; day < 5; day++) { // frauds on days 0..4, a genuine one on day 5
            f.addTransaction(h, "acc", "f" + day, t0 + day * DAY);
            f.addLabel(h, "acc", "f" + day, t0 + day * DAY, day < 5, t0 + day * DAY + DAY);
        }
        f.addTransaction(h, "acc", "g", t0 + 5 * DAY);
        f.addLabel(h, "acc", "g", t0 + 5 * DAY, false, t0 + 6 * DAY);
        int n = TerminalFeatures.WINDOW_DAYS.length;
        // at day 20 the window (t - 37d, t - 7d] holds all six; the first fraud is 20 days old, the last 16
        double[] v = f.compute(h, t0 + 20 * DAY);
        assertThat(v[2 * n + 2]).isEqualTo(5);
        assertThat(v[3 * n]).isEqualTo(20);
        assertThat(v[3 * n + 1]).isEqualTo(16);
        // at day 40 only days 4 and 5 are left in it ((t0 + 3d, t0 + 33d]): one fraud, 36 days old
        v = f.compute(h, t0 + 40 * DAY);
        assertThat(v[2 * n + 2]).isEqualTo(1);
        assertThat(v[3 * n]).isEqualTo(36);
        assertThat(v[3 * n + 1]).isEqualTo(36);
    }

    @Test
    void theLabelLagDecidesWhenALabelStartsToCount() {
        TerminalFeatures f = new TerminalFeatures(DELAY, LAG, 100);
        TerminalHistory h = new TerminalHistory();
        long t0 = 1_530_000_000_000L;
        f.addTransaction(h, "acc", "a", t0);
        f.addLabel(h, "acc", "a", t0, true, t0 + 8 * DAY);
        assertThat(f.compute(h, t0 + 8 * DAY + LAG.toMillis() - 1)[3]).isZero();
        assertThat(f.compute(h, t0 + 8 * DAY + LAG.toMillis())[3]).isEqualTo(1);
    }

    @Test
    void aFastLabelCountsAtOnceInTheRecentWindowsFromTheLabelsAlone() {
        TerminalFeatures f = new TerminalFeatures(DELAY, LAG, 100);
        TerminalHistory h = new TerminalHistory();
        long t0 = 1_530_000_000_000L;
        long hour = DAY / 24;
        int r = 3 * TerminalFeatures.WINDOW_DAYS.length + 2; // the first recent value
        // an analyst's verdict four hours after the transaction; the transaction itself has not reached the history
        // (a job receives transactions up to t - d only): the recent values come from the labels alone
        f.addLabel(h, "acc", "a", t0, true, t0 + 4 * hour);
        assertThat(f.compute(h, t0 + 4 * hour + LAG.toMillis() - 1)).endsWith(0, 0, 30);
        double[] v = f.compute(h, t0 + 4 * hour + LAG.toMillis());
        assertThat(v).endsWith(1, 1, (4 * hour + LAG.toMillis()) / (double) DAY);
        assertThat(v[3]).as("the delayed share does not see it").isZero();
        // a day and a half later it has left the 1-day window, not the 7-day one
        assertThat(f.compute(h, t0 + 36 * hour)).endsWith(0, 1, 1.5);
        // a cardholder's report of a second fraud, two days after it; a genuine verdict counts for nothing
        f.addLabel(h, "acc", "b", t0 + DAY, true, t0 + 3 * DAY);
        f.addLabel(h, "acc", "c", t0 + 2 * DAY, false, t0 + 2 * DAY + hour);
        assertThat(f.compute(h, t0 + 3 * DAY)).endsWith(0, 1, 3);
        assertThat(f.compute(h, t0 + 3 * DAY + LAG.toMillis())).endsWith(0, 2, (2 * DAY + LAG.toMillis()) / (double) DAY);
        // reversed by a later verdict: from then on it is not a fraud
        f.addLabel(h, "acc", "b", t0 + DAY, false, t0 + 4 * DAY);
        assertThat(f.compute(h, t0 + 4 * DAY)[r + 1]).isEqualTo(2);
        assertThat(f.compute(h, t0 + 4 * DAY + LAG.toMillis())[r + 1]).isEqualTo(1);
        // past 30 days the latest known fraud is out of reach: "none", as far as the window goes
        assertThat(f.compute(h, t0 + 30 * DAY)).endsWith(0, 0, 30);
        assertThat(f.compute(h, t0 + 30 * DAY - 1)[r + 2]).isLessThan(30);
    }

    @Test
    void aBusyTerminalStaysWithinItsBoundAndSaysSo() {
        TerminalFeatures f = new TerminalFeatures(DELAY, LAG, 500);
        TerminalHistory h = new TerminalHistory();
        int cut = 0;
        for (int i = 0; i < 10_000; i++) {
            long t = 1_530_000_000_000L + i * 1000L;
            f.addTransaction(h, "acc", "x" + i, t);
            f.addLabel(h, "acc", "x" + i, t, false, t + DAY);
            cut += f.expire(h, t);
        }
        assertThat(h.size()).isEqualTo(500);
        assertThat(h.labels()).isEqualTo(500);
        assertThat(cut).isEqualTo(2 * (10_000 - 500));
    }
}
