package io.github.fraudflink.job.features;

import java.util.SplittableRandom;

/** Draws for the serializer tests' synthetic traffic at the handbook's rate. */
final class RandomDraws {
    private RandomDraws() {}

    /** A Poisson draw with this mean (Knuth's method; fine for small means). */
    static int poisson(SplittableRandom r, double mean) {
        double l = Math.exp(-mean);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** A standard normal draw (Box-Muller). */
    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
