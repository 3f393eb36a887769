package io.github.fraudflink.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.data.LabelledTransaction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handbook CSV import: valid rows, every kind of bad row reported with its exact line number, and the header checks. */
class DatasetReaderHandbookTest {

    static final String HEADER = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,"
            + "TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";

    /** Line numbers are 1-based and count the header (line 1) and blank lines. */
    static final String FILE = String.join("\n",
            HEADER,                                                            // 1
            "0,2018-04-01 00:00:31,596,3156,57.16,31,0,0,0",                   // 2  valid
            "1,2018-04-01 00:02:10,4961,3412,81.51,130,0",                     // 3  7 columns
            "2,2018-13-01 00:07:56,2,1365,146.00,476,0,0,0",                   // 4  month 13
            "3,2018-04-01 00:09:29,4128,8737,abc,569,0,0,0",                   // 5  amount not a number
            "4,2018-04-01 00:10:34,927,9906,0.00,634,0,0,0",                   // 6  amount 0: contract says > 0
            "5,2018-04-01 00:10:45,568,8803,56.11,645,0,2,0",                  // 7  label 2
            "",                                                                // 8  blank: not a row
            "6,2018-04-01 00:11:30,2803,5490,5.00,690,0,1,2",                  // 9  valid fraud, scenario 2
            "7,2018-04-01 00:11:44,4684,,77.34,704,0,0,0",                     // 10 empty terminal
            "8,2018-04-01 00:12:00,4128,8737,10.00,720,0,1,x",                 // 11 scenario not an integer
            "9,2018-04-01 00:13:00,,8737,10.00,780,0,0,0",                     // 12 empty customer
            "10,2018-04-01 00:14:00,12,8737,2000000.00,840,0,1,1",             // 13 amount above the contract's limit
            "11,2018-04-01 00:00:05,77,123,12.50,5,0,0,0",                     // 14 valid, earliest
            "12,2018-04-01 00:15:00,12,8737,-3.00,900,0,0,0",                  // 15 negative amount
            "13,2018-04-01 00:16:00,12,8737,NaN,960,0,0,0",                    // 16 NaN
            "14,2018-04-01,12,8737,1.00,960,0,0,0",                            // 17 date without time
            "15,2018-04-01 00:17:00,12,8737,1.00,1020,0,yes,0",                // 18 label not 0/1
            "16,2018-04-01 00:18:00,12,8737,1.00,1080,0,0,0,extra")            // 19 10 columns
            + "\n";

    @TempDir
    Path dir;

