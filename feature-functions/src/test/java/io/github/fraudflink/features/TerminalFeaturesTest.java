package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The terminal features against a brute-force reference on random arrivals of transactions and labels. */
class TerminalFeaturesTest {
    private static final long DAY = TerminalFeatures.DAY;
    private static final Duration DELAY = Duration.ofDays(7);

    /** One arrival: a transaction (label == null) or a label of an earlier transaction. */
    private record Arrival(String id, long time, Boolean label, long labelledAt) {}

    private record Tx(String id, long time) {}

    /** Transactions and labels in one random arrival order: late events, labels late, early and reversed, repeats. */
    private static List<Arrival> randomArrivals(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Arrival> out = new ArrayList<>();
        List<Tx> seen = new ArrayList<>();
        long clock = 1_530_000_000_000L;
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            if (u < 0.35 && !seen.isEmpty()) {
                Tx tx = seen.get(r.nextInt(seen.size()));
                long labelledAt = tx.time() + (long) (r.nextDouble() * 20 * DAY); // from at once to 20 days later
                out.add(new Arrival(tx.id(), tx.time(), r.nextDouble() < 0.3, labelledAt));
            } else if (u < 0.40 && !seen.isEmpty()) {
                Tx tx = seen.get(seen.size() - 1 - r.nextInt(Math.min(3, seen.size())));
                out.add(new Arrival(tx.id(), tx.time(), null, 0)); // a repeated transaction
            } else {
                long t = u < 0.55 ? clock - (long) (r.nextDouble() * 3 * DAY) : (clock += (long) (r.nextDouble() * 2 * DAY));
                Tx tx = new Tx("t" + i, t);
                seen.add(tx);
                out.add(new Arrival(tx.id(), t, null, 0));
            }
        }
        return out;
    }

    /** For each transaction arrival, the features by rescanning every transaction and label that arrived before. */
    private static List<double[]> reference(List<Arrival> arrivals, long retention) {
        List<Tx> alive = new ArrayList<>();
        Map<String, Arrival> latestLabel = new HashMap<>();
        List<double[]> out = new ArrayList<>();
        long max = Long.MIN_VALUE;
        for (Arrival a : arrivals) {
            if (a.label() != null) {
                if (alive.stream().anyMatch(x -> x.id().equals(a.id()))) {
                    // the latest labelled_at wins; at the same instant, fraud
                    latestLabel.merge(a.id(), a, (old, now) -> now.labelledAt() > old.labelledAt()
                            || (now.labelledAt() == old.labelledAt() && now.label()) ? now : old);
                }
                continue;
            }
            long t = a.time();
            double[] v = new double[TerminalFeatures.size()];
            for (int w = 0; w < TerminalFeatures.WINDOW_DAYS.length; w++) {
                long upper = t - DELAY.toMillis();
                long lower = upper - TerminalFeatures.WINDOW_DAYS[w] * DAY;
                int count = 0;
                int frauds = 0;
                for (Tx x : alive) {
                    if (x.time() > lower && x.time() <= upper) {
                        count++;
                        Arrival l = latestLabel.get(x.id());
                        if (l != null && l.label() && l.labelledAt() <= t) {
                            frauds++;
                        }
                    }
                }
                v[2 * w] = count;
                v[2 * w + 1] = count == 0 ? 0 : (double) frauds / count;
            }
            out.add(v);
            if (alive.stream().noneMatch(x -> x.id().equals(a.id()))) {
                alive.add(new Tx(a.id(), t));
                max = Math.max(max, t);
                long horizon = max - retention;
                alive.removeIf(x -> x.time() <= horizon);
                latestLabel.keySet().removeIf(id -> alive.stream().noneMatch(x -> x.id().equals(id)));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void matchesTheBruteForceReference(long seed) {
        TerminalFeatures f = new TerminalFeatures(DELAY, Integer.MAX_VALUE);
        List<Arrival> arrivals = randomArrivals(seed, 600);
        List<double[]> want = reference(arrivals, DELAY.toMillis() + 30 * DAY);
        TerminalHistory h = new TerminalHistory();
        int k = 0;
        int nonZeroShares = 0;
        for (Arrival a : arrivals) {
            if (a.label() != null) {
                f.label(h, a.id(), a.label(), a.labelledAt());
                continue;
            }
            double[] got = f.apply(h, a.id(), a.time());
            double[] w = want.get(k++);
            for (int j = 0; j < w.length; j++) {
                assertThat(got[j]).as("seed %d transaction %s value %d", seed, a, j).isCloseTo(w[j], within(1e-12));
            }
            nonZeroShares += got[5] > 0 ? 1 : 0;
        }
        assertThat(nonZeroShares).as("the sequence exercises known frauds").isPositive();
    }

    @Test
    void anEmptyWindowHasShareZeroAndALabelCountsOnlyOnceKnown() {
        TerminalFeatures f = new TerminalFeatures(DELAY, 100);
        TerminalHistory h = new TerminalHistory();
        long t0 = 1_530_000_000_000L;
        assertThat(f.apply(h, "a", t0)).containsExactly(0, 0, 0, 0, 0, 0);
        f.label(h, "a", true, t0 + 9 * DAY);
        // eight days later "a" lies in (t - 14d, t - 7d] and (t - 37d, t - 7d], not in (t - 8d, t - 7d] (the lower end
        // is open), and its label is not known yet
        assertThat(f.apply(h, "b", t0 + 8 * DAY)).containsExactly(0, 0, 1, 0, 1, 0);
        // ten days later the label is known ("b" is not yet 7 days old, so it does not count)
        assertThat(f.apply(h, "c", t0 + 10 * DAY)).containsExactly(0, 0, 1, 1, 1, 1);
        // an analyst reverses it; a stale label arriving after that changes nothing
        f.label(h, "a", false, t0 + 10 * DAY);
        f.label(h, "a", true, t0 + 9 * DAY);
        assertThat(f.apply(h, "d", t0 + 10 * DAY)).containsExactly(0, 0, 1, 0, 1, 0);
        // exactly 7 days + 1 day after "b": "b" is at the closed upper end of every window
        assertThat(f.apply(h, "e", t0 + 15 * DAY)[0]).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25})
    void theOrderInWhichLabelsArriveDoesNotMatter(long seed) {
        // the same transactions, each followed by its labels in two different orders: the same features
        SplittableRandom r = new SplittableRandom(seed);
        TerminalFeatures f = new TerminalFeatures(DELAY, 1000);
        TerminalHistory a = new TerminalHistory();
        TerminalHistory b = new TerminalHistory();
        long t = 1_530_000_000_000L;
        for (int i = 0; i < 300; i++) {
            t += (long) (r.nextDouble() * DAY / 2);
            String id = "t" + i;
            double[] fa = f.apply(a, id, t);
            double[] fb = f.apply(b, id, t);
            assertThat(fa).containsExactly(fb);
            List<Object[]> labels = new ArrayList<>();
            for (int k = r.nextInt(4); k > 0; k--) {
                labels.add(new Object[] {r.nextDouble() < 0.4, t + (long) (r.nextDouble() * 3) * DAY});
            }
            for (Object[] l : labels) {
                f.label(a, id, (Boolean) l[0], (Long) l[1]);
            }
            java.util.Collections.reverse(labels);
            for (Object[] l : labels) {
                f.label(b, id, (Boolean) l[0], (Long) l[1]);
            }
        }
        assertThat(a.fraud).containsExactly(b.fraud);
        assertThat(a.labelledAt).containsExactly(b.labelledAt);
    }

    @Test
    void aBusyTerminalStaysWithinItsBound() {
        TerminalFeatures f = new TerminalFeatures(DELAY, 500);
        TerminalHistory h = new TerminalHistory();
        for (int i = 0; i < 10_000; i++) {
            f.apply(h, "x" + i, 1_530_000_000_000L + i * 1000L);
        }
        assertThat(h.size()).isEqualTo(500);
    }
}
