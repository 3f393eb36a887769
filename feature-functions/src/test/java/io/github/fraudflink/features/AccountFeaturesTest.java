package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccountFeaturesTest {
    private static final long MIN = AccountFeatures.MINUTE;
    private static final long HOUR = AccountFeatures.HOUR;
    private static final long DAY = AccountFeatures.DAY;
    private static final Duration SLACK = Duration.ofHours(20);

    /** One event of a generated sequence, in arrival order. */
    private record Ev(String id, long time, double amount) {}

    /**
     * The specification, computed the slow way: for each event rescan every event that arrived before
     * it (first occurrences only, minus those the retention has dropped).
     */
    private static List<double[]> reference(List<Ev> events, long retention) {
        return reference(events, retention, Integer.MAX_VALUE);
    }

    /** As above, keeping at most {@code maxHistory} events: the oldest by event time (then arrival) go first. */
    private static List<double[]> reference(List<Ev> events, long retention, int maxHistory) {
        List<Ev> alive = new ArrayList<>();
        Map<String, double[]> first = new HashMap<>();
        List<double[]> out = new ArrayList<>();
        Map<String, Integer> arrival = new HashMap<>();
        long max = Long.MIN_VALUE;
        for (Ev e : events) {
            Ev known = alive.stream().filter(a -> a.id().equals(e.id())).findFirst().orElse(null);
            if (known != null && maxHistory == Integer.MAX_VALUE) {
                out.add(first.get(e.id()));
                continue;
            }
            if (known != null) {
                // at the bound the first result may rest on transactions since dropped: a repeat gets the features
                // of its first occurrence computed from the transactions still kept that arrived before it
                int firstArrival = arrival.get(e.id());
                List<Ev> before = alive.stream().filter(a -> arrival.get(a.id()) < firstArrival).toList();
                out.add(features(before, known.time(), known.amount()));
                continue;
            }
            assertThat(first.containsKey(e.id()) && maxHistory == Integer.MAX_VALUE)
                    .as("generator only repeats ids still inside the retention").isFalse();
            long t = e.time();
            double[] v = features(alive, t, e.amount());
            out.add(v);
            first.put(e.id(), v);
            arrival.put(e.id(), out.size() - 1);
            alive.add(e);
            max = Math.max(max, t);
            long horizon = max - retention;
            alive.removeIf(a -> a.time() <= horizon);
            while (alive.size() > maxHistory) {
                Ev oldest = alive.get(0);
                for (Ev a : alive) {
                    if (a.time() < oldest.time()) {
                        oldest = a; // the earliest arrival among equal times, as alive is in arrival order
                    }
                }
                alive.remove(oldest);
            }
        }
        return out;
    }

    /** The features of an event at {@code t} with {@code amount} given the transactions {@code alive} before it. */
    private static double[] features(List<Ev> alive, long t, double amount) {
            double[] v = new double[FeatureSchema.size()];
        v[FeatureSchema.indexOf("amount")] = amount;
        long[] cw = {5 * MIN, HOUR, DAY, 7 * DAY, 30 * DAY};
        String[] cn = {"tx_count_5m", "tx_count_1h", "tx_count_1d", "tx_count_7d", "tx_count_30d"};
        for (int w = 0; w < cw.length; w++) {
            long c = 1;
            for (Ev a : alive) {
                if (a.time() <= t && a.time() > t - cw[w]) {
                    c++;
                }
            }
            v[FeatureSchema.indexOf(cn[w])] = c;
        }
        long[] aw = {DAY, 7 * DAY, 30 * DAY};
        String[] an = {"avg_amount_1d", "avg_amount_7d", "avg_amount_30d"};
        for (int w = 0; w < aw.length; w++) {
            double sum = amount;
            int n = 1;
            for (Ev a : alive) {
                if (a.time() <= t && a.time() > t - aw[w]) {
                    sum += a.amount();
                    n++;
                }
            }
            v[FeatureSchema.indexOf(an[w])] = sum / n;
        }
        List<Double> hist = new ArrayList<>();
        long prev = -1;
        for (Ev a : alive) {
            if (a.time() <= t && a.time() > t - 30 * DAY) {
                hist.add(a.amount());
                prev = Math.max(prev, a.time());
            }
        }
        double z = 0;
        double ratio = 1;
        if (!hist.isEmpty()) {
            double mean = hist.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            ratio = amount / mean;
            if (hist.size() > 1) {
                double ss = hist.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
                double sd = Math.sqrt(ss / (hist.size() - 1));
                z = sd > 1e-9 ? (amount - mean) / sd : 0;
            }
        }
        v[FeatureSchema.indexOf("amount_zscore_30d")] = z;
        v[FeatureSchema.indexOf("amount_ratio_30d")] = ratio;
        v[FeatureSchema.indexOf("seconds_since_prev")] = prev < 0 ? -1 : (t - prev) / 1000.0;
        var utc = Instant.ofEpochMilli(t).atZone(java.time.ZoneOffset.UTC);
        v[FeatureSchema.indexOf("hour_of_day")] = utc.getHour();
        v[FeatureSchema.indexOf("is_weekend")] = utc.getDayOfWeek().getValue() >= 6 ? 1 : 0;
        v[FeatureSchema.indexOf("is_night")] = utc.getHour() <= 6 ? 1 : 0;
        return v;
    }

    /** Random arrivals for one account: gaps from seconds to weeks, late events up to the slack, ties, duplicates. */
    private static List<Ev> randomSequence(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Ev> evs = new ArrayList<>();
        long clock = 1_530_000_000_000L + r.nextLong(DAY * 365);
        long max = clock;
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            if (u < 0.10 && !evs.isEmpty()) {
                // a duplicate of a recent event (still inside the slack, so its original is remembered)
                Ev old = evs.get(evs.size() - 1 - r.nextInt(Math.min(evs.size(), 5)));
                if (old.time() > max - SLACK.toMillis() + HOUR) {
                    evs.add(old);
                    continue;
                }
            }
            long t;
            if (u < 0.25) {
                t = max - r.nextLong(SLACK.toMillis() - HOUR); // late, within the slack
            } else if (u < 0.30 && !evs.isEmpty()) {
                t = evs.get(evs.size() - 1).time(); // same timestamp as the previous arrival
            } else {
                double scale = new double[] {30_000, 10 * MIN, 5 * HOUR, 3 * DAY, 12 * DAY}[r.nextInt(5)];
                clock = max + (long) (-Math.log(1 - r.nextDouble()) * scale);
                t = clock;
            }
            max = Math.max(max, t);
            double amount = Math.round((1 + r.nextDouble() * (r.nextDouble() < 0.1 ? 2000 : 150)) * 100) / 100.0;
            evs.add(new Ev("tx-" + seed + "-" + i, t, amount));
        }
        return evs;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void matchesBruteForceReferenceOnRandomSequences(long seed) {
        AccountFeatures f = new AccountFeatures(SLACK);
        List<Ev> evs = randomSequence(seed, 400);
        List<double[]> want = reference(evs, f.retention().toMillis());
        AccountHistory h = new AccountHistory();
        int dups = 0;
        int lates = 0;
        for (int i = 0; i < evs.size(); i++) {
            Ev e = evs.get(i);
            FeatureResult got = f.apply(h, e.id(), e.time(), e.amount());
            dups += got.duplicate() ? 1 : 0;
            lates += got.late() ? 1 : 0;
            double[] w = want.get(i);
            for (int k = 0; k < w.length; k++) {
                assertThat(got.values()[k]).as("event %d (%s) feature %s", i, e, FeatureSchema.NAMES.get(k))
                        .isCloseTo(w[k], within(1e-9 * Math.max(1, Math.abs(w[k]))));
            }
        }
        assertThat(dups).as("the sequence exercises duplicates").isGreaterThan(5);
        assertThat(lates).as("the sequence exercises late events").isGreaterThan(20);
        // the history never keeps more than the retention behind the newest event
        assertThat(h.times[0]).isGreaterThan(h.maxEventTime - f.retention().toMillis());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 40})
    void boundedHistoryMatchesTheBoundedReference(int maxHistory) {
        int evicted = 0;
        for (long seed = 100; seed < 106; seed++) {
            AccountFeatures f = new AccountFeatures(SLACK, maxHistory);
            List<Ev> evs = randomSequence(seed, 300);
            List<double[]> want = reference(evs, f.retention().toMillis(), maxHistory);
            AccountHistory h = new AccountHistory();
            for (int i = 0; i < evs.size(); i++) {
                Ev e = evs.get(i);
                FeatureResult got = f.apply(h, e.id(), e.time(), e.amount());
                evicted += got.evicted();
                assertThat(h.size()).isLessThanOrEqualTo(maxHistory);
                double[] w = want.get(i);
                for (int k = 0; k < w.length; k++) {
                    assertThat(got.values()[k]).as("seed %d event %d (%s) feature %s", seed, i, e, FeatureSchema.NAMES.get(k))
                            .isCloseTo(w[k], within(1e-9 * Math.max(1, Math.abs(w[k]))));
                }
            }
        }
        assertThat(evicted).as("the bound cut in").isPositive();
    }

    @Test
    void aCardTestingBurstStaysWithinTheBound() {
        AccountFeatures f = new AccountFeatures(SLACK);
        AccountHistory h = new AccountHistory();
        long t0 = 1_530_000_000_000L;
        long evicted = 0;
        FeatureResult last = null;
        for (int i = 0; i < 100_000; i++) {
            last = f.apply(h, "burst-" + i, t0 + i * 100L, 1.0);
            evicted += last.evicted();
        }
        assertThat(h.size()).isEqualTo(AccountFeatures.DEFAULT_MAX_HISTORY);
        assertThat(evicted).isEqualTo(100_000 - AccountFeatures.DEFAULT_MAX_HISTORY);
        // the documented behaviour at the bound: counts cover the newest maxHistory transactions plus this one
        assertThat(last.values()[FeatureSchema.indexOf("tx_count_1d")]).isEqualTo(AccountFeatures.DEFAULT_MAX_HISTORY + 1);
    }

    @Test
    void duplicateGetsTheFirstResultAndIsNotCounted() {
        AccountFeatures f = new AccountFeatures();
        AccountHistory h = new AccountHistory();
        long t0 = Instant.parse("2024-03-02T10:00:00Z").toEpochMilli();
        double[] a = f.apply(h, "a", t0, 10).values();
        double[] b = f.apply(h, "b", t0 + MIN, 30).values();
        f.apply(h, "c", t0 + 2 * MIN, 50);
        FeatureResult again = f.apply(h, "b", t0 + 3 * MIN, 999);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.values()).containsExactly(b);
        assertThat(h.size()).isEqualTo(3);
        assertThat(a[FeatureSchema.indexOf("tx_count_5m")]).isEqualTo(1);
        assertThat(b[FeatureSchema.indexOf("tx_count_5m")]).isEqualTo(2);
        assertThat(b[FeatureSchema.indexOf("seconds_since_prev")]).isEqualTo(60);
        assertThat(b[FeatureSchema.indexOf("amount_ratio_30d")]).isEqualTo(3.0);
        double[] d = f.apply(h, "d", t0 + 4 * MIN, 70).values();
        assertThat(d[FeatureSchema.indexOf("tx_count_5m")]).isEqualTo(4);
        assertThat(d[FeatureSchema.indexOf("avg_amount_1d")]).isEqualTo((10 + 30 + 50 + 70) / 4.0);
        // 2024-03-02 was a Saturday, 10:00 UTC is not night
        assertThat(d[FeatureSchema.indexOf("is_weekend")]).isEqualTo(1);
        assertThat(d[FeatureSchema.indexOf("is_night")]).isEqualTo(0);
        assertThat(d[FeatureSchema.indexOf("hour_of_day")]).isEqualTo(10);
    }

    @Test
    void lateEventIsCountedInTheWindowsOfLaterEvents() {
        AccountFeatures f = new AccountFeatures();
        AccountHistory h = new AccountHistory();
        long t0 = Instant.parse("2024-03-04T03:00:00Z").toEpochMilli();
        f.apply(h, "a", t0, 10);
        f.apply(h, "b", t0 + 10 * MIN, 20);
        FeatureResult late = f.apply(h, "late", t0 + 2 * MIN, 40);
        assertThat(late.late()).isTrue();
        // only "a" is at or before the late event's time
        assertThat(late.values()[FeatureSchema.indexOf("tx_count_5m")]).isEqualTo(2);
        assertThat(late.values()[FeatureSchema.indexOf("tx_count_1h")]).isEqualTo(2);
        double[] c = f.apply(h, "c", t0 + 11 * MIN, 30).values();
        assertThat(c[FeatureSchema.indexOf("tx_count_1h")]).isEqualTo(4);
        assertThat(c[FeatureSchema.indexOf("tx_count_5m")]).isEqualTo(2);
        assertThat(c[FeatureSchema.indexOf("is_night")]).isEqualTo(1);
        assertThat(c[FeatureSchema.indexOf("is_weekend")]).isEqualTo(0);
    }

    @Test
    void eventOlderThanTheRetentionIsScoredButNotKept() {
        AccountFeatures f = new AccountFeatures(Duration.ofDays(1));
        AccountHistory h = new AccountHistory();
        long t0 = Instant.parse("2024-03-04T03:00:00Z").toEpochMilli();
        f.apply(h, "a", t0, 10);
        FeatureResult old = f.apply(h, "old", t0 - 40 * DAY, 10);
        assertThat(old.late()).isTrue();
        assertThat(old.values()[FeatureSchema.indexOf("tx_count_30d")]).isEqualTo(1);
        assertThat(h.size()).isEqualTo(1);
        assertThat(h.ids).containsExactly("a");
    }
}
