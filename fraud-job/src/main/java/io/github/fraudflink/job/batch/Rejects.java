package io.github.fraudflink.job.batch;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.fraudflink.job.records.DeadLetter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The rejects file of batch scoring: one JSON per line, {@code {"file", "line", "reason", "message", "row"}}: the
 * reason code (the dead-letter topic's codes, or {@code invalid_row} for a row that is not a row of its layout), what
 * is wrong, and the row as read.
 */
public final class Rejects implements SingleFileSink.Encoder<DeadLetter> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = JsonFactory.builder().build()
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** A rejected row as a dead letter: {@code topic} holds the file's name and {@code offset} the line. */
    static DeadLetter deadLetter(String file, long line, String reason, String text) {
        DeadLetter d = new DeadLetter();
        d.reason = FileRowFormat.code(reason);
        d.message = reason.startsWith(d.reason + ": ") ? reason.substring(d.reason.length() + 2) : reason;
        d.topic = file;
        d.partition = -1;
        d.offset = line;
        d.value = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        d.valueBytes = d.value == null ? -1 : d.value.length;
        d.valueSha256 = "";
        return d;
    }

    @Override
    public byte[] header(DeadLetter first) {
        return null;
    }

    @Override
    public void encode(DeadLetter d, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("file", d.topic);
            g.writeNumberField("line", d.offset);
            g.writeStringField("reason", d.reason);
            g.writeStringField("message", d.message);
            g.writeStringField("row", d.value == null ? null : new String(d.value, StandardCharsets.UTF_8));
            g.writeEndObject();
        }
        out.write('\n');
    }
}