    @Test
    void reportsEveryBadRowWithItsLineAndKeepsTheGoodOnes() throws IOException {
        Dataset ds = DatasetReader.read(write("data.csv", FILE), DatasetReader.Format.HANDBOOK);

        assertThat(ds.badRows()).extracting(Dataset.BadRow::line)
                .containsExactly(3L, 4L, 5L, 6L, 7L, 10L, 11L, 12L, 13L, 15L, 16L, 17L, 18L, 19L);
        assertThat(reason(ds, 3)).isEqualTo("expected 9 columns, found 7");
        assertThat(reason(ds, 4)).isEqualTo("TX_DATETIME '2018-13-01 00:07:56' is not yyyy-MM-dd HH:mm:ss");
        assertThat(reason(ds, 5)).isEqualTo("TX_AMOUNT 'abc' is not a number");
        assertThat(reason(ds, 6)).isEqualTo("non_positive_amount: 'amount' must be > 0, got 0.0");
        assertThat(reason(ds, 7)).isEqualTo("TX_FRAUD must be 0 or 1, got '2'");
        assertThat(reason(ds, 10)).isEqualTo("TERMINAL_ID is empty");
        assertThat(reason(ds, 11)).isEqualTo("TX_FRAUD_SCENARIO 'x' is not an integer");
        assertThat(reason(ds, 12)).startsWith("invalid_account_id: ");
        assertThat(reason(ds, 13)).startsWith("amount_too_large: ");
        assertThat(reason(ds, 15)).isEqualTo("non_positive_amount: 'amount' must be > 0, got -3.0");
        assertThat(reason(ds, 16)).isEqualTo("TX_AMOUNT 'NaN' is not a number");
        assertThat(reason(ds, 17)).isEqualTo("TX_DATETIME '2018-04-01' is not yyyy-MM-dd HH:mm:ss");
        assertThat(reason(ds, 18)).isEqualTo("TX_FRAUD must be 0 or 1, got 'yes'");
        assertThat(reason(ds, 19)).isEqualTo("expected 9 columns, found 10");
        assertThat(ds.badRows().get(0)).hasToString("line 3: expected 9 columns, found 7");

        // the good rows, in event-time order
        List<LabelledTransaction> rows = ds.rows();
        assertThat(rows).extracting(r -> r.tx().transactionId).containsExactly("11", "0", "6");
        LabelledTransaction first = rows.get(0);
        assertThat(first.tx().accountId).isEqualTo("77");
        assertThat(first.tx().terminalId).isEqualTo("123");
        assertThat(first.tx().eventTime).isEqualTo(Instant.parse("2018-04-01T00:00:05Z").toEpochMilli());
        assertThat(first.tx().ingestTime).isEqualTo(first.tx().eventTime);
        assertThat(first.tx().amount).isEqualTo(12.50);
        assertThat(first.fraud()).isFalse();
        assertThat(first.scenario()).isZero();
        LabelledTransaction fraud = rows.get(2);
        assertThat(fraud.fraud()).isTrue();
        assertThat(fraud.scenario()).isEqualTo(LabelledTransaction.SCENARIO_TERMINAL);
    }

    @Test
    void readsGzipAndFingerprintsTheFileBytes() throws Exception {
        Path gz = dir.resolve("data.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(FILE.getBytes(StandardCharsets.UTF_8));
        }
        Dataset ds = DatasetReader.read(gz, DatasetReader.Format.HANDBOOK);
        Dataset plain = DatasetReader.read(write("data.csv", FILE), DatasetReader.Format.HANDBOOK);

        assertThat(ds.rows()).isEqualTo(plain.rows());
        assertThat(ds.badRows()).isEqualTo(plain.badRows());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(gz)));
        assertThat(ds.fingerprint()).isEqualTo(sha);
        assertThat(plain.fingerprint()).isNotEqualTo(sha);
    }

    @Test
    void withoutAScenarioColumnAFraudsScenarioIsUnknown() throws IOException {
        String csv = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD\r\n"
                + "a,2018-04-01 00:00:31,596,3156,57.16,1\r\n"
                + "b,2018-04-01 00:00:32,596,3156,7.16,0\r\n";
        Dataset ds = DatasetReader.read(write("noscenario.csv", csv), DatasetReader.Format.HANDBOOK);

        assertThat(ds.badRows()).isEmpty();
        assertThat(ds.rows()).extracting(LabelledTransaction::scenario).containsExactly(-1, 0);
    }

    @Test
    void aHeaderWithoutARequiredColumnFailsTheImport() throws IOException {
        Path f = write("nolabel.csv", "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT\n1,2018-04-01 00:00:31,1,1,1.00\n");
        assertThatThrownBy(() -> DatasetReader.read(f, DatasetReader.Format.HANDBOOK))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("column TX_FRAUD missing from the header");
        Path empty = write("empty.csv", "");
        assertThatThrownBy(() -> DatasetReader.read(empty, DatasetReader.Format.HANDBOOK))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("empty file");
    }

    @Test
    void aKaggleFileReadAsHandbookSaysWhichFormatToUse() throws IOException {
        Path f = write("creditcard.csv", "\"Time\",\"V1\",\"Amount\",\"Class\"\n0,1.0,2.0,\"0\"\n");
        assertThatThrownBy(() -> DatasetReader.read(f, DatasetReader.Format.HANDBOOK))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format KAGGLE");
    }

    private static String reason(Dataset ds, long line) {
        return ds.badRows().stream().filter(b -> b.line() == line).findFirst().orElseThrow().reason();
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
