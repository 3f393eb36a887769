package io.github.fraudflink.trainer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The simulator at default scale against the real handbook data over the same period, 2018-04-01..2018-08-14.
 *
 * <p>The real statistics were computed once from
 * {@code ../shared/data/handbook-raw-2018-04-01_2018-08-14.csv.gz} (1,303,778 transactions in 136 days, 10,659
 * frauds: 725 of scenario 1, 6,532 of scenario 2, 3,402 of scenario 3), so this test does not need the file. Both
 * are single draws of the same generator with different random numbers; the tolerances are about 4 standard
 * deviations of the difference of two draws (profiles: about 0.8% on the daily count; daily fraud draws: about
 * 1.7% on the fraud count and 1 point on each scenario's share).
 */
class SimulatorRealDataTest {

    private static final int REAL_DAYS = 136;
    private static final double REAL_TX_PER_DAY = 1_303_778.0 / REAL_DAYS;
    private static final double REAL_FRAUD_RATE = 10_659.0 / 1_303_778;
    private static final double[] REAL_SHARES = {725.0 / 10_659, 6_532.0 / 10_659, 3_402.0 / 10_659};

    @Test
    void defaultScaleMatchesTheRealHandbookData() {
        SimulatorConfig config = SimulatorConfig.defaults();
        long end = LocalDate.of(2018, 8, 15).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long[] counts = new long[4];
        long n = new TransactionSimulator(config).stream()
                .takeWhile(lt -> lt.tx().eventTime < end)
                .peek(lt -> counts[lt.scenario()]++)
                .count();
        long frauds = counts[1] + counts[2] + counts[3];
        double txPerDay = (double) n / REAL_DAYS;
        double fraudRate = (double) frauds / n;
        System.out.printf("simulated %d tx (%.1f/day), %d frauds (%.3f%%), scenarios %d/%d/%d%n",
                n, txPerDay, frauds, 100 * fraudRate, counts[1], counts[2], counts[3]);

        assertThat(txPerDay).isCloseTo(REAL_TX_PER_DAY, org.assertj.core.data.Percentage.withPercentage(3));
        assertThat(fraudRate).isCloseTo(REAL_FRAUD_RATE, org.assertj.core.data.Percentage.withPercentage(10));
        for (int s = 1; s <= 3; s++) {
            assertThat((double) counts[s] / frauds).as("share of scenario %d", s)
                    .isCloseTo(REAL_SHARES[s - 1], org.assertj.core.data.Offset.offset(0.04));
        }
    }
}
