package io.github.fraudflink.trainer.sim;

import java.util.SplittableRandom;

/**
 * Distributions on top of {@link SplittableRandom}. StrictMath, so the draws are the same bits on every JVM.
 */
final class Sampling {

    private Sampling() {}

    /** Uniform in [lo, hi). */
    static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** Normal by Box-Muller (one of the pair; two uniforms per draw). */
    static double normal(SplittableRandom rng, double mean, double std) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log is finite
        double u2 = rng.nextDouble();
        return mean + std * StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    }

    /** Poisson by Knuth's product of uniforms, given {@code expMinusLambda = exp(-lambda)}; fine for small lambda. */
    static int poisson(SplittableRandom rng, double expMinusLambda) {
        int k = 0;
        double p = rng.nextDouble();
        while (p > expMinusLambda) {
            k++;
            p *= rng.nextDouble();
        }
        return k;
    }

    /** min(k, n) distinct values of [0, n), uniformly, in draw order. */
    static int[] distinct(SplittableRandom rng, int n, int k) {
        int[] out = new int[Math.min(k, n)];
        for (int i = 0; i < out.length; i++) {
            int v;
            do {
                v = rng.nextInt(n);
            } while (contains(out, i, v));
            out[i] = v;
        }
        return out;
    }

    /** Whether v is among a[0..len). */
    static boolean contains(int[] a, int len, int v) {
        for (int i = 0; i < len; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }
}
