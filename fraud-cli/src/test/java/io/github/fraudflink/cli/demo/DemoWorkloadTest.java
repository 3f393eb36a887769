package io.github.fraudflink.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.cli.demo.DemoWorkload.SimulationSize;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * How large a simulation {@code ./fraud demo} runs for the events asked for: always large enough, and the user's flags
 * win. Property style: each rule is checked on many generated cases (seeded, so a failure names a case that replays),
 * event counts spread over every order of magnitude, plus the edges.
 */
class DemoWorkloadTest {
    private static final long SEED = 20261130L;
    private static final int CASES = 20_000;

    /** {@code n} event counts from 1 to Integer.MAX_VALUE, log-uniform, after the edges. */
    private static int[] eventCounts(SplittableRandom r, int n, int max) {
        long[] edges = {1, 2, 49, 50, 51, SimulationSize.MIN_CUSTOMERS * SimulationSize.EVENTS_PER_CUSTOMER,
                SimulationSize.MAX_CUSTOMERS * SimulationSize.EVENTS_PER_CUSTOMER, 100_000, 300_000, max - 1, max};
        return LongStream.concat(LongStream.of(edges).filter(e -> e <= max),
                        LongStream.generate(() -> Math.max(1, Math.round(Math.exp(r.nextDouble(Math.log(max)))))).limit(n))
                .mapToInt(e -> (int) e).toArray();
    }

    @Test
    void aDerivedSizeHoldsTheEventsAskedFor() {
        for (int events : eventCounts(new SplittableRandom(SEED), CASES, Integer.MAX_VALUE)) {
            SimulationSize s = SimulationSize.forEvents(events, null, null);
            assertThat(s.customers()).as("customers for %d events", events)
                    .isBetween(SimulationSize.MIN_CUSTOMERS, SimulationSize.MAX_CUSTOMERS);
            assertThat(s.days()).as("days for %d events", events).isGreaterThanOrEqualTo(2);
            assertThat((double) s.customers() * s.days() * SimulationSize.TX_PER_CUSTOMER_DAY).as("capacity for %d events", events)
                    .isGreaterThanOrEqualTo(events);
        }
    }

    @Test
    void theFlagsTheUserSetWin() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int events : eventCounts(r, CASES, 10_000_000)) {
            Integer customers = r.nextInt(3) == 0 ? null : 1 + r.nextInt(1_000_000);
            Integer days = r.nextInt(3) == 0 ? null : 1 + r.nextInt(100_000);
            SimulationSize s = SimulationSize.forEvents(events, customers, days);
            String c = events + " events, --customers " + customers + ", --days " + days;
            if (customers != null) {
                assertThat(s.customers()).as(c).isEqualTo(customers);
            }
            if (days != null) {
                assertThat(s.days()).as(c).isEqualTo(days);
            } else { // days derived for the customers given (or derived) hold the events
                assertThat((double) s.customers() * s.days() * SimulationSize.TX_PER_CUSTOMER_DAY).as(c).isGreaterThanOrEqualTo(events);
            }
        }
    }

    @Test
    void moreEventsNeverMeanASmallerSimulation() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int events : eventCounts(r, CASES, 100_000_000)) {
            int more = events + r.nextInt(1_000_000);
            SimulationSize a = SimulationSize.forEvents(events, null, null);
            SimulationSize b = SimulationSize.forEvents(more, null, null);
            assertThat(b.customers()).as("%d then %d events", events, more).isGreaterThanOrEqualTo(a.customers());
            assertThat((long) b.customers() * b.days()).as("%d then %d events", events, more)
                    .isGreaterThanOrEqualTo((long) a.customers() * a.days());
        }
    }

    /** The real simulator, not only the arithmetic: a derived size (or derived days for a population of a sensible size) never runs out. */
    @Test
    void theSimulatorMakesTheEventsAskedFor() {
        SplittableRandom r = new SplittableRandom(SEED);
        for (int events : eventCounts(r, 20, 1_000_000)) {
            Integer customers = r.nextBoolean() ? null : SimulationSize.MIN_CUSTOMERS + r.nextInt(5_000);
            long seed = r.nextLong();
            assertThat(simulated(SimulationSize.forEvents(events, customers, null), seed, events))
                    .as("%d events, --customers %s, seed %d", events, customers, seed).isEqualTo(events);
        }
    }

    @Test
    void threeHundredThousandEventsNoLongerRunOut() {
        // the case: ./fraud demo --events 300000 (seed 42, the demo's default) ran out with 2,000 customers
        assertThat(simulated(SimulationSize.forEvents(300_000, null, null), 42, 300_000)).isEqualTo(300_000);
    }

    @Test
    void theDefaultRunKeepsItsPopulation() {
        // 100,000 events, the default, simulate the 2,000 customers (and 4,000 terminals) the demo always had
        assertThat(SimulationSize.forEvents(100_000, null, null).customers()).isEqualTo(2_000);
    }

    /** How many transactions the simulation makes, counting up to {@code limit}. */
    private static long simulated(SimulationSize size, long seed, long limit) {
        Iterator<?> it = new TransactionSimulator(size.config(seed)).iterator();
        long n = 0;
        while (n < limit && it.hasNext()) {
            it.next();
            n++;
        }
        return n;
    }
}
