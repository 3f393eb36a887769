package io.github.fraudflink.trainer.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.data.DatasetReader;
import io.github.fraudflink.features.TerminalHistory;
import io.github.fraudflink.trainer.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * {@link TerminalFeatures} against the Fraud Detection Handbook's own {@code TERMINAL_ID_NB_TX_*} and
 * {@code TERMINAL_ID_RISK_*} columns (an outside oracle), labels arriving 7 days after their transaction as the
 * handbook assumes: every one of the 201,295 rows within 1e-6 when all raw transactions are fed; and, through the
 * input contract (which rejects the 32 transactions of amount 0.00), every row that differs has one of those in its
 * terminal's windows. Needs the full files of {@code ../shared/data}; skipped with a message without them.
 */
class TerminalFeatureParityTest {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String[] COLUMNS = {"TERMINAL_ID_NB_TX_1DAY_WINDOW", "TERMINAL_ID_RISK_1DAY_WINDOW",
        "TERMINAL_ID_NB_TX_7DAY_WINDOW", "TERMINAL_ID_RISK_7DAY_WINDOW", "TERMINAL_ID_NB_TX_30DAY_WINDOW",
        "TERMINAL_ID_RISK_30DAY_WINDOW"};

    private record Raw(String id, long time, String terminal, double amount, boolean fraud) {}

    @Test
    void everyRowEqualsTheHandbooksTerminalFeatures() throws IOException {
        String checks = "terminal feature parity with the handbook on all 1.3 M raw rows";
        Path raw = SharedData.require(HandbookFeatureParityTest.RAW, checks);
        Path handbook = SharedData.require(HandbookFeatureParityTest.FEATURES, checks);
        List<Raw> rows = readRaw(raw);
        Map<String, double[]> expected = readHandbook(handbook);

        Map<String, double[]> all = compute(rows, java.time.Duration.ZERO);
        int compared = 0;
        for (Map.Entry<String, double[]> e : expected.entrySet()) {
            double[] got = all.get(e.getKey());
            for (int j = 0; j < COLUMNS.length; j++) {
                assertThat(got[j]).as("%s of transaction %s", COLUMNS[j], e.getKey())
                        .isCloseTo(e.getValue()[j], org.assertj.core.api.Assertions.within(1e-6));
            }
            compared++;
        }
        assertThat(compared).isEqualTo(HandbookFeatureParityTest.FEATURE_ROWS);

        // the trainer's path (the dataset reader, whose input contract rejects amounts of 0.00, and FeatureTable's
        // terminal columns): each row that differs then has a rejected 0.00 amount of its terminal in its windows
        Map<String, double[]> contract = trainerColumns(raw);
        Map<String, List<Long>> zeroTimes = new HashMap<>();
        for (Raw r : rows) {
            if (r.amount() <= 0) {
                zeroTimes.computeIfAbsent(r.terminal(), k -> new ArrayList<>()).add(r.time());
            }
        }
        Map<String, Raw> byId = new HashMap<>();
        rows.forEach(r -> byId.put(r.id(), r));
        int differ = 0;
        int explained = 0;
        for (Map.Entry<String, double[]> e : expected.entrySet()) {
            double[] got = contract.get(e.getKey());
            if (got == null) {
                continue; // a zero-amount row itself: rejected, not scored
            }
            boolean same = true;
            for (int j = 0; j < COLUMNS.length; j++) {
                same &= Math.abs(got[j] - e.getValue()[j]) <= 1e-6;
            }
            if (!same) {
                differ++;
                Raw r = byId.get(e.getKey());
                long upper = r.time() - 7 * TerminalFeatures.DAY;
                long lower = upper - 30 * TerminalFeatures.DAY;
                boolean zeroInWindow = zeroTimes.getOrDefault(r.terminal(), List.of()).stream()
                        .anyMatch(z -> z > lower && z <= upper);
                assertThat(zeroInWindow).as("row %s differs without a rejected 0.00 amount in its windows", e.getKey()).isTrue();
                explained++;
            }
        }
        System.out.printf("terminal parity: %,d rows equal the handbook's; through the input contract %,d differ, each"
                + " with a rejected 0.00 amount of its terminal in its windows%n", compared, explained);
        assertThat(explained).isEqualTo(differ);

        // the job's label lag (a label counts from L after it is known, so live transactions need not wait for it):
        // each row it changes has a fraud of its terminal in (t - d - L, t - d], whose label is L too young to count
        java.time.Duration lag = TerminalFeatures.DEFAULT_LABEL_LAG;
        Map<String, double[]> lagged = compute(rows, lag);
        Map<String, List<Long>> fraudTimes = new HashMap<>();
        rows.stream().filter(Raw::fraud).forEach(r -> fraudTimes.computeIfAbsent(r.terminal(), k -> new ArrayList<>()).add(r.time()));
        int changed = 0;
        for (String id : expected.keySet()) {
            if (!java.util.Arrays.equals(all.get(id), lagged.get(id))) {
                changed++;
                Raw r = byId.get(id);
                long upper = r.time() - 7 * TerminalFeatures.DAY;
                assertThat(fraudTimes.getOrDefault(r.terminal(), List.of()).stream()
                        .anyMatch(z -> z > upper - lag.toMillis() && z <= upper))
                        .as("row %s changed by the lag without a fraud within the lag of its window's end", id).isTrue();
            }
        }
        System.out.printf("label lag %s: %,d of %,d rows differ from the handbook's, each explained%n", lag, changed, compared);
    }

