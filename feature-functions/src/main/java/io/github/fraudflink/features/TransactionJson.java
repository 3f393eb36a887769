package io.github.fraudflink.features;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes a {@link Transaction} as the input JSON that {@link TransactionParser} reads (fixed field
 * order, ISO-8601 UTC event time), for producers: the simulator, replay and the demo.
 */
public final class TransactionJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER) // shortest round-trip digits, faster
            .build();

    private TransactionJson() {}

    /** The transaction's JSON, with extra top-level fields appended (e.g. labels that the job ignores). */
    public static byte[] write(Transaction t, Map<String, Object> extra) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("transaction_id", t.transactionId);
            g.writeStringField("account_id", t.accountId);
            g.writeStringField("event_time", IsoTime.format(t.eventTime));
            g.writeNumberField("amount", t.amount);
            optional(g, "currency", t.currency);
            optional(g, "terminal_id", t.terminalId);
            optional(g, "merchant_id", t.merchantId);
            optional(g, "merchant_category", t.merchantCategory);
            optional(g, "country", t.country);
            if (t.lat != null) {
                g.writeNumberField("lat", t.lat);
            }
            if (t.lon != null) {
                g.writeNumberField("lon", t.lon);
            }
            if (t.attributes != null) {
                g.writeObjectFieldStart("attributes");
                for (Map.Entry<String, Double> e : new java.util.TreeMap<>(t.attributes).entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            if (extra != null) {
                for (Map.Entry<String, Object> e : extra.entrySet()) {
                    g.writeFieldName(e.getKey());
                    writeScalar(g, e.getValue());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] write(Transaction t) {
        return write(t, null);
    }

    private static void optional(JsonGenerator g, String field, String v) throws IOException {
        if (v != null) {
            g.writeStringField(field, v);
        }
    }

    private static void writeScalar(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else {
            g.writeString(v.toString());
        }
    }
}
