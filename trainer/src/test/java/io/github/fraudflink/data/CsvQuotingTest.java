package io.github.fraudflink.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchIOException;

import io.github.fraudflink.data.LabelledTransaction;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 4180 quoting in the CSV formats: quoted fields with commas, doubled quotes and line breaks; broken quoting. */
class CsvQuotingTest {
    @TempDir
    Path dir;

    /** Each record with the line it starts on. */
    record Record(long line, List<String> fields) {}

    static List<Record> records(String text) throws IOException {
        List<Record> out = new ArrayList<>();
        try (CsvRecords r = new CsvRecords(new StringReader(text))) {
            String[] f;
            while ((f = r.next()) != null) {
                out.add(new Record(r.line(), List.of(f)));
            }
        }
        return out;
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaks() throws IOException {
        String text = "\uFEFFa,b,c\r\n"                        // 1 (byte order mark dropped)
                + "\"x,y\",\"say \"\"hi\"\"\",plain\r\n"       // 2
                + "\"two\nlines\",\"cr\r\nlf\",\"\"\n"         // 3-5
                + "\n"                                         // 6 blank
                + "  spaced , \"  kept  \" ,\"\"\"\"\r"        // 7 (CR alone ends a record)
                + "last,,\"\"";                                // 8, no line break at the end
        assertThat(records(text)).containsExactly(
                new Record(1, List.of("a", "b", "c")),
                new Record(2, List.of("x,y", "say \"hi\"", "plain")),
                new Record(3, List.of("two\nlines", "cr\r\nlf", "")),
                new Record(6, List.of("")),
                new Record(7, List.of("spaced", "  kept  ", "\"")),
                new Record(8, List.of("last", "", "")));
    }

    @Test
    void handbookRowsWithQuotedFieldsAndTheLinesOfBadRowsAfterAMultiLineRecord() throws IOException {
        String csv = String.join("\n",
                "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO", // 1
                "\"tx,1\",2018-04-01 00:00:31,\"cust \"\"A\"\"\",T1,\"57.16\",31,0,0,0",   // 2  valid
                "tx-2,2018-04-01 00:00:32,c2,\"term,2\",10.00,32,\"a note",                 // 3  valid; an unused column
                "over three",                                                              // 4  spanning three lines
                "lines\",1,3",                                                             // 5
                "tx-3,2018-04-01 00:00:33,c3,T3,abc,33,0,0,0",                             // 6  amount not a number
                "tx-4,2018-04-01 00:00:34,c4,T4,\"1,5\",34,0,0,0",                         // 7  one field "1,5"
                "tx-5,2018-04-01 00:00:35,c5,T5,2.00,35,0,0",                              // 8  8 columns
                " \"tx-6\" , 2018-04-01 00:00:36 ,c6,T6,\" 3.00 \",36,0,0,0")              // 9  valid, spaces around
                + "\n";
        Dataset ds = DatasetReader.read(Files.writeString(dir.resolve("quoted.csv"), csv, StandardCharsets.UTF_8),
                DatasetReader.Format.HANDBOOK);

        assertThat(ds.badRows()).containsExactly(
                new Dataset.BadRow(6, "TX_AMOUNT 'abc' is not a number"),
                new Dataset.BadRow(7, "TX_AMOUNT '1,5' is not a number"),
                new Dataset.BadRow(8, "expected 9 columns, found 8"));
        assertThat(ds.rows()).extracting(r -> r.tx().transactionId).containsExactly("tx,1", "tx-2", "tx-6");
        LabelledTransaction first = ds.rows().get(0);
        assertThat(first.tx().accountId).isEqualTo("cust \"A\"");
        assertThat(first.tx().amount).isEqualTo(57.16);
        LabelledTransaction second = ds.rows().get(1);
        assertThat(second.tx().terminalId).isEqualTo("term,2");
        assertThat(second.fraud()).isTrue();
        assertThat(second.scenario()).isEqualTo(3);
        assertThat(ds.rows().get(2).tx().amount).isEqualTo(3.00);
    }

    @Test
    void brokenQuotingFailsTheImportAtTheLineOfItsRow() throws IOException {
        assertThat(importError("t1,2018-04-01 00:00:31,c1,T1,1.00,0\n"
                + "t2,\"2018-04-01 00:00:32,c2,T2,1.00,0\n"                // a quote never closed
                + "t3,2018-04-01 00:00:33,c3,T3,1.00,0\n"))
                .startsWith("line 3: broken CSV quoting (Missing closing quote")
                .endsWith("the rows after it cannot be read");
        assertThat(importError("t1,2018-04-01 00:00:31,c1,T1,1.00,0\n\n"
                + "\"t2\"x,2018-04-01 00:00:32,c2,T2,1.00,0\n"))              // text after a closing quote
                .startsWith("line 4: broken CSV quoting (Unexpected character ('x'");
    }

    /** The message of the {@link IOException} that importing a handbook file of these rows fails with. */
    private String importError(String rows) throws IOException {
        Path f = Files.writeString(dir.resolve("broken.csv"),
                "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD\n" + rows);
        IOException e = catchIOException(() -> DatasetReader.read(f, DatasetReader.Format.HANDBOOK));
        assertThat(e).as("the import of %s", rows).isNotNull();
        return e.getMessage();
    }
}
