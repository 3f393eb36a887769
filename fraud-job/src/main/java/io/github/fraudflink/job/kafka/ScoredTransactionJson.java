package io.github.fraudflink.job.kafka;

import io.github.fraudflink.features.DoubleText;
import io.github.fraudflink.features.IsoTime;
import io.github.fraudflink.job.records.Explanation;
import io.github.fraudflink.job.records.ScoredTransaction;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
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

    // field names encoded once: written as bytes, not checked for escapes character by character on every event
    private static final SerializedString TRANSACTION_ID = new SerializedString("transaction_id");
    private static final SerializedString ACCOUNT_ID = new SerializedString("account_id");
    private static final SerializedString AMOUNT = new SerializedString("amount");
    private static final SerializedString CURRENCY = new SerializedString("currency");
    private static final SerializedString TERMINAL_ID = new SerializedString("terminal_id");
    private static final SerializedString MERCHANT_ID = new SerializedString("merchant_id");
    private static final SerializedString EVENT_TIME = new SerializedString("event_time");
    private static final SerializedString INGEST_TIME = new SerializedString("ingest_time");
    private static final SerializedString LINE = new SerializedString("line");
    private static final SerializedString SCORED_TIME = new SerializedString("scored_time");
    private static final SerializedString FEATURES = new SerializedString("features");
    private static final SerializedString FEATURE_SCHEMA = new SerializedString("feature_schema");
    private static final SerializedString SCORE = new SerializedString("score");
    private static final SerializedString DECISION = new SerializedString("decision");
    private static final SerializedString THRESHOLD = new SerializedString("threshold");
    private static final SerializedString MODEL = new SerializedString("model");
    private static final SerializedString MODEL_VERSION = new SerializedString("model_version");
    private static final SerializedString SHADOW_MODEL = new SerializedString("shadow_model");
    private static final SerializedString SHADOW_VERSION = new SerializedString("shadow_version");
    private static final SerializedString SHADOW_SCORE = new SerializedString("shadow_score");
    private static final SerializedString SHADOW_THRESHOLD = new SerializedString("shadow_threshold");
    private static final SerializedString DUPLICATE = new SerializedString("duplicate");
    private static final SerializedString REVIEW_THRESHOLD = new SerializedString("review_threshold");
    private static final SerializedString REASONS = new SerializedString("reasons");
    private static final SerializedString SHADOW_DECISION = new SerializedString("shadow_decision");
    private static final SerializedString SHADOW_REVIEW_THRESHOLD = new SerializedString("shadow_review_threshold");
    private static final SerializedString SHADOW_REASONS = new SerializedString("shadow_reasons");
    private static final SerializedString FEATURE = new SerializedString("feature");
    private static final SerializedString VALUE = new SerializedString("value");
    private static final SerializedString CONTRIBUTION = new SerializedString("contribution");

    /**
     * The feature names of the models seen last, encoded, by the identity of their array (each scoring subtask hands
     * every row its live model's one array): a few entries, for the subtasks of one JVM and a swap or two.
     */
    private static volatile EncodedNames[] recentNames = new EncodedNames[0];
    private static final int RECENT_NAMES = 8;

    private ScoredTransactionJson() {}

    public static byte[] write(ScoredTransaction s) {
        return write(s, false);
    }

    /**
     * The JSON of a row scored from a file (batch scoring): the same fields, with {@code line} (the row's line in the
     * input file, which the batch job carries as the ingest time) instead of {@code ingest_time}.
     */
    public static byte[] writeFileRow(ScoredTransaction s) {
        return write(s, true);
    }

    private static byte[] write(ScoredTransaction s, boolean fileRow) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            string(g, TRANSACTION_ID, s.transactionId);
            string(g, ACCOUNT_ID, s.accountId);
            number(g, AMOUNT, s.amount);
            writeOptional(g, CURRENCY, s.currency);
            writeOptional(g, TERMINAL_ID, s.terminalId);
            writeOptional(g, MERCHANT_ID, s.merchantId);
            string(g, EVENT_TIME, IsoTime.format(s.eventTime));
            if (fileRow) {
                g.writeFieldName(LINE);
                g.writeNumber(s.ingestTime);
            } else {
                string(g, INGEST_TIME, IsoTime.format(s.ingestTime));
            }
            string(g, SCORED_TIME, IsoTime.format(s.scoredTime));
            g.writeFieldName(FEATURES);
            g.writeStartObject();
            SerializableString[] names = encoded(s.featureNames);
            for (int i = 0; i < s.features.length; i++) {
                double v = s.features[i];
                if (names[i] != null) {
                    g.writeFieldName(names[i]);
                } else {
                    g.writeFieldName(s.featureNames[i]);
                }
                if (DoubleText.isSmallWholeNumber(v)) {
                    // counts and flags: the digits and ".0", the text Double.toString gives, without the digit search
                    g.writeNumber((long) v);
                    g.writeRaw(".0");
                } else {
                    g.writeNumber(v);
                }
            }
            g.writeEndObject();
            string(g, FEATURE_SCHEMA, s.featureSchema);
            number(g, SCORE, s.score);
            string(g, DECISION, s.decision);
            number(g, THRESHOLD, s.threshold);
            number(g, REVIEW_THRESHOLD, s.reviewThreshold);
            reasons(g, REASONS, s.reasons);
            string(g, MODEL, s.model);
            string(g, MODEL_VERSION, s.modelVersion);
            if (s.shadowModel != null) {
                string(g, SHADOW_MODEL, s.shadowModel);
                string(g, SHADOW_VERSION, s.shadowVersion);
                number(g, SHADOW_SCORE, s.shadowScore);
                number(g, SHADOW_THRESHOLD, s.shadowThreshold);
                if (s.shadowReviewThreshold != null) {
                    number(g, SHADOW_REVIEW_THRESHOLD, s.shadowReviewThreshold);
                }
                writeOptional(g, SHADOW_DECISION, s.shadowDecision);
                reasons(g, SHADOW_REASONS, s.shadowReasons);
            }
            g.writeFieldName(DUPLICATE);
            g.writeBoolean(s.duplicate);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code [{"feature": ..., "value": ..., "contribution": ...}, ...]}, largest contribution first; nothing when null. */
    private static void reasons(JsonGenerator g, SerializableString field, Explanation e) throws IOException {
        if (e == null) {
            return;
        }
        g.writeFieldName(field);
        g.writeStartArray();
        for (int i = 0; i < e.size(); i++) {
            g.writeStartObject();
            string(g, FEATURE, e.features[i]);
            number(g, VALUE, e.values[i]);
            number(g, CONTRIBUTION, e.contributions[i]);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static Explanation readReasons(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || a.isNull()) {
            return null;
        }
        Explanation e = new Explanation(new String[a.size()], new double[a.size()], new double[a.size()]);
        for (int i = 0; i < a.size(); i++) {
            e.features[i] = a.get(i).get("feature").asText();
            e.values[i] = a.get(i).get("value").asDouble();
            e.contributions[i] = a.get(i).get("contribution").asDouble();
        }
        return e;
    }

    private static void string(JsonGenerator g, SerializableString field, String value) throws IOException {
        g.writeFieldName(field);
        g.writeString(value);
    }

    private static void number(JsonGenerator g, SerializableString field, double value) throws IOException {
        g.writeFieldName(field);
        g.writeNumber(value);
    }

    private static void writeOptional(JsonGenerator g, SerializableString field, String value) throws IOException {
        if (value != null) {
            string(g, field, value);
        }
    }

    private static SerializableString[] encoded(String[] names) {
        EncodedNames[] recent = recentNames;
        for (EncodedNames e : recent) {
            if (e.names == names) {
                return e.encoded;
            }
        }
        EncodedNames added = new EncodedNames(names);
        EncodedNames[] next = new EncodedNames[Math.min(recent.length + 1, RECENT_NAMES)];
        next[0] = added; // newest first; the oldest falls off
        System.arraycopy(recent, 0, next, 1, next.length - 1);
        recentNames = next; // a lost race only costs an encoding again
        return added.encoded;
    }

    /** Feature names and their encoded form. Never changed once built, so tasks share them without a lock. */
    private static final class EncodedNames {
        final String[] names;
        final SerializableString[] encoded;

        EncodedNames(String[] names) {
            this.names = names;
            this.encoded = new SerializableString[names.length];
            for (int i = 0; i < names.length; i++) {
                encoded[i] = encode(names[i]);
            }
        }

        /**
         * The name encoded when it is plain ASCII (every catalog name); else null, and Jackson writes it as a string
         * (its escaping of other characters in names differs from that of an encoded name).
         */
        private static SerializableString encode(String name) {
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) >= 0x80) {
                    return null;
                }
            }
            return new SerializedString(name);
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
            // written before decision bands: no review band
            s.reviewThreshold = n.hasNonNull("review_threshold") ? n.get("review_threshold").asDouble() : s.threshold;
            s.reasons = readReasons(n, "reasons");
            s.model = n.get("model").asText();
            s.modelVersion = n.get("model_version").asText();
            s.shadowModel = text(n, "shadow_model");
            s.shadowVersion = text(n, "shadow_version");
            s.shadowScore = n.hasNonNull("shadow_score") ? n.get("shadow_score").asDouble() : null;
            s.shadowThreshold = n.hasNonNull("shadow_threshold") ? n.get("shadow_threshold").asDouble() : null;
            s.shadowReviewThreshold = n.hasNonNull("shadow_review_threshold")
                    ? Double.valueOf(n.get("shadow_review_threshold").asDouble()) : s.shadowThreshold;
            s.shadowDecision = text(n, "shadow_decision");
            s.shadowReasons = readReasons(n, "shadow_reasons");
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
