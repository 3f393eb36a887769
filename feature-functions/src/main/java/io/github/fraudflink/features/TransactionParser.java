package io.github.fraudflink.features;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses and validates one input event (the transaction JSON of DESIGN.md) into a {@link Transaction}.
 *
 * <p>The single definition of the input contract: the job uses it on Kafka records, the trainer on
 * JSON-lines files. Unknown fields are ignored; anything missing or invalid raises an
 * {@link InvalidTransactionException} with a specific {@link RejectReason}. Instances are immutable
 * and thread-safe.
 */
public final class TransactionParser implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Largest accepted message. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    /** Largest accepted amount. */
    public static final double DEFAULT_MAX_AMOUNT = 1_000_000;
    /** How far past its ingest time an event time may lie (clock skew of the producers). */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);
    private static final int MAX_ID_LENGTH = 128;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final int maxMessageBytes;
    private final double maxAmount;
    private final long maxFutureSkewMillis;

    public TransactionParser() {
        this(DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_AMOUNT, DEFAULT_MAX_FUTURE_SKEW);
    }

    public TransactionParser(int maxMessageBytes, double maxAmount, Duration maxFutureSkew) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxAmount = maxAmount;
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
    }

    /**
     * Parses {@code bytes}.
     *
     * @param ingestTime when the event entered the system (the Kafka record timestamp): the reference
     *     for "too far in the future", and the {@link Transaction#ingestTime} of the result
     */
    public Transaction parse(byte[] bytes, long ingestTime) throws InvalidTransactionException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidTransactionException(RejectReason.EMPTY, "empty message");
        }
        if (bytes.length > maxMessageBytes) {
            throw new InvalidTransactionException(RejectReason.OVERSIZED,
                    "message of " + bytes.length + " bytes exceeds the limit of " + maxMessageBytes + " bytes");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes); // Jackson checks the UTF-8 as it parses
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Invalid UTF-8")) {
                throw new InvalidTransactionException(RejectReason.BAD_ENCODING, "message is not valid UTF-8: " + msg);
            }
            if (msg != null && msg.startsWith("Duplicate field")) {
                throw new InvalidTransactionException(RejectReason.DUPLICATE_FIELD, msg);
            }
            throw new InvalidTransactionException(RejectReason.NOT_JSON, "not valid JSON: " + msg);
        } catch (IOException e) {
            throw new InvalidTransactionException(RejectReason.NOT_JSON, "not valid JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidTransactionException(RejectReason.NOT_JSON, "no JSON value in the message");
        }
        if (!root.isObject()) {
            throw new InvalidTransactionException(RejectReason.NOT_AN_OBJECT,
                    "expected a JSON object, got " + root.getNodeType().name().toLowerCase());
        }
        return fromTree(root, ingestTime);
    }

    /** Validates an already parsed JSON object (used for JSON-lines files). */
    public Transaction fromTree(JsonNode o, long ingestTime) throws InvalidTransactionException {
        Transaction t = new Transaction();
        t.ingestTime = ingestTime;
        t.transactionId = requiredId(o, "transaction_id", RejectReason.MISSING_TRANSACTION_ID,
                RejectReason.INVALID_TRANSACTION_ID);
        t.accountId = requiredId(o, "account_id", RejectReason.MISSING_ACCOUNT_ID, RejectReason.INVALID_ACCOUNT_ID);
        t.eventTime = eventTime(o.get("event_time"), ingestTime);
        t.amount = amount(o.get("amount"));
        t.currency = currency(o.get("currency"));
        t.terminalId = optionalText(o, "terminal_id");
        t.merchantId = optionalText(o, "merchant_id");
        t.merchantCategory = optionalText(o, "merchant_category");
        t.country = optionalText(o, "country");
        t.lat = coordinate(o.get("lat"), "lat", 90);
        t.lon = coordinate(o.get("lon"), "lon", 180);
        t.attributes = attributes(o.get("attributes"));
        return t;
    }

    private static String requiredId(JsonNode o, String field, RejectReason missing, RejectReason invalid)
            throws InvalidTransactionException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new InvalidTransactionException(missing, "required field '" + field + "' is missing");
        }
        if (!n.isTextual() && !n.isIntegralNumber()) {
            throw new InvalidTransactionException(invalid,
                    "'" + field + "' must be a string, got " + n.getNodeType().name().toLowerCase());
        }
        String s = n.asText().strip();
        if (s.isEmpty() || s.length() > MAX_ID_LENGTH) {
            throw new InvalidTransactionException(invalid,
                    "'" + field + "' must be 1 to " + MAX_ID_LENGTH + " characters, got " + s.length());
        }
        return s;
    }

    private long eventTime(JsonNode n, long ingestTime) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            throw new InvalidTransactionException(RejectReason.MISSING_EVENT_TIME, "required field 'event_time' is missing");
        }
        long millis;
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            millis = n.longValue();
        } else if (n.isTextual()) {
            try {
                millis = OffsetDateTime.parse(n.textValue()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new InvalidTransactionException(RejectReason.INVALID_EVENT_TIME, "'event_time' \""
                        + abbreviate(n.textValue()) + "\" is not ISO-8601 with an offset (e.g. 2024-05-01T12:00:00Z)"
                        + " nor epoch milliseconds");
            } catch (DateTimeException | ArithmeticException e) {
                throw new InvalidTransactionException(RejectReason.INVALID_EVENT_TIME,
                        "'event_time' is out of range: " + e.getMessage());
            }
        } else {
            throw new InvalidTransactionException(RejectReason.INVALID_EVENT_TIME,
                    "'event_time' must be an ISO-8601 string or epoch milliseconds, got " + n.getNodeType().name().toLowerCase());
        }
        if (millis < 0) {
            throw new InvalidTransactionException(RejectReason.EVENT_TIME_BEFORE_1970,
                    "'event_time' " + millis + " is before 1970-01-01");
        }
        if (millis > ingestTime + maxFutureSkewMillis) {
            throw new InvalidTransactionException(RejectReason.EVENT_TIME_IN_FUTURE, "'event_time' is "
                    + Duration.ofMillis(millis - ingestTime) + " after the event was ingested (limit "
                    + Duration.ofMillis(maxFutureSkewMillis) + "): check the producer's clock");
        }
        return millis;
    }

    private double amount(JsonNode n) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            throw new InvalidTransactionException(RejectReason.MISSING_AMOUNT, "required field 'amount' is missing");
        }
        double a;
        if (n.isNumber()) {
            a = n.doubleValue();
        } else if (n.isTextual()) {
            try {
                a = Double.parseDouble(n.textValue().strip());
            } catch (NumberFormatException e) {
                throw new InvalidTransactionException(RejectReason.INVALID_AMOUNT,
                        "'amount' \"" + abbreviate(n.textValue()) + "\" is not a number");
            }
        } else {
            throw new InvalidTransactionException(RejectReason.INVALID_AMOUNT,
                    "'amount' must be a number, got " + n.getNodeType().name().toLowerCase());
        }
        if (Double.isNaN(a) || Double.isInfinite(a)) {
            throw new InvalidTransactionException(RejectReason.INVALID_AMOUNT, "'amount' must be finite, got " + a);
        }
        if (a <= 0) {
            throw new InvalidTransactionException(RejectReason.NON_POSITIVE_AMOUNT, "'amount' must be > 0, got " + a);
        }
        if (a > maxAmount) {
            throw new InvalidTransactionException(RejectReason.AMOUNT_TOO_LARGE,
                    "'amount' " + a + " exceeds the limit of " + maxAmount);
        }
        return a;
    }

    private static String currency(JsonNode n) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new InvalidTransactionException(RejectReason.INVALID_CURRENCY, "'currency' must be an ISO 4217 code");
        }
        String c = n.textValue();
        try {
            if (c.length() == 3 && Currency.getInstance(c) != null) {
                return c;
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new InvalidTransactionException(RejectReason.INVALID_CURRENCY,
                "'currency' \"" + abbreviate(c) + "\" is not an ISO 4217 code (e.g. EUR, USD)");
    }

    private static String optionalText(JsonNode o, String field) throws InvalidTransactionException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() && !n.isIntegralNumber()) {
            throw new InvalidTransactionException(RejectReason.INVALID_OPTIONAL_FIELD,
                    "'" + field + "' must be a string, got " + n.getNodeType().name().toLowerCase());
        }
        String s = n.asText();
        if (s.length() > MAX_ID_LENGTH) {
            throw new InvalidTransactionException(RejectReason.INVALID_OPTIONAL_FIELD,
                    "'" + field + "' is longer than " + MAX_ID_LENGTH + " characters");
        }
        return s;
    }

    private static Double coordinate(JsonNode n, String field, double bound) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.doubleValue()) || Math.abs(n.doubleValue()) > bound) {
            throw new InvalidTransactionException(RejectReason.INVALID_COORDINATES,
                    "'" + field + "' must be a number in [-" + (int) bound + ", " + (int) bound + "], got " + abbreviate(n.toString()));
        }
        return n.doubleValue();
    }

    private static Map<String, Double> attributes(JsonNode n) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new InvalidTransactionException(RejectReason.INVALID_ATTRIBUTES, "'attributes' must be an object of numbers");
        }
        Map<String, Double> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber() || !Double.isFinite(e.getValue().doubleValue())) {
                throw new InvalidTransactionException(RejectReason.INVALID_ATTRIBUTES,
                        "attribute '" + abbreviate(e.getKey()) + "' must be a finite number");
            }
            m.put(e.getKey(), e.getValue().doubleValue());
        }
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
