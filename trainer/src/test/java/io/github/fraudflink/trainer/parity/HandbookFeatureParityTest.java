package io.github.fraudflink.trainer.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.trainer.HandbookProtocol;
import io.github.fraudflink.trainer.SharedData;
import io.github.fraudflink.data.Dataset;
import io.github.fraudflink.data.DatasetReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Feature parity with the outside world: our features, computed from the handbook's raw transactions by the job's own
 * code path ({@link DatasetReader} then {@link FeatureTable}: one {@code AccountHistory} per customer, event-time
 * order), against the Fraud Detection Handbook's own computed features for 2018-07-25..2018-08-14.
 *
 * <p>Compared for every row of the handbook's file: {@code TX_DURING_WEEKEND} = {@code is_weekend},
 * {@code TX_DURING_NIGHT} = {@code is_night}, {@code CUSTOMER_ID_NB_TX_{1,7,30}DAY_WINDOW} =
 * {@code tx_count_{1d,7d,30d}} exactly, and {@code CUSTOMER_ID_AVG_AMOUNT_{1,7,30}DAY_WINDOW} =
 * {@code avg_amount_{1d,7d,30d}} within {@link #tolerance}: 1e-6 absolute below 1, 1e-6 relative above. The file
 * prints 10 significant digits (relative rounding error at most 5e-10) and the handbook's pandas rolling sums carry
 * absolute float noise of order 1e-13 (it prints 8.88e-15 for the mean of a window holding one 0.00 amount), so the
 * tolerance is 2,000 times the printing error: loose only against rounding, tight against any real difference (one
 * cent in a 30-day mean of 100 transactions is 1e-4). Measured: where the rows agree, the means differ by at most
 * 5.0e-10 relative, which is the printing error itself.
 *
 * <p>Two documented exceptions, each checked exactly rather than tolerated:
 * <ol>
 *   <li><b>Zero amounts.</b> The raw file has {@value #ZERO_AMOUNT_ROWS} transactions of amount 0.00, which the job's
 *       input contract rejects ({@code non_positive_amount}: amount must be &gt; 0), so {@link DatasetReader} reports
 *       them as bad rows while the handbook counts them in their customer's windows. The test finds them with its
 *       own scan of the raw file and requires that the reader's bad rows are exactly those lines; that the
 *       {@value #ZERO_ROWS_IN_FEATURE_FILE} of them dated in the period are the only rows we have no features for;
 *       and that the {@value #ZERO_AMOUNT_AFFECTED_ROWS} rows with a zero amount of their customer in the 30-day
 *       window all differ, each explained in every window: the handbook's count is ours plus the zero amounts in
 *       that window, its mean is our sum over that count.</li>
 *   <li><b>Same-second order.</b> Windows are {@code (t - N, t]} and, for two transactions of one customer in the
 *       same second, the one that comes first counts only itself; we take the file (arrival) order, the handbook the
 *       order of its per-customer {@code sort_values}, which is not stable. Of the same-second groups in the period it
 *       ordered one pair the other way round ({@value #TIE_REVERSED_ROWS} rows); the test requires each of the two to
 *       match our values with its partner added to, or removed from, every window, and the pair to be mutual.</li>
 * </ol>
 * Every other row must match, and the number of differing rows must be exactly the sum of the two.
 *
 * <p>The zero-amount rows also explain why our baseline split has 67,238 / 58,262 rows where the handbook publishes
 * 67,240 / 58,264: see {@link FullData#baselineSplitDiffersFromTheHandbooksByTheZeroAmountRowsOnly()}.
 *
 * <p>Two runs of the same checks. {@link Slice} runs on any clone, on the slices shipped in
 * {@code src/test/resources} (how they were cut: the README there): every raw transaction of 24 customers from
 * 2018-06-25, 30 days before the features file starts, so each window of their feature rows can be recomputed from
 * the slice alone, and the handbook's own features of those customers as the oracle; the customers were chosen so
 * that both exceptions occur in it. {@link FullData} runs the checks and the baseline split on the full files of
 * {@code ../shared/data} (or {@code -Dfraud.shared.data=DIR}, see {@link SharedData}) and is skipped, saying so, when
 * they are not there: about 20 s on an idle machine (most of it the features of the 1.3 M raw rows) and about 600 MB
 * of live heap.
 *
 * <p>Without the full reference data its full-data checks are skipped, each with a message: a JUnit
 * {@code Assumptions} check in {@link io.github.fraudflink.trainer.SharedData#require}.
 */
class HandbookFeatureParityTest {

    static final String RAW = "handbook-raw-2018-04-01_2018-08-14.csv.gz";
    static final String FEATURES = "handbook-features-2018-07-25_2018-08-14.csv.gz";
    static final int RAW_ROWS = 1_303_778;
    static final int FEATURE_ROWS = 201_295;
    static final int ZERO_AMOUNT_ROWS = 32;
    /** Zero-amount transactions dated 2018-07-25..2018-08-14: rows of the features file we have no features for. */
    static final int ZERO_ROWS_IN_FEATURE_FILE = 5;
    /** Rows of the features file with a zero-amount transaction of their customer in their 30-day window. */
    static final int ZERO_AMOUNT_AFFECTED_ROWS = 422;
    /** Rows of same-second pairs of one customer that the handbook ordered against the file order: one pair. */
    static final int TIE_REVERSED_ROWS = 2;
    static final long DAY = AccountFeatures.DAY;
    static final int[] WINDOW_DAYS = {1, 7, 30};

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** A zero-amount transaction of the raw file, found by the test's own scan. */
    record ZeroTx(long line, long id, String customer, long time) {}

    /** One row of the handbook's features file. */
    record HandbookRow(long id, long time, String customer, boolean fraud, int weekend, int night, int[] counts,
            double[] means) {}

    /** Slices shipped in {@code src/test/resources} (see its README for how they were cut). */
    static final String RAW_SLICE = "handbook-raw-slice.csv.gz";
    static final String FEATURES_SLICE = "handbook-features-slice.csv.gz";

    /** What a raw file and the handbook's features of it must show. */
    record Expected(String label, int rawRows, int featureRows, int zeroAmountRows, int zeroRowsInFeatureFile,
            int zeroAmountAffectedRows, int tieReversedRows) {}

    static final Expected FULL_DATA = new Expected("full", RAW_ROWS, FEATURE_ROWS, ZERO_AMOUNT_ROWS,
            ZERO_ROWS_IN_FEATURE_FILE, ZERO_AMOUNT_AFFECTED_ROWS, TIE_REVERSED_ROWS);
    /**
     * The slice: 24 customers from 2018-06-25, 30 days before the features file starts, so every window of their
     * feature rows is inside it; both exceptions are in it (customer 948's zero amount of 2018-07-25, 4664's of
     * 2018-07-07 in the history part, and the reversed same-second pair of customer 3414).
     */
    static final Expected SLICE = new Expected("slice", 2_221, 955, 2, 1, 73, 2);

    /** The shipped slice: runs on any clone. */
    @Nested
    class Slice extends Checks {
        @Override
        Path raw() {
            return SharedData.resource(RAW_SLICE);
        }

        @Override
        Path features() {
            return SharedData.resource(FEATURES_SLICE);
        }

        @Override
        Expected expected() {
            return SLICE;
        }
    }

    /** The full reference files: run when they are there (see {@link SharedData}), skipped otherwise. */
    @Nested
    class FullData extends Checks {
        private static final String CHECKS = "feature parity with the handbook on all 1.3 M raw rows";

        @Override
        Path raw() {
            return SharedData.require(RAW, CHECKS);
        }

        @Override
        Path features() {
            return SharedData.require(FEATURES, CHECKS);
        }

        @Override
        Expected expected() {
            return FULL_DATA;
        }

        @Test
        void baselineSplitDiffersFromTheHandbooksByTheZeroAmountRowsOnly() {
            HandbookProtocol p = HandbookProtocol.baseline();
            HandbookProtocol.Split ours = p.split(table);
            Set<Long> ourTrain = ids(ours.train());
            Set<Long> ourTest = ids(ours.test());

            // the handbook's get_train_test_set, re-implemented on its own features file
            int start = HandbookProtocol.day(p.trainStartMillis());
            Set<Long> hbTrain = new HashSet<>();
            Set<String> known = new HashSet<>();
            Map<Integer, Set<String>> fraudCustomersByDay = new HashMap<>();
            int trainFrauds = 0;
            for (HandbookRow h : handbook) {
                int d = HandbookProtocol.day(h.time());
                if (d >= start && d < start + 7) {
                    hbTrain.add(h.id());
                    if (h.fraud()) {
                        known.add(h.customer());
                        trainFrauds++;
                    }
                }
                if (h.fraud()) {
                    fraudCustomersByDay.computeIfAbsent(d, k -> new HashSet<>()).add(h.customer());
                }
            }
            Set<Long> hbTest = new HashSet<>();
            int testFrauds = 0;
            for (int k = 0; k < 7; k++) {
                known.addAll(fraudCustomersByDay.getOrDefault(start + 7 + k - 1, Set.of()));
                for (HandbookRow h : handbook) {
                    if (HandbookProtocol.day(h.time()) == start + 14 + k && !known.contains(h.customer())) {
                        hbTest.add(h.id());
                        testFrauds += h.fraud() ? 1 : 0;
                    }
                }
            }
            assertThat(hbTrain).as("handbook's published training set").hasSize(67_240);
            assertThat(trainFrauds).isEqualTo(598);
            assertThat(hbTest).as("handbook's published test set").hasSize(58_264);
            assertThat(testFrauds).isEqualTo(385);

            assertThat(ourTrain).hasSize(67_238);
            assertThat(ourTest).hasSize(58_262);
            Set<Long> zeroIds = zeros.stream().map(ZeroTx::id).collect(Collectors.toSet());
            // (plain set operations: AssertJ's containsAll is quadratic on sets this size)
            Set<Long> extraTrain = new HashSet<>(ourTrain);
            extraTrain.removeAll(hbTrain);
            Set<Long> extraTest = new HashSet<>(ourTest);
            extraTest.removeAll(hbTest);
            assertThat(extraTrain).as("our training rows not in the handbook's").isEmpty();
            assertThat(extraTest).as("our test rows not in the handbook's").isEmpty();
            Set<Long> missingTrain = new TreeSet<>(hbTrain);
            missingTrain.removeAll(ourTrain);
            Set<Long> missingTest = new TreeSet<>(hbTest);
            missingTest.removeAll(ourTest);
            System.out.printf("split: ours %,d / %,d, handbook %,d / %,d; missing from ours: train %s, test %s "
                    + "(all zero-amount transactions)%n", ourTrain.size(), ourTest.size(), hbTrain.size(), hbTest.size(),
                    missingTrain, missingTest);
            assertThat(missingTrain).hasSize(2).allSatisfy(id -> assertThat(zeroIds.contains(id)).isTrue());
            assertThat(missingTest).hasSize(2).allSatisfy(id -> assertThat(zeroIds.contains(id)).isTrue());
            // the frauds are the same: the zero-amount transactions are all genuine
            assertThat(Arrays.stream(ours.train()).filter(i -> table.labels[i]).count()).isEqualTo(598);
            assertThat(Arrays.stream(ours.test()).filter(i -> table.labels[i]).count()).isEqualTo(385);
        }
    }

    /** The checks, on a raw file and the handbook's features of the same transactions. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Checks {
        List<ZeroTx> zeros;
        Dataset dataset;
        FeatureTable table;
        final Map<String, Integer> rowOfId = new HashMap<>();
        List<HandbookRow> handbook;

        abstract Path raw();

        abstract Path features();

        abstract Expected expected();

        /** Once per class, but before each test, so that a missing file skips each test with its message. */
        @BeforeEach
        void computeFeatures() throws IOException {
            Path raw = raw();
            Path features = features();
            if (dataset != null) {
                return;
            }
            long t0 = System.nanoTime();
            zeros = scanZeroAmounts(raw);
            dataset = DatasetReader.read(raw, DatasetReader.Format.HANDBOOK);
            long t1 = System.nanoTime();
            table = FeatureTable.compute(dataset.rows(), new AccountFeatures(), dataset.rows().size());
            long t2 = System.nanoTime();
            long from = LocalDate.of(2018, 7, 25).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            for (int i = 0; i < table.rows; i++) {
                if (table.eventTimes[i] >= from) {
                    rowOfId.put(table.transactionIds[i], i);
                }
            }
            handbook = readHandbookFeatures(features);
            long t3 = System.nanoTime();
            System.out.printf("parity (%s): read %,d raw rows in %.1f s, features in %.1f s, handbook file in %.1f s%n",
                    expected().label(), dataset.rows().size() + dataset.badRows().size(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        }

        @Test
        void readerRejectsExactlyTheZeroAmountRows() {
            assertThat(zeros).hasSize(expected().zeroAmountRows());
            assertThat(dataset.rows()).hasSize(expected().rawRows() - expected().zeroAmountRows());
            assertThat(dataset.badRows()).extracting(Dataset.BadRow::line)
                    .containsExactlyElementsOf(zeros.stream().map(ZeroTx::line).toList());
            assertThat(dataset.badRows()).allSatisfy(b -> assertThat(b.reason()).startsWith("non_positive_amount: "));
        }

        @Test
        void featuresMatchTheHandbooksExceptTheDocumentedExceptions() {
            Map<String, List<ZeroTx>> zerosByCustomer = zeros.stream().collect(Collectors.groupingBy(ZeroTx::customer));
            Set<Long> zeroIds = zeros.stream().map(ZeroTx::id).collect(Collectors.toSet());
            int[] countIdx = {FeatureSchema.indexOf(FeatureSchema.TX_COUNT_1D), FeatureSchema.indexOf(FeatureSchema.TX_COUNT_7D),
                FeatureSchema.indexOf(FeatureSchema.TX_COUNT_30D)};
            int[] meanIdx = {FeatureSchema.indexOf(FeatureSchema.AVG_AMOUNT_1D), FeatureSchema.indexOf(FeatureSchema.AVG_AMOUNT_7D),
                FeatureSchema.indexOf(FeatureSchema.AVG_AMOUNT_30D)};
            int amountIdx = FeatureSchema.indexOf(FeatureSchema.AMOUNT);
            int weekendIdx = FeatureSchema.indexOf(FeatureSchema.IS_WEEKEND);
            int nightIdx = FeatureSchema.indexOf(FeatureSchema.IS_NIGHT);
            // our rows of the period that share customer and second with another one
            Map<String, List<Integer>> sameSecond = new HashMap<>();
            for (int row : rowOfId.values()) {
                sameSecond.computeIfAbsent(table.accounts[row] + "@" + table.eventTimes[row], k -> new ArrayList<>()).add(row);
            }
            sameSecond.values().removeIf(rows -> rows.size() < 2);

            int checked = 0;
            int zeroRows = 0;
            Set<Long> mismatched = new TreeSet<>();
            Set<Long> zeroInWindow = new TreeSet<>();
            Map<Long, Long> tieReversed = new HashMap<>();
            List<String> unexplained = new ArrayList<>();
            double maxAbsErr = 0;
            double maxRelErr = 0;
            int[] windowsHit = new int[WINDOW_DAYS.length];
            for (HandbookRow h : handbook) {
                if (zeroIds.contains(h.id())) {
                    zeroRows++;
                    assertThat(rowOfId).doesNotContainKey(Long.toString(h.id()));
                    continue;
                }
                Integer row = rowOfId.get(Long.toString(h.id()));
                assertThat(row).as("our features for transaction %d", h.id()).isNotNull();
                checked++;
                assertThat(table.eventTimes[row]).as("event time of %d", h.id()).isEqualTo(h.time());
                assertThat(table.accounts[row]).as("customer of %d", h.id()).isEqualTo(h.customer());
                assertThat(table.labels[row]).as("label of %d", h.id()).isEqualTo(h.fraud());
                double[] f = table.features[row];
                assertThat((int) f[weekendIdx]).as("is_weekend of %d", h.id()).isEqualTo(h.weekend());
                assertThat((int) f[nightIdx]).as("is_night of %d", h.id()).isEqualTo(h.night());

                int[] ours = new int[WINDOW_DAYS.length];
                double[] sums = new double[WINDOW_DAYS.length];
                boolean equal = true;
                for (int w = 0; w < WINDOW_DAYS.length; w++) {
                    ours[w] = (int) f[countIdx[w]];
                    sums[w] = f[meanIdx[w]] * ours[w];
                    double err = Math.abs(f[meanIdx[w]] - h.means()[w]);
                    if (ours[w] == h.counts()[w] && err <= tolerance(h.means()[w])) {
                        maxAbsErr = Math.max(maxAbsErr, err);
                        maxRelErr = Math.max(maxRelErr, err / Math.max(1, Math.abs(h.means()[w])));
                    } else {
                        equal = false;
                    }
                }
                // exception 1: zero-amount transactions of this customer in (t - N days, t], before this one in file order
                int[] z = new int[WINDOW_DAYS.length];
                for (ZeroTx zt : zerosByCustomer.getOrDefault(h.customer(), List.of())) {
                    boolean before = zt.time() < h.time() || (zt.time() == h.time() && zt.id() < h.id());
                    for (int w = 0; w < WINDOW_DAYS.length; w++) {
                        if (before && zt.time() > h.time() - WINDOW_DAYS[w] * DAY) {
                            z[w]++;
                        }
                    }
                }
                for (int w = 0; w < WINDOW_DAYS.length; w++) {
                    windowsHit[w] += z[w] > 0 ? 1 : 0;
                }
                if (z[2] > 0) {
                    zeroInWindow.add(h.id());
                }
                if (equal) {
                    continue;
                }
                mismatched.add(h.id());
                // the handbook's windows hold ours plus z[w] zero amounts: same sums, larger counts
                if (z[2] > 0 && matches(h, ours, sums, z, 0, 0)) {
                    continue;
                }
                // exception 2: a transaction of the same customer in the same second, which the handbook ordered the
                // other way round (we count it before this one iff it comes first in the file)
                boolean tie = false;
                for (int other : sameSecond.getOrDefault(h.customer() + "@" + h.time(), List.of())) {
                    long otherId = Long.parseLong(table.transactionIds[other]);
                    int toggle = otherId > h.id() ? 1 : -1;
                    if (otherId != h.id() && matches(h, ours, sums, z, toggle, toggle * table.features[other][amountIdx])) {
                        tieReversed.put(h.id(), otherId);
                        tie = true;
                        break;
                    }
                }
                if (!tie) {
                    unexplained.add(h.id() + " customer " + h.customer() + ": ours " + describe(f, countIdx, meanIdx)
                            + ", handbook counts " + Arrays.toString(h.counts()) + " means " + Arrays.toString(h.means())
                            + ", zero amounts in windows " + Arrays.toString(z));
                }
            }
            long tieGroups = sameSecond.size();
            System.out.printf("parity (%s): %,d handbook rows, %,d checked, %,d zero-amount rows not computed; %,d mismatches: "
                            + "%,d rows with a zero amount in the 1/7/30-day window (1/7/30-day: %d/%d/%d), %d rows of "
                            + "same-second pairs the handbook ordered the other way %s (of %d such groups in the period), "
                            + "%d unexplained; elsewhere the means differ by at most %.3g absolute, %.3g relative%n",
                    expected().label(), handbook.size(), checked, zeroRows, mismatched.size(), zeroInWindow.size(), windowsHit[0],
                    windowsHit[1], windowsHit[2], tieReversed.size(), tieReversed, tieGroups, unexplained.size(),
                    maxAbsErr, maxRelErr);

            Expected e = expected();
            assertThat(handbook).hasSize(e.featureRows());
            assertThat(zeroRows).isEqualTo(e.zeroRowsInFeatureFile());
            assertThat(checked).isEqualTo(e.featureRows() - e.zeroRowsInFeatureFile());
            assertThat(unexplained).as("mismatches not explained by a zero amount or a reversed same-second pair").isEmpty();
            // every row with a zero amount in its window differs (its counts must), and explains itself
            assertThat(mismatched).containsAll(zeroInWindow);
            assertThat(zeroInWindow).hasSize(e.zeroAmountAffectedRows());
            // reversed pairs come in pairs: each row of the pair explained by the other
            tieReversed.forEach((a, b) -> assertThat(tieReversed.get(b)).as("partner of %d", b).isEqualTo(a));
            assertThat(tieReversed).hasSize(e.tieReversedRows());
            assertThat(mismatched).hasSize(e.zeroAmountAffectedRows() + e.tieReversedRows());
        }

        /**
         * Whether the handbook's counts and means are ours with {@code z[w]} zero amounts added to window {@code w} and
         * {@code extraCount} transactions worth {@code extraSum} added to (or, negative, removed from) every window.
         */
        private static boolean matches(HandbookRow h, int[] ours, double[] sums, int[] z, int extraCount, double extraSum) {
            for (int w = 0; w < WINDOW_DAYS.length; w++) {
                int n = ours[w] + z[w] + extraCount;
                if (h.counts()[w] != n || Math.abs((sums[w] + extraSum) / n - h.means()[w]) > tolerance(h.means()[w])) {
                    return false;
                }
            }
            return true;
        }

        Set<Long> ids(int[] rows) {
            Set<Long> s = new HashSet<>();
            for (int i : rows) {
                s.add(Long.parseLong(table.transactionIds[i]));
            }
            return s;
        }
    }

    /** 1e-6 absolute for values below 1, 1e-6 relative above: the file prints 10 significant digits. */
    static double tolerance(double expected) {
        return 1e-6 * Math.max(1, Math.abs(expected));
    }

    private static String describe(double[] f, int[] countIdx, int[] meanIdx) {
        StringBuilder b = new StringBuilder("counts [");
        for (int w = 0; w < countIdx.length; w++) {
            b.append(w > 0 ? ", " : "").append((int) f[countIdx[w]]);
        }
        b.append("] means [");
        for (int w = 0; w < meanIdx.length; w++) {
            b.append(w > 0 ? ", " : "").append(f[meanIdx[w]]);
        }
        return b.append(']').toString();
    }

    /** The raw file's zero-amount rows, by a scan independent of {@link DatasetReader}. */
    static List<ZeroTx> scanZeroAmounts(Path raw) throws IOException {
        List<ZeroTx> out = new ArrayList<>();
        try (BufferedReader r = gzip(raw)) {
            String[] cols = r.readLine().split(",");
            List<String> names = Arrays.asList(cols);
            int id = names.indexOf("TRANSACTION_ID");
            int time = names.indexOf("TX_DATETIME");
            int customer = names.indexOf("CUSTOMER_ID");
            int amount = names.indexOf("TX_AMOUNT");
            long line = 1;
            String s;
            while ((s = r.readLine()) != null) {
                line++;
                String[] f = s.split(",");
                if (Double.parseDouble(f[amount]) <= 0) {
                    assertThat(f[amount]).isEqualTo("0.00");
                    out.add(new ZeroTx(line, Long.parseLong(f[id]), f[customer], millis(f[time])));
                }
            }
        }
        return out;
    }

    static List<HandbookRow> readHandbookFeatures(Path file) throws IOException {
        List<HandbookRow> out = new ArrayList<>();
        try (BufferedReader r = gzip(file)) {
            List<String> names = Arrays.asList(r.readLine().split(","));
            int id = col(names, "TRANSACTION_ID");
            int time = col(names, "TX_DATETIME");
            int customer = col(names, "CUSTOMER_ID");
            int fraud = col(names, "TX_FRAUD");
            int weekend = col(names, "TX_DURING_WEEKEND");
            int night = col(names, "TX_DURING_NIGHT");
            int[] counts = new int[WINDOW_DAYS.length];
            int[] means = new int[WINDOW_DAYS.length];
            for (int w = 0; w < WINDOW_DAYS.length; w++) {
                counts[w] = col(names, "CUSTOMER_ID_NB_TX_" + WINDOW_DAYS[w] + "DAY_WINDOW");
                means[w] = col(names, "CUSTOMER_ID_AVG_AMOUNT_" + WINDOW_DAYS[w] + "DAY_WINDOW");
            }
            String s;
            while ((s = r.readLine()) != null) {
                String[] f = s.split(",", -1);
                assertThat(f).hasSameSizeAs(names);
                int[] c = new int[WINDOW_DAYS.length];
                double[] m = new double[WINDOW_DAYS.length];
                for (int w = 0; w < WINDOW_DAYS.length; w++) {
                    c[w] = Integer.parseInt(f[counts[w]]);
                    m[w] = Double.parseDouble(f[means[w]]);
                }
                out.add(new HandbookRow(Long.parseLong(f[id]), millis(f[time]), f[customer],
                        Integer.parseInt(f[fraud]) == 1, Integer.parseInt(f[weekend]), Integer.parseInt(f[night]), c, m));
            }
        }
        return out;
    }

    private static int col(List<String> names, String name) {
        int i = names.indexOf(name);
        assertThat(i).as("column %s in the handbook features file", name).isNotNegative();
        return i;
    }

    private static long millis(String datetime) {
        return LocalDateTime.parse(datetime, TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static BufferedReader gzip(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8), 1 << 16);
    }
}
