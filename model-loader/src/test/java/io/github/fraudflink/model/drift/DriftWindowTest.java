package io.github.fraudflink.model.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.fraudflink.model.ModelManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link DriftWindow} and {@link Psi} against a brute-force recomputation: generated streams of events (event times in
 * order, jittered, late, jumping ahead; values inside, between and outside the reference bins) are kept in a plain list,
 * and the window's counts and PSI must equal a recount of the events inside the window by a linear scan of the edges
 * and the PSI formula written out again. A failure prints its seed; {@code QT_SEED=N} replays it.
 */
class DriftWindowTest {
    private static final long SLICE = 60_000;
    private static final int SLICES = 3;

    @Test
    void psiOfKnownShares() {
        assertThat(Psi.of(new long[] {50, 50}, new long[] {5, 5})).isZero();
        // (0.1 - 0.9) ln(0.1 / 0.9) + (0.9 - 0.1) ln(0.9 / 0.1) = 1.6 ln 9
        assertThat(Psi.of(new long[] {90, 10}, new long[] {10, 90})).isCloseTo(1.6 * Math.log(9), within(1e-12));
        // an emptied bin counts as a share of 1e-4
        assertThat(Psi.of(new long[] {1, 1}, new long[] {0, 7}))
                .isCloseTo((1e-4 - 0.5) * Math.log(1e-4 / 0.5) + 0.5 * Math.log(2), within(1e-12));
        assertThat(Psi.of(new long[] {1, 1}, new long[] {0, 0})).isNaN();
    }

    @Test
    void binsAreHalfOpenAndValuesOutsideGoToTheEndBins() {
        double[] edges = {0, 1, 2, Math.nextUp(2.0)};
        assertThat(Psi.bin(edges, -5)).isZero();
        assertThat(Psi.bin(edges, 0)).isZero();
        assertThat(Psi.bin(edges, 0.999)).isZero();
        assertThat(Psi.bin(edges, 1)).isEqualTo(1);
        assertThat(Psi.bin(edges, 2)).isEqualTo(2);
        assertThat(Psi.bin(edges, 1e9)).isEqualTo(2);
    }