    /** The terminal columns of the trainer's feature table (all it computes) over the dataset as it reads it. */
    private static Map<String, double[]> trainerColumns(Path raw) throws IOException {
        var ds = DatasetReader.read(raw, DatasetReader.Format.HANDBOOK);
        FeatureTable t = FeatureTable.compute(ds.rows(), new AccountFeatures(), new TerminalFeatures(TerminalFeatures.DEFAULT_DELAY, java.time.Duration.ZERO,
                TerminalFeatures.DEFAULT_MAX_HISTORY), ds.rows().size());
        assertThat(t.featureSet).isEqualTo(FeatureCatalog.SERVED);
        int from = FeatureCatalog.SERVED.names().indexOf(FeatureCatalog.TERMINAL_TX_COUNT_1D);
        Map<String, double[]> out = new HashMap<>(t.rows * 2);
        for (int i = 0; i < t.rows; i++) {
            out.put(t.transactionIds[i], java.util.Arrays.copyOfRange(t.features[i], from, from + TerminalFeatures.size()));
        }
        return out;
    }

    /** The terminal features of every row, each label known 7 days after its transaction. */
    private static Map<String, double[]> compute(List<Raw> rows, java.time.Duration lag) {
        TerminalFeatures f = new TerminalFeatures(TerminalFeatures.DEFAULT_DELAY, lag, TerminalFeatures.DEFAULT_MAX_HISTORY);
        Map<String, TerminalHistory> histories = new HashMap<>();
        Map<String, double[]> out = new HashMap<>(rows.size() * 2);
        for (Raw r : rows) {
            TerminalHistory h = histories.computeIfAbsent(r.terminal(), k -> new TerminalHistory());
            out.put(r.id(), f.apply(h, "customer", r.id(), r.time()));
            f.addLabel(h, "customer", r.id(), r.time(), r.fraud(), r.time() + f.delay().toMillis());
        }
        return out;
    }

    private static List<Raw> readRaw(Path file) throws IOException {
        List<Raw> rows = new ArrayList<>(1_400_000);
        try (BufferedReader in = gzip(file)) {
            in.readLine();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] c = line.split(",");
                rows.add(new Raw(c[0], millis(c[1]), c[3], Double.parseDouble(c[4]), "1".equals(c[7])));
            }
        }
        return rows;
    }

    private static Map<String, double[]> readHandbook(Path file) throws IOException {
        Map<String, double[]> out = new HashMap<>();
        try (BufferedReader in = gzip(file)) {
            List<String> names = List.of(in.readLine().split(","));
            int[] idx = new int[COLUMNS.length];
            for (int j = 0; j < COLUMNS.length; j++) {
                idx[j] = names.indexOf(COLUMNS[j]);
                assertThat(idx[j]).as("column %s", COLUMNS[j]).isNotNegative();
            }
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] c = line.split(",");
                double[] v = new double[COLUMNS.length];
                for (int j = 0; j < v.length; j++) {
                    v[j] = Double.parseDouble(c[idx[j]]);
                }
                out.put(c[0], v);
            }
        }
        return out;
    }

    private static long millis(String datetime) {
        return LocalDateTime.parse(datetime, TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static BufferedReader gzip(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8), 1 << 16);
    }
}
