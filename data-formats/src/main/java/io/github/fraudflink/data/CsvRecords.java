package io.github.fraudflink.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.Closeable;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a CSV text as RFC 4180 defines them, parsed by Jackson's CSV parser: fields separated by commas,
 * a field in double quotes may hold commas, line breaks and doubled quotes ({@code ""} for one {@code "}); records end
 * at CRLF, LF or CR. Spaces and tabs around a field, outside its quotes, are dropped (hand-edited files write
 * {@code a, "b"}). Each record knows the 1-based line it starts on, so a record whose quoted field spans three
 * lines moves the next record's line by three.
 */
final class CsvRecords implements Closeable {
    /** Closing the records leaves the text open: the caller owns it (and hashes the file to its end). */
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.TRIM_SPACES)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();

    private final CsvParser parser;
    private long nextLine = 1;
    private long line;

    /** The records of {@code text}, after a byte order mark if it starts with one. */
    CsvRecords(Reader text) throws IOException {
        PushbackReader in = new PushbackReader(text, 1);
        int first = in.read();
        if (first >= 0 && first != '\uFEFF') {
            in.unread(first);
        }
        parser = (CsvParser) CSV.getFactory().createParser(in);
    }

    /**
     * The next record's fields, or null after the last. A blank line is a record of one empty field. Broken quoting
     * (a quote never closed, text after a closing quote) is an {@link IOException} naming the record's line: the
     * records after it cannot be found.
     */
    String[] next() throws IOException {
        line = nextLine;
        try {
            JsonToken t = parser.nextToken();
            if (t == null) {
                return null;
            }
            List<String> fields = new ArrayList<>();
            while ((t = parser.nextToken()) != JsonToken.END_ARRAY && t != null) {
                fields.add(parser.getText());
            }
            nextLine = parser.currentLocation().getLineNr();
            return fields.toArray(String[]::new);
        } catch (JsonProcessingException e) {
            throw new IOException("line " + line + ": broken CSV quoting (" + e.getOriginalMessage()
                    + "); the rows after it cannot be read");
        }
    }

    /** The 1-based line on which the record last returned by {@link #next()} starts. */
    long line() {
        return line;
    }

    /** Whether a record is a blank line (or only spaces): not a row. */
    static boolean blank(String[] fields) {
        return fields.length == 1 && fields[0].isBlank();
    }

    /** Fields joined into one CSV record again, quoted where RFC 4180 needs it (a rejects file shows the row). */
    static String join(String[] fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            String f = fields[i];
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                b.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                b.append(f);
            }
        }
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