    @Test
    void theWindowHoldsWhatABruteForceRecountHolds() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            ModelManifest m = manifest(r);
            long minEvents = 1 + r.nextInt(30);
            DriftWindow w = DriftWindow.of(m, Duration.ofMillis(SLICE * SLICES), SLICES, minEvents);
            List<long[]> accepted = new ArrayList<>(); // event time, index into values
            List<double[]> values = new ArrayList<>();
            long newest = Long.MIN_VALUE;
            long firstSlice = Long.MIN_VALUE;
            long late = 0;
            long t = r.nextInt(1_000_000_000);
            int n = r.nextInt(600);
            for (int i = 0; i < n; i++) {
                int step = r.nextInt(10);
                long eventTime = step == 0 ? t + (long) r.nextInt(20) * SLICE // a jump ahead
                        : step == 1 ? t - (long) r.nextInt(8) * SLICE // late, maybe older than the window
                        : t + r.nextInt((int) SLICE / 4);
                t = Math.max(t, eventTime);
                double[] row = {value(r), value(r)};
                double score = r.nextDouble();
                w.add(eventTime, row, score);
                long slice = Math.floorDiv(eventTime, SLICE);
                if (newest != Long.MIN_VALUE && slice <= Math.floorDiv(newest, SLICE) - SLICES) {
                    late++;
                } else {
                    newest = Math.max(newest, eventTime);
                    firstSlice = firstSlice == Long.MIN_VALUE ? slice : firstSlice;
                    accepted.add(new long[] {eventTime, values.size()});
                    values.add(new double[] {row[0], row[1], score});
                }
            }
            w.refresh();
            String[] columns = w.columns();
            assertThat(columns).containsExactly("f0", "f1", "score");
            long inWindow = 0;
            long[][] expected = new long[3][];
            for (int c = 0; c < 3; c++) {
                ModelManifest.Histogram h = m.referenceDistributions().get(columns[c]);
                expected[c] = new long[h.counts().length];
                for (long[] e : accepted) {
                    if (newest != Long.MIN_VALUE && Math.floorDiv(e[0], SLICE) > Math.floorDiv(newest, SLICE) - SLICES) {
                        expected[c][linearBin(h.edges(), values.get((int) e[1])[c])]++;
                        inWindow += c == 0 ? 1 : 0;
                    }
                }
                assertThat(w.counts(c)).as("column %s", columns[c]).containsExactly(expected[c]);
                double psi = w.psi()[c];
                boolean covered = newest != Long.MIN_VALUE && Math.floorDiv(newest, SLICE) - firstSlice >= SLICES - 1;
                assertThat(w.covered()).isEqualTo(covered);
                if (inWindow < minEvents || !covered) {
                    assertThat(psi).isNaN();
                } else {
                    assertThat(psi).isCloseTo(bruteForcePsi(h.counts(), expected[c]), within(1e-9));
                }
            }
            assertThat(w.events()).isEqualTo(inWindow);
            assertThat(w.publishedEvents()).isEqualTo(inWindow);
            assertThat(w.late()).isEqualTo(late);
        });
    }

    @Test
    void calendarFeaturesAreNotWatched() {
        ModelManifest.Histogram h = new ModelManifest.Histogram(new double[] {0, 1, 2}, new long[] {5, 5});
        TreeMap<String, ModelManifest.Histogram> refs = new TreeMap<>();
        for (String f : List.of("amount", "hour_of_day", "is_weekend", "is_night", "score")) {
            refs.put(f, h);
        }
        ModelManifest m = new ModelManifest("m", "1", "xgboost-json", "model.json", "s",
                List.of("hour_of_day", "amount", "is_weekend", "is_night"), 0.5, null, null, null, null, null, null, null, refs);
        assertThat(DriftWindow.of(m, Duration.ofHours(1), 12, 10).columns()).containsExactly("amount", "score");
    }

    @Test
    void aModelWithoutReferenceDistributionsHasNoWindow() {
        ModelManifest m = new ModelManifest("m", "1", "xgboost-json", "model.json", "s", List.of("f0"), 0.5, null, null, null,
                null, null, null, null, null);
        assertThat(DriftWindow.of(m, Duration.ofHours(1), 12, 10)).isNull();
    }

    /** Mostly inside the reference range [0, 10], sometimes outside it, sometimes on an edge. */
    private static double value(Random r) {
        int k = r.nextInt(10);
        return k == 0 ? -5 + r.nextDouble() : k == 1 ? 10 + r.nextDouble() * 100 : k == 2 ? r.nextInt(11) : r.nextDouble() * 10;
    }

    /** Two features and the score, each with 1 to 6 bins of random widths over [0, 10] and random counts. */
    private static ModelManifest manifest(Random r) {
        TreeMap<String, ModelManifest.Histogram> refs = new TreeMap<>();
        for (String name : List.of("f0", "f1", "score")) {
            int bins = 1 + r.nextInt(6);
            double[] edges = new double[bins + 1];
            for (int i = 1; i <= bins; i++) {
                edges[i] = edges[i - 1] + 0.1 + r.nextDouble() * (10.0 / bins);
            }
            long[] counts = new long[bins];
            for (int i = 0; i < bins; i++) {
                counts[i] = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(1000);
            }
            counts[r.nextInt(bins)] += 1;
            refs.put(name, new ModelManifest.Histogram(edges, counts));
        }
        return new ModelManifest("m", "1", "xgboost-json", "model.json", "s", List.of("f0", "f1"), 0.5, null, null, null,
                null, null, null, null, refs);
    }

    private static int linearBin(double[] edges, double x) {
        for (int i = edges.length - 2; i >= 0; i--) {
            if (x >= edges[i]) {
                return i;
            }
        }
        return 0;
    }

    private static double bruteForcePsi(long[] reference, long[] live) {
        double re = 0;
        double li = 0;
        for (int i = 0; i < reference.length; i++) {
            re += reference[i];
            li += live[i];
        }
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double e = Math.max(1e-4, reference[i] / re);
            double a = Math.max(1e-4, live[i] / li);
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }
}
