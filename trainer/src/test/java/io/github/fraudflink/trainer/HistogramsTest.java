package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.github.fraudflink.model.ModelManifest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The reference histograms of the manifest, on generated columns (continuous, few distinct values, a mass point with a
 * tail, constant, empty): edges strictly rising, every value inside, counts summing to the rows; a column of at most 10
 * distinct values has a bin per value; a value holding a fifth of the rows is a bin of its own.
 * {@code QT_SEED=N} replays a failure.
 */
class HistogramsTest {
    @Test
    void binsFollowTheDataTheWayTheManifestSays() {
        qt().withExamples(500).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int n = r.nextInt(2000);
            double[] v = new double[n];
            int kind = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                v[i] = switch (kind) {
                    case 0 -> r.nextGaussian() * 100;
                    case 1 -> r.nextInt(1 + r.nextInt(12));
                    case 2 -> r.nextDouble() < 0.9 ? 0 : r.nextDouble() * 50;
                    default -> 7;
                };
            }
            ModelManifest.Histogram h = Histograms.quantile(v, 10);
            double[] e = h.edges();
            assertThat(e.length).isGreaterThanOrEqualTo(2);
            for (int i = 1; i < e.length; i++) {
                assertThat(e[i]).isGreaterThan(e[i - 1]);
            }
            assertThat(Arrays.stream(h.counts()).sum()).isEqualTo(n);
            for (double x : v) {
                assertThat(x).isGreaterThanOrEqualTo(e[0]).isLessThan(e[e.length - 1]);
            }
            double[] distinct = Arrays.stream(v).distinct().sorted().toArray();
            if (distinct.length <= 10 && n > 0) {
                assertThat(Arrays.copyOf(e, e.length - 1)).containsExactly(distinct);
            }
            for (double d : distinct) {
                long held = Arrays.stream(v).filter(x -> x == d).count();
                if (held >= 0.2 * n && n >= 10) { // a mass point (a fifth of the rows): no other value shares its bin
                    int bin = io.github.fraudflink.model.drift.Psi.bin(e, d);
                    assertThat(h.counts()[bin]).as("bin of %s", d).isEqualTo(held);
                }
            }
        });
    }
}
