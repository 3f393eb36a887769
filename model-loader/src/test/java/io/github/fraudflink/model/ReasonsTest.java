package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link Reasons#top} against sorting: generated contributions (ties, zeros, negatives, NaN, any length) must give the
 * positive ones, largest first, equal ones by index, at most three. {@code QT_SEED=N} replays a failure.
 */
class ReasonsTest {
    @Test
    void theTopReasonsAreThoseASortGives() {
        qt().withExamples(2000).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int n = r.nextInt(12);
            double[] phi = new double[n + r.nextInt(3)]; // longer than the row: the rest is not looked at
            for (int i = 0; i < phi.length; i++) {
                int k = r.nextInt(6);
                phi[i] = k == 0 ? 0 : k == 1 ? -r.nextDouble() : k == 2 ? Double.NaN : k == 3 ? 0.5 : r.nextDouble();
            }
            int[] out = new int[Reasons.TOP];
            int found = Reasons.top(phi, n, out);
            int[] expected = IntStream.range(0, n).filter(i -> phi[i] > 0).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -phi[i]).thenComparingInt(i -> i))
                    .limit(Reasons.TOP).mapToInt(Integer::intValue).toArray();
            assertThat(java.util.Arrays.copyOf(out, found)).containsExactly(expected);
        });
    }
}
