package io.github.fraudflink.trainer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.trainer.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The simulator at default scale against the real handbook data over the same period, 2018-04-01..2018-08-14.
 *
 * <p>The real statistics were computed once from
 * {@code ../shared/data/handbook-raw-2018-04-01_2018-08-14.csv.gz} (1,303,778 transactions in 136 days, 10,659
 * frauds: 725 of scenario 1, 6,532 of scenario 2, 3,402 of scenario 3), so the comparison runs on any clone; when the
 * file is there ({@link SharedData}), {@link #realStatisticsAreTheSharedFilesOwn()} checks those numbers against it,
 * and is skipped, saying so, otherwise. Both
 * are single draws of the same generator with different random numbers; the tolerances are about 4 standard
 * deviations of the difference of two draws (profiles: about 0.8% on the daily count; daily fraud draws: about
 * 1.7% on the fraud count and 1 point on each scenario's share).
 *
 * <p>Without the full reference data its full-data checks are skipped, each with a message: a JUnit
 * {@code Assumptions} check in {@link io.github.fraudflink.trainer.SharedData#require}.
 */
class SimulatorRealDataTest {

    private static final String RAW = "handbook-raw-2018-04-01_2018-08-14.csv.gz";
    private static final int REAL_DAYS = 136;
    private static final int REAL_TX = 1_303_778;
    private static final int[] REAL_SCENARIO_FRAUDS = {725, 6_532, 3_402};
    private static final int REAL_FRAUDS = 10_659;
    private static final double REAL_TX_PER_DAY = (double) REAL_TX / REAL_DAYS;
    private static final double REAL_FRAUD_RATE = (double) REAL_FRAUDS / REAL_TX;
    private static final double[] REAL_SHARES = {(double) REAL_SCENARIO_FRAUDS[0] / REAL_FRAUDS,
        (double) REAL_SCENARIO_FRAUDS[1] / REAL_FRAUDS, (double) REAL_SCENARIO_FRAUDS[2] / REAL_FRAUDS};

    /** The real numbers above, counted again from the raw file (a plain scan: the file has no quoted fields). */
    @Test
    void realStatisticsAreTheSharedFilesOwn() throws IOException {
        Path raw = SharedData.require(RAW, "the real handbook statistics this test compares with, counted from the file");
        Set<String> days = new HashSet<>();
        long rows = 0;
        long frauds = 0;
        long[] scenarios = new long[4];
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(raw)),
                StandardCharsets.UTF_8))) {
            List<String> cols = List.of(r.readLine().split(","));
            int time = cols.indexOf("TX_DATETIME");
            int fraud = cols.indexOf("TX_FRAUD");
            int scenario = cols.indexOf("TX_FRAUD_SCENARIO");
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.split(",");
                rows++;
                days.add(f[time].substring(0, 10));
                frauds += Integer.parseInt(f[fraud]);
                scenarios[Integer.parseInt(f[scenario])]++;
            }
        }
        assertThat(rows).isEqualTo(REAL_TX);
        assertThat(days).hasSize(REAL_DAYS);
        assertThat(frauds).isEqualTo(REAL_FRAUDS);
        assertThat(new long[] {scenarios[1], scenarios[2], scenarios[3]})
                .containsExactly(REAL_SCENARIO_FRAUDS[0], REAL_SCENARIO_FRAUDS[1], REAL_SCENARIO_FRAUDS[2]);
    }

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
