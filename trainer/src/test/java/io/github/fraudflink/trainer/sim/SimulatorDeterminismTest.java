package io.github.fraudflink.trainer.sim;

import io.github.fraudflink.data.LabelledTransaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorDeterminismTest {

    private static final SimulatorConfig SMALL =
            SimulatorConfig.defaults().withCustomers(300).withTerminals(600).withDays(30).withSeed(7);

    @TempDir
    Path dir;

    @Test
    void sameSeedGivesIdenticalFiles() throws IOException {
        byte[][] first = writeBoth(SMALL, "a");
        byte[][] second = writeBoth(SMALL, "b");
        assertThat(first[0]).isEqualTo(second[0]);
        assertThat(first[1]).isEqualTo(second[1]);
        assertThat(first[0].length).isGreaterThan(10_000);
    }

    @Test
    void differentSeedGivesDifferentFiles() throws IOException {
        byte[][] a = writeBoth(SMALL, "a");
        byte[][] b = writeBoth(SMALL.withSeed(8), "b");
        assertThat(a[0]).isNotEqualTo(b[0]);
        assertThat(a[1]).isNotEqualTo(b[1]);
    }

    @Test
    void iteratingTwiceGivesTheSameTransactions() {
        TransactionSimulator sim = new TransactionSimulator(SMALL);
        List<LabelledTransaction> first = sim.stream().toList();
        List<LabelledTransaction> second = sim.stream().toList();
        assertThat(first).isEqualTo(second).isNotEmpty();
    }

    @Test
    void gzipHeaderHasNoTimestampAndCsvMatchesTheHandbookLayout() throws IOException {
        byte[] csv = writeBoth(SMALL, "a")[0];
        assertThat(Arrays.copyOfRange(csv, 0, 3)).containsExactly(0x1f, 0x8b, 8); // gzip, deflate
        assertThat(csv[3]).isZero(); // no flags: no file name, no comment
        assertThat(Arrays.copyOfRange(csv, 4, 8)).containsExactly(0, 0, 0, 0); // MTIME
        String text = gunzip(csv);
        String[] lines = text.split("\n");
        assertThat(lines[0]).isEqualTo("TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,"
                + "TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO"); // header of the real handbook file
        assertThat(lines[1]).matches("0,2018-04-01 \\d\\d:\\d\\d:\\d\\d,\\d+,\\d+,\\d+\\.\\d\\d,\\d+,0,[01],[0-3]");
    }

    @Test
    void jsonLinesCarryTheJobSchemaAndLabels() throws IOException {
        String first = gunzip(writeBoth(SMALL, "a")[1]).split("\n")[0];
        assertThat(first).matches("\\{\"transaction_id\":\"0\",\"account_id\":\"C\\d{5}\","
                + "\"event_time\":\"2018-04-01T\\d\\d:\\d\\d:\\d\\dZ\",\"amount\":\\d+\\.\\d\\d,\"currency\":\"EUR\","
                + "\"terminal_id\":\"T\\d{5}\",\"lat\":-?\\d+\\.\\d+,\"lon\":-?\\d+\\.\\d+,"
                + "\"is_fraud\":(true|false),\"fraud_scenario\":[0-3]}");
    }

    private byte[][] writeBoth(SimulatorConfig config, String name) throws IOException {
        TransactionSimulator sim = new TransactionSimulator(config);
        Path csv = dir.resolve(name + ".csv.gz");
        Path json = dir.resolve(name + ".jsonl.gz");
        long n = HandbookCsvWriter.write(sim, config.startDate(), csv);
        assertThat(JsonLinesWriter.write(sim, json)).isEqualTo(n);
        return new byte[][] {Files.readAllBytes(csv), Files.readAllBytes(json)};
    }

    private static String gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
