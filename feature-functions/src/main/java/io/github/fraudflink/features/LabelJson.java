package io.github.fraudflink.features;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes a {@link Label} as the {@code fraud-labels} JSON that {@link LabelParser} reads (times as ISO-8601 UTC). */
public final class LabelJson {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER) // shortest round-trip digits, faster
            .build();

    private LabelJson() {}

    public static byte[] write(Label l) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("transaction_id", l.transactionId);
            g.writeStringField("account_id", l.accountId);
            if (l.terminalId != null) {
                g.writeStringField("terminal_id", l.terminalId);
            }
            g.writeStringField("event_time", IsoTime.format(l.eventTime));
            g.writeBooleanField("is_fraud", l.isFraud);
            g.writeStringField("labelled_at", IsoTime.format(l.labelledAt));
            g.writeStringField("source", l.source);
            if (l.knownAt != 0) {
                g.writeStringField("known_at", IsoTime.format(l.knownAt));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
