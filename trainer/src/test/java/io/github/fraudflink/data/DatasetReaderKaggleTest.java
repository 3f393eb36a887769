package io.github.fraudflink.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.trainer.FeatureTable;
import io.github.fraudflink.trainer.SharedData;
import io.github.fraudflink.data.LabelledTransaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kaggle ULB {@code creditcard.csv} import ({@link DatasetReader.Format#KAGGLE}).
 *
 * <p>{@code src/test/resources/kaggle-creditcard-slice.csv} is lines 1-11, 1232-1235 and 12 of
 * {@code ../shared/data/kaggle-creditcard-sample-1722.csv.gz} (real rows; line 1232 is a real fraud of Amount 0.0),
 * with hand-made bad rows: see {@link #SLICE_BAD_LINES}. The same checks run on {@code kaggle-creditcard-sample-slice.csv.gz}
 * (every 8th row of the sample) on any clone, and on the full 1,722-row sample when {@link SharedData} finds it
 * (skipped, saying so, otherwise).
 *
 * <p>Without the full reference data its full-data checks are skipped, each with a message: a JUnit
 * {@code Assumptions} check in {@link io.github.fraudflink.trainer.SharedData#require}.
 */
class DatasetReaderKaggleTest {

    static final String SLICE = "kaggle-creditcard-slice.csv";
    static final String SAMPLE = "kaggle-creditcard-sample-1722.csv.gz";
    static final String SAMPLE_SLICE = "kaggle-creditcard-sample-slice.csv.gz";
    /** Bad lines of the slice: 12 real fraud with Amount 0.0; 16-26 hand-made (20 is blank, which is not a row). */
    static final List<Long> SLICE_BAD_LINES = List.of(12L, 16L, 17L, 18L, 19L, 21L, 22L, 25L, 26L);
    static final long EPOCH = DatasetReader.KAGGLE_EPOCH.toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void sliceImportsValidRowsAndReportsBadOnesByLine() throws IOException {
        Dataset ds = DatasetReader.read(slice(), DatasetReader.Format.KAGGLE);

        assertThat(ds.badRows()).extracting(Dataset.BadRow::line).containsExactlyElementsOf(SLICE_BAD_LINES);
        assertThat(reason(ds, 12)).isEqualTo("non_positive_amount: 'amount' must be > 0, got 0.0");
        assertThat(reason(ds, 16)).isEqualTo("expected 31 columns, found 30");
        assertThat(reason(ds, 17)).isEqualTo("V5 'abc' is not a number");
        assertThat(reason(ds, 18)).isEqualTo("Class must be 0 or 1, got '2'");
        assertThat(reason(ds, 19)).isEqualTo("non_positive_amount: 'amount' must be > 0, got -5.0");
        assertThat(reason(ds, 21)).isEqualTo("Time -1.0 must be between 0 and 3155760000 seconds");
        assertThat(reason(ds, 22)).isEqualTo("V3 'NaN' is not a number");
        assertThat(reason(ds, 25)).isEqualTo("Class must be 0 or 1, got '1.0'");
        assertThat(reason(ds, 26)).isEqualTo("Amount '' is not a number");

        // 15 valid rows, in event-time order; 13 and 23 have the same Time (23 is 13 with a quoted Class)
        assertThat(ds.rows()).extracting(r -> r.tx().transactionId).containsExactly(
                "kaggle-13", "kaggle-23", "kaggle-14", "kaggle-15", "kaggle-10", "kaggle-6", "kaggle-5", "kaggle-2",
                "kaggle-24", "kaggle-9", "kaggle-7", "kaggle-11", "kaggle-3", "kaggle-4", "kaggle-8");
        assertThat(ds.rows()).filteredOn(LabelledTransaction::fraud).extracting(r -> r.tx().transactionId)
                .containsExactly("kaggle-13", "kaggle-23", "kaggle-14", "kaggle-15");

        LabelledTransaction first = byId(ds, "kaggle-2");
        String[] line2 = readLines(slice()).get(1).split(",");
        assertThat(first.tx().accountId).isEqualTo("kaggle-2");
        assertThat(first.tx().eventTime).isEqualTo(EPOCH + 73_479_000L);
        assertThat(first.tx().ingestTime).isEqualTo(first.tx().eventTime);
        assertThat(first.tx().amount).isEqualTo(25.99);
        assertThat(first.fraud()).isFalse();
        assertThat(first.scenario()).isZero();
        assertThat(first.tx().terminalId).isNull();
        assertThat(first.tx().attributes).hasSize(28);
        for (int v = 1; v <= 28; v++) {
            assertThat(first.tx().attributes.get("V" + v)).as("V%d", v).isEqualTo(Double.parseDouble(line2[v]));
        }
        assertThat(first.tx().attributes).doesNotContainKeys("V0", "V29", "Amount", "V01");
        assertThat(first.tx().attributes.keySet()).containsExactly(
                java.util.stream.IntStream.rangeClosed(1, 28).mapToObj(i -> "V" + i).toArray(String[]::new));
        LabelledTransaction fraud = byId(ds, "kaggle-13");
        assertThat(fraud.fraud()).isTrue();
        assertThat(fraud.scenario()).isEqualTo(-1);
        assertThat(byId(ds, "kaggle-23").tx().attributes).isEqualTo(fraud.tx().attributes);
    }

    @Test
    void accountFeaturesAreDegenerateAndTimeFeaturesFollowTheDocumentedOrigin() throws IOException {
        Dataset ds = DatasetReader.read(slice(), DatasetReader.Format.KAGGLE);
        FeatureTable t = FeatureTable.compute(ds.rows(), new AccountFeatures(), ds.rows().size());

        for (int i = 0; i < t.rows; i++) {
            double[] f = t.features[i];
            double amount = f[FeatureSchema.indexOf(FeatureSchema.AMOUNT)];
            long seconds = (t.eventTimes[i] - EPOCH) / 1000;
            assertThat(t.accounts[i]).isEqualTo(t.transactionIds[i]);
            for (String c : List.of(FeatureSchema.TX_COUNT_5M, FeatureSchema.TX_COUNT_1H, FeatureSchema.TX_COUNT_1D,
                    FeatureSchema.TX_COUNT_7D, FeatureSchema.TX_COUNT_30D)) {
                assertThat(f[FeatureSchema.indexOf(c)]).as(c).isEqualTo(1);
            }
            for (String a : List.of(FeatureSchema.AVG_AMOUNT_1D, FeatureSchema.AVG_AMOUNT_7D, FeatureSchema.AVG_AMOUNT_30D)) {
                assertThat(f[FeatureSchema.indexOf(a)]).as(a).isEqualTo(amount);
            }
            assertThat(f[FeatureSchema.indexOf(FeatureSchema.AMOUNT_ZSCORE_30D)]).isZero();
            assertThat(f[FeatureSchema.indexOf(FeatureSchema.AMOUNT_RATIO_30D)]).isEqualTo(1);
            assertThat(f[FeatureSchema.indexOf(FeatureSchema.SECONDS_SINCE_PREV)]).isEqualTo(-1);
            assertThat(f[FeatureSchema.indexOf(FeatureSchema.HOUR_OF_DAY)]).isEqualTo((seconds / 3600) % 24);
            assertThat(f[FeatureSchema.indexOf(FeatureSchema.IS_NIGHT)]).isEqualTo((seconds / 3600) % 24 <= 6 ? 1 : 0);
            assertThat(f[FeatureSchema.indexOf(FeatureSchema.IS_WEEKEND)]).isZero();
        }
    }

    @Test
    void readsTheOriginalQuotedLayoutGzipped() throws IOException {
        // Kaggle's own file quotes the header names and the Class values: "Time","V1",...,"Class" / ...,149.62,"0"
        List<String> lines = readLines(slice());
        List<String> quoted = new ArrayList<>();
        quoted.add(Arrays.stream(lines.get(0).split(",")).map(c -> '"' + c + '"').collect(Collectors.joining(",")));
        for (String l : lines.subList(1, lines.size())) {
            int comma = l.lastIndexOf(',');
            quoted.add(l.isEmpty() || l.endsWith("\"") ? l : l.substring(0, comma + 1) + '"' + l.substring(comma + 1) + '"');
        }
        Path gz = dir.resolve("creditcard.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(("\uFEFF" + String.join("\r\n", quoted) + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        Dataset plain = DatasetReader.read(slice(), DatasetReader.Format.KAGGLE);
        Dataset q = DatasetReader.read(gz, DatasetReader.Format.KAGGLE);

        assertThat(q.rows()).isEqualTo(plain.rows());
        assertThat(q.badRows()).extracting(Dataset.BadRow::line).containsExactlyElementsOf(SLICE_BAD_LINES);
        assertThat(reason(q, 18)).isEqualTo("Class must be 0 or 1, got '2'"); // the quotes are CSV, not the value
    }

    @Test
    void aHeaderWithoutAKaggleColumnFailsTheImport() throws IOException {
        List<String> lines = readLines(slice());
        Path f = Files.writeString(dir.resolve("nov7.csv"),
                lines.get(0).replace(",V7,", ",V7x,") + "\n" + lines.get(1) + "\n");
        assertThatThrownBy(() -> DatasetReader.read(f, DatasetReader.Format.KAGGLE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("column V7 missing from the header");
    }

    /**
     * A real cut of the shared sample shipped in {@code src/test/resources} (every 8th row: see the README there): 216
     * rows, 62 frauds; its 6 rows of Amount 0.0 (5 frauds) are bad rows by contract.
     */
    @Test
    void sampleSlice() throws IOException {
        checkSample(SharedData.resource(SAMPLE_SLICE), 216, 62, 6, 5,
                "c97fedd0e868e520c118eede87a591623a3878f6ca3aab6d103eb4b58ec4304a");
    }

    /** The full shared sample: 1,722 rows, 492 frauds; the 31 rows of Amount 0.0 (27 frauds) are bad rows by contract. */
    @Test
    void fullSharedSample() throws IOException {
        checkSample(SharedData.require(SAMPLE, "the Kaggle import of all 1,722 rows of the shared sample"), 1_722, 492,
                31, 27, "41e4829b9ced25b1b210fa65670b0919d15e3c9f4469d0278930be47fcf74efb");
    }

    /** The reader against the file's own counts, found by a scan independent of the reader. */
    private static void checkSample(Path sample, int rows, int frauds, int zeroAmounts, int zeroFrauds,
            String sha256) throws IOException {
        Dataset ds = DatasetReader.read(sample, DatasetReader.Format.KAGGLE);

        List<String> lines = readLines(sample);
        assertThat(lines).hasSize(1 + rows);
        long fraudLines = lines.stream().skip(1).filter(l -> l.endsWith(",1")).count();
        List<Long> zeroLines = new ArrayList<>();
        long zeroFraudLines = 0;
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            if (Double.parseDouble(f[29]) <= 0) {
                assertThat(f[29]).isEqualTo("0.0");
                zeroLines.add(i + 1L);
                zeroFraudLines += f[30].equals("1") ? 1 : 0;
            }
        }
        assertThat(fraudLines).isEqualTo(frauds);
        assertThat(zeroLines).hasSize(zeroAmounts);
        assertThat(zeroFraudLines).isEqualTo(zeroFrauds);

        assertThat(ds.fingerprint()).isEqualTo(sha256);
        assertThat(ds.badRows()).extracting(Dataset.BadRow::line).containsExactlyElementsOf(zeroLines);
        assertThat(ds.badRows()).allSatisfy(b -> assertThat(b.reason()).startsWith("non_positive_amount: "));
        assertThat(ds.rows()).hasSize(rows - zeroAmounts);
        assertThat(ds.rows().stream().filter(LabelledTransaction::fraud).count()).isEqualTo(frauds - zeroFrauds);
        assertThat(ds.rows()).allSatisfy(r -> {
            assertThat(r.tx().attributes).hasSize(28);
            assertThat(r.tx().eventTime - EPOCH).isBetween(0L, 2 * AccountFeatures.DAY);
        });
        assertThat(ds.rows().stream().map(r -> r.tx().accountId).distinct().count()).isEqualTo(ds.rows().size());
    }

    private static Path slice() {
        return SharedData.resource(SLICE);
    }

    private static List<String> readLines(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.toString().endsWith(".gz")) {
            in = new GZIPInputStream(in);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }

    private static LabelledTransaction byId(Dataset ds, String id) {
        return ds.rows().stream().filter(r -> r.tx().transactionId.equals(id)).findFirst().orElseThrow();
    }

    private static String reason(Dataset ds, long line) {
        return ds.badRows().stream().filter(b -> b.line() == line).findFirst().orElseThrow().reason();
    }
}
