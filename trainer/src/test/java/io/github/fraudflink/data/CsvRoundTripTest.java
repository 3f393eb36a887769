package io.github.fraudflink.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Property: any rows of any text, written as CSV, are read back by {@link CsvRecords} as the same rows, each on the
 * line where it starts. Two writers: Jackson's (quotes only where needed, LF line ends) and a plain RFC 4180 one
 * written here (every field quoted, CRLF line ends), so the reader is not only checked against its own library's
 * writer. A failure prints its seed; {@code QT_SEED=N} (environment or system property) replays it.
 */
class CsvRoundTripTest {

    @Test
    void rowsWrittenByJacksonReadBackIdentically() {
        qt().withExamples(1000).forAll(rows()).checkAssert(rows -> {
            StringWriter out = new StringWriter();
            try (SequenceWriter w = new CsvMapper().writer(CsvSchema.emptySchema()).writeValues(out)) {
                for (List<String> row : rows) {
                    w.write(row.toArray(String[]::new));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertReadBack(out.toString(), rows);
        });
    }

    @Test
    void rowsWrittenAsRfc4180ReadBackIdentically() {
        qt().withExamples(1000).forAll(rows()).checkAssert(rows -> {
            StringBuilder out = new StringBuilder();
            for (List<String> row : rows) {
                for (int i = 0; i < row.size(); i++) {
                    out.append(i > 0 ? "," : "").append('"').append(row.get(i).replace("\"", "\"\"")).append('"');
                }
                out.append("\r\n");
            }
            assertReadBack(out.toString(), rows);
        });
    }

    /**
     * 1 to 8 rows of 2 to 6 fields (a lone empty field is a blank line, which is not a row): any Unicode text
     * (lone surrogates included), or text of CSV's own characters (comma, quote, CR, LF, space, tab).
     */
    static Gen<List<List<String>>> rows() {
        Gen<String> anyText = strings().allPossible().ofLengthBetween(0, 12);
        Gen<String> csvSyntax = lists().of(Generate.pick(List.of(",", "\"", "\r", "\n", " ", "\t", ";", "x")))
                .ofSizeBetween(0, 8).map(chars -> String.join("", chars));
        Gen<String> field = Generate.oneOf(anyText, csvSyntax);
        return lists().of(lists().of(field).ofSizeBetween(2, 6)).ofSizeBetween(1, 8);
    }

    private static void assertReadBack(String csv, List<List<String>> rows) {
        List<CsvQuotingTest.Record> expected = new ArrayList<>();
        long line = 1;
        for (List<String> row : rows) {
            expected.add(new CsvQuotingTest.Record(line, row));
            line += 1 + row.stream().mapToLong(CsvRoundTripTest::lineBreaks).sum();
        }
        try {
            assertThat(CsvQuotingTest.records(csv)).containsExactlyElementsOf(expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Line breaks as an editor counts them: CRLF, LF and CR each end a line. */
    private static long lineBreaks(String s) {
        return s.replace("\r\n", "\n").chars().filter(c -> c == '\n' || c == '\r').count();
    }
}
