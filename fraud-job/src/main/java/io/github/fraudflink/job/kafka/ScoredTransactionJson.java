package io.github.fraudflink.job.kafka;

import io.github.fraudflink.features.DoubleText;
import io.github.fraudflink.features.IsoTime;
import io.github.fraudflink.job.records.ScoredTransaction;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The JSON form of a {@link ScoredTransaction} on the scored-transactions topic: snake_case fields,
 * ISO-8601 UTC timestamps, {@code features} as an object of the model's features, in its order. Read back by tools and tests.
 */
public final class ScoredTransactionJson {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER) // shortest round-trip digits, faster
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ScoredTransactionJson() {}

    public static byte[] write(ScoredTransaction s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("transaction_id", s.transactionId);
            g.writeStringField("account_id", s.accountId);
            g.writeNumberField("amount", s.amount);
            writeOptional(g, "currency", s.currency);
            writeOptional(g, "terminal_id", s.terminalId);
            writeOptional(g, "merchant_id", s.merchantId);
            g.writeStringField("event_time", IsoTime.format(s.eventTime));
            g.writeStringField("ingest_time", IsoTime.format(s.ingestTime));
            g.writeStringField("scored_time", IsoTime.format(s.scoredTime));
            g.writeObjectFieldStart("features");
            for (int i = 0; i < s.features.length; i++) {
                double v = s.features[i];
                g.writeFieldName(s.featureNames[i]);
                if (DoubleText.isSmallWholeNumber(v)) {
                    g.writeNumber(DoubleText.wholeNumber(v)); // counts and flags: the same text, without the digit search
                } else {
                    g.writeNumber(v);
                }
            }
            g.writeEndObject();
            g.writeStringField("feature_schema", s.featureSchema);
            g.writeNumberField("score", s.score);
            g.writeStringField("decision", s.decision);
            g.writeNumberField("threshold", s.threshold);
            g.writeStringField("model", s.model);
            g.writeStringField("model_version", s.modelVersion);
            if (s.shadowModel != null) {
                g.writeStringField("shadow_model", s.shadowModel);
                g.writeStringField("shadow_version", s.shadowVersion);
                g.writeNumberField("shadow_score", s.shadowScore);
                g.writeNumberField("shadow_threshold", s.shadowThreshold);
            }
            g.writeBooleanField("duplicate", s.duplicate);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeOptional(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    public static ScoredTransaction read(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            ScoredTransaction s = new ScoredTransaction();
            s.transactionId = n.get("transaction_id").asText();
            s.accountId = n.get("account_id").asText();
            s.amount = n.get("amount").asDouble();
            s.currency = text(n, "currency");
            s.terminalId = text(n, "terminal_id");
            s.merchantId = text(n, "merchant_id");
            s.eventTime = Instant.parse(n.get("event_time").asText()).toEpochMilli();
            s.ingestTime = Instant.parse(n.get("ingest_time").asText()).toEpochMilli();
            s.scoredTime = Instant.parse(n.get("scored_time").asText()).toEpochMilli();
            JsonNode f = n.get("features");
            s.features = new double[f.size()];
            s.featureNames = new String[f.size()];
            int i = 0;
            for (var e : (Iterable<java.util.Map.Entry<String, JsonNode>>) f::fields) {
                s.featureNames[i] = e.getKey();
                s.features[i++] = e.getValue().asDouble();
            }
            s.featureSchema = text(n, "feature_schema");
            s.score = n.get("score").asDouble();
            s.decision = n.get("decision").asText();
            s.threshold = n.get("threshold").asDouble();
            s.model = n.get("model").asText();
            s.modelVersion = n.get("model_version").asText();
            s.shadowModel = text(n, "shadow_model");
            s.shadowVersion = text(n, "shadow_version");
            s.shadowScore = n.hasNonNull("shadow_score") ? n.get("shadow_score").asDouble() : null;
            s.shadowThreshold = n.hasNonNull("shadow_threshold") ? n.get("shadow_threshold").asDouble() : null;
            s.duplicate = n.path("duplicate").asBoolean(false);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
