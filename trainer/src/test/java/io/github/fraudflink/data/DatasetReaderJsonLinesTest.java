package io.github.fraudflink.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fraudflink.trainer.sim.JsonLinesWriter;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON-lines import: the job's input contract per line plus the labels, bad lines reported with their numbers. */
class DatasetReaderJsonLinesTest {

    static final String OK = "\"transaction_id\":\"t%d\",\"account_id\":\"a1\",\"event_time\":\"2024-05-01T12:00:0%dZ\",\"amount\":%s";

    /** Line numbers are 1-based and count blank lines. */
    static final String FILE = String.join("\n",
            "{" + ok(1, "10.5") + ",\"is_fraud\":true,\"fraud_scenario\":2,\"currency\":\"EUR\",\"attributes\":{\"V1\":0.5}}", // 1
            "{" + ok(2, "20") + ",\"is_fraud\":0}",                                                   // 2  valid, 0/1 label
            "{\"transaction_id\":\"t3\",\"account_id\":",                                            // 3  truncated JSON
            "[1,2,3]",                                                                                // 4  not an object
            "{" + ok(4, "1") + "}",                                                                   // 5  no label
            "{" + ok(5, "1") + ",\"is_fraud\":\"yes\"}",                                             // 6  label a string
            "{" + ok(6, "1") + ",\"is_fraud\":2}",                                                   // 7  label 2
            "{" + ok(7, "-1") + ",\"is_fraud\":false}",                                              // 8  amount <= 0
            "   ",                                                                                    // 9  blank: not a row
            "{" + ok(8, "1") + ",\"amount\":2,\"is_fraud\":false}",                                  // 10 duplicate field
            "{" + ok(9, "1") + ",\"is_fraud\":false} {\"transaction_id\":\"x\"}",                    // 11 two values
            "{" + ok(1, "1") + ",\"is_fraud\":true,\"fraud_scenario\":\"abc\"}",                     // 12 scenario a string
            "{\"transaction_id\":\"t0\",\"event_time\":0,\"amount\":1,\"is_fraud\":false}",          // 13 no account
            "{" + ok(0, "3.25") + ",\"is_fraud\":1,\"unknown_field\":[1]}",                          // 14 valid, earliest
            "{" + ok(1, "1") + ",\"is_fraud\":null}")                                                // 15 null label
            + "\n";

    @TempDir
    Path dir;

    @Test
    void readsValidLinesAndReportsBadOnesWithTheirLineNumbers() throws IOException {
        Dataset ds = DatasetReader.read(Files.writeString(dir.resolve("d.jsonl"), FILE), DatasetReader.Format.JSONL);

        assertThat(ds.badRows()).extracting(Dataset.BadRow::line)
                .containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 10L, 11L, 12L, 13L, 15L);
        assertThat(reason(ds, 3)).startsWith("not valid JSON: ");
        assertThat(reason(ds, 4)).isEqualTo("not a JSON object");
        assertThat(reason(ds, 5)).isEqualTo("missing label 'is_fraud' (true/false or 1/0)");
        assertThat(reason(ds, 6)).isEqualTo("label 'is_fraud' must be true/false or 1/0, got \"yes\"");
        assertThat(reason(ds, 7)).isEqualTo("label 'is_fraud' must be true/false or 1/0, got 2");
        assertThat(reason(ds, 8)).isEqualTo("non_positive_amount: 'amount' must be > 0, got -1.0");
        assertThat(reason(ds, 10)).startsWith("duplicate_field: ").contains("amount");
        assertThat(reason(ds, 11)).startsWith("not valid JSON: ");
        assertThat(reason(ds, 12)).isEqualTo("'fraud_scenario' must be an integer, got \"abc\"");
        assertThat(reason(ds, 13)).isEqualTo("missing_account_id: required field 'account_id' is missing");
        assertThat(reason(ds, 15)).isEqualTo("missing label 'is_fraud' (true/false or 1/0)");

        List<LabelledTransaction> rows = ds.rows();
        assertThat(rows).extracting(r -> r.tx().transactionId).containsExactly("t0", "t1", "t2");
        LabelledTransaction t0 = rows.get(0);
        assertThat(t0.fraud()).isTrue();
        assertThat(t0.scenario()).isEqualTo(-1); // a fraud without a scenario: unknown
        assertThat(t0.tx().amount).isEqualTo(3.25);
        LabelledTransaction t1 = rows.get(1);
        assertThat(t1.fraud()).isTrue();
        assertThat(t1.scenario()).isEqualTo(2);
        assertThat(t1.tx().eventTime).isEqualTo(Instant.parse("2024-05-01T12:00:01Z").toEpochMilli());
        assertThat(t1.tx().ingestTime).isEqualTo(t1.tx().eventTime);
        assertThat(t1.tx().currency).isEqualTo("EUR");
        assertThat(t1.tx().attributes).isEqualTo(Map.of("V1", 0.5));
        assertThat(rows.get(2).fraud()).isFalse();
        assertThat(rows.get(2).scenario()).isZero();
    }

    @Test
    void readsBackWhatTheSimulatorWrites() throws IOException {
        List<LabelledTransaction> simulated = new TransactionSimulator(
                SimulatorConfig.defaults().withCustomers(50).withTerminals(100).withDays(10)).stream().toList();
        Path f = dir.resolve("sim.jsonl.gz");
        JsonLinesWriter.write(simulated, f);

        Dataset ds = DatasetReader.read(f, DatasetReader.Format.JSONL);

        assertThat(ds.badRows()).isEmpty();
        assertThat(simulated).isNotEmpty().anyMatch(LabelledTransaction::fraud);
        assertThat(ds.rows()).isEqualTo(simulated);
    }

    private static String ok(int i, String amount) {
        return String.format(OK, i, i, amount);
    }

    private static String reason(Dataset ds, long line) {
        return ds.badRows().stream().filter(b -> b.line() == line).findFirst().orElseThrow().reason();
    }
}
