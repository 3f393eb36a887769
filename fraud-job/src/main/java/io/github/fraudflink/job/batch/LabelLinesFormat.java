package io.github.fraudflink.job.batch;

import io.github.fraudflink.features.InvalidTransactionException;
import io.github.fraudflink.features.LabelParser;
import io.github.fraudflink.job.records.ParsedRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * A labels file for Flink's file source: one label JSON per line, the labels topic's schema, checked with the job's
 * {@link LabelParser} ({@link LabelParser#parseFromFile}: {@code known_at} defaults to {@code labelled_at}). A line
 * that is not a label becomes a dead letter with its line and reason; blank lines are skipped.
 */
public final class LabelLinesFormat extends SimpleStreamFormat<ParsedRecord> {
    private static final long serialVersionUID = 1L;

    private final LabelParser parser;
    private final String fileName;

    public LabelLinesFormat(LabelParser parser, String fileName) {
        this.parser = parser;
        this.fileName = fileName;
    }

    @Override
    public Reader<ParsedRecord> createReader(Configuration config, FSDataInputStream stream) {
        BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16);
        return new Reader<>() {
            private long line;

            @Override
            public ParsedRecord read() throws IOException {
                String s;
                do {
                    s = in.readLine();
                    if (s == null) {
                        return null;
                    }
                    line++;
                } while (s.isBlank());
                try {
                    return ParsedRecord.label(parser.parseFromFile(s.getBytes(StandardCharsets.UTF_8)));
                } catch (InvalidTransactionException e) {
                    return ParsedRecord.invalid(Rejects.deadLetter(fileName, line, e.reason().code() + ": "
                            + e.getMessage(), s));
                }
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    @Override
    public TypeInformation<ParsedRecord> getProducedType() {
        return TypeInformation.of(ParsedRecord.class);
    }
}
