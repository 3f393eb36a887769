package io.github.fraudflink.trainer.sim;

import java.time.LocalDate;
import java.util.Objects;

/**
 * Parameters of the {@link TransactionSimulator}; defaults follow the Fraud Detection Handbook's data set.
 *
 * @param customers number of customers (ids 0..customers-1)
 * @param terminals number of terminals (ids 0..terminals-1)
 * @param days number of simulated days
 * @param startDate first simulated day, UTC
 * @param seed seed of every random draw: same config, same transactions
 * @param radius a customer uses the terminals at distance {@code < radius} on the 100x100 grid
 */
public record SimulatorConfig(int customers, int terminals, int days, LocalDate startDate, long seed, double radius) {

    public static final int DEFAULT_CUSTOMERS = 5_000;
    public static final int DEFAULT_TERMINALS = 10_000;
    public static final int DEFAULT_DAYS = 180;
    public static final LocalDate DEFAULT_START = LocalDate.of(2018, 4, 1);
    public static final long DEFAULT_SEED = 0L;
    public static final double DEFAULT_RADIUS = 5.0;

    public SimulatorConfig {
        Objects.requireNonNull(startDate, "startDate");
        if (customers < 1 || terminals < 1 || days < 1) {
            throw new IllegalArgumentException("customers, terminals and days must be >= 1");
        }
        if (!(radius > 0) || Double.isInfinite(radius)) {
            throw new IllegalArgumentException("radius must be a positive finite number: " + radius);
        }
    }

    /** 5,000 customers, 10,000 terminals, 180 days from 2018-04-01, seed 0, radius 5. */
    public static SimulatorConfig defaults() {
        return new SimulatorConfig(DEFAULT_CUSTOMERS, DEFAULT_TERMINALS, DEFAULT_DAYS, DEFAULT_START, DEFAULT_SEED,
                DEFAULT_RADIUS);
    }

    public SimulatorConfig withCustomers(int n) {
        return new SimulatorConfig(n, terminals, days, startDate, seed, radius);
    }

    public SimulatorConfig withTerminals(int n) {
        return new SimulatorConfig(customers, n, days, startDate, seed, radius);
    }

    public SimulatorConfig withDays(int n) {
        return new SimulatorConfig(customers, terminals, n, startDate, seed, radius);
    }

    public SimulatorConfig withStartDate(LocalDate date) {
        return new SimulatorConfig(customers, terminals, days, date, seed, radius);
    }

    public SimulatorConfig withSeed(long s) {
        return new SimulatorConfig(customers, terminals, days, startDate, s, radius);
    }

    public SimulatorConfig withRadius(double r) {
        return new SimulatorConfig(customers, terminals, days, startDate, seed, r);
    }
}
