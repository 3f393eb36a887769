package io.github.fraudflink.features;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Parses and validates one input event (the transaction JSON of docs/input-output.md) into a
 * {@link Transaction}.
 *
 * <p>The single definition of the input contract: the job uses it on Kafka records, the trainer on JSON-lines
 * files. Strict: the message is UTF-8 (no byte order mark, no NUL byte, no invalid or surrogate sequence), holds
 * exactly one JSON object and nothing after it, numbers are JSON numbers (an amount may also be a plain decimal
 * string such as {@code "12.50"}), and every text field follows {@link TextField}. Unknown fields are ignored;
 * anything missing or invalid raises an {@link InvalidTransactionException} with a specific {@link RejectReason}.
 * Instances are immutable and thread-safe.
 */
public final class TransactionParser implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Largest accepted message. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    /** Smallest accepted amount: the smallest minor unit of any ISO 4217 currency (three decimals). */
    public static final double DEFAULT_MIN_AMOUNT = 0.001;
    /** Largest accepted amount. */
    public static final double DEFAULT_MAX_AMOUNT = 1_000_000;
    /** How far past its ingest time an event time may lie (clock skew of the producers). */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);
    /** Earliest accepted event time: anything before is far more likely epoch seconds sent as milliseconds. */
    public static final Instant DEFAULT_MIN_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z");
    /** The latest record timestamp accepted: the end of year 9999 (every sink stores it). */
    public static final long MAX_RECORD_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    /** Longest identifier or optional text field, in code points. */
    public static final int MAX_TEXT_LENGTH = 128;
    /** Most entries in {@code attributes}. */
    public static final int MAX_ATTRIBUTES = 256;
    private static final int MAX_NESTING = 32;
    private static final int MAX_NUMBER_CHARS = 64;
    /** The documented string form of an amount: digits, optionally a point and digits. Nothing else. */
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,16}(\\.[0-9]{1,16})?");

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER) // correctly rounded: the same double, faster
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxNumberLength(MAX_NUMBER_CHARS)
                            .build())
                    .build());

    private final int maxMessageBytes;
    private final double minAmount;
    private final double maxAmount;
    private final long maxFutureSkewMillis;
    private final long minEventTimeMillis;

    public TransactionParser() {
        this(DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_AMOUNT, DEFAULT_MAX_FUTURE_SKEW);
    }

    public TransactionParser(int maxMessageBytes, double maxAmount, Duration maxFutureSkew) {
        this(maxMessageBytes, DEFAULT_MIN_AMOUNT, maxAmount, maxFutureSkew, DEFAULT_MIN_EVENT_TIME);
    }

    public TransactionParser(int maxMessageBytes, double minAmount, double maxAmount, Duration maxFutureSkew,
            Instant minEventTime) {
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("max message bytes must be positive: " + maxMessageBytes);
        }
        if (!(minAmount > 0) || !(maxAmount >= minAmount) || !Double.isFinite(maxAmount)) {
            throw new IllegalArgumentException("amount limits must satisfy 0 < min <= max < infinity: min "
                    + minAmount + ", max " + maxAmount);
        }
        if (maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("max future skew must not be negative: " + maxFutureSkew);
        }
        this.maxMessageBytes = maxMessageBytes;
        this.minAmount = minAmount;
        this.maxAmount = maxAmount;
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
        this.minEventTimeMillis = minEventTime.toEpochMilli();
    }

    /**
     * Parses {@code bytes}.
     *
     * @param ingestTime when the event entered the system (the Kafka record timestamp): the reference
     *     for "too far in the future", and the {@link Transaction#ingestTime} of the result
     */
    public Transaction parse(byte[] bytes, long ingestTime) throws InvalidTransactionException {
        if (bytes != null && bytes.length <= maxMessageBytes && plausibleRecordTimestamp(ingestTime, minEventTimeMillis)) {
            Transaction t = TransactionFastPath.read(this, bytes, ingestTime);
            if (t != null) {
                return t;
            }
        }
        return parseTree(bytes, ingestTime);
    }

    /**
     * The full path: the whole message decoded, read into a tree and checked field by field. It decides every
     * message the {@link TransactionFastPath} leaves to it, and gives each rejection its reason.
     */
    Transaction parseTree(byte[] bytes, long ingestTime) throws InvalidTransactionException {
        JsonNode root = readObject(bytes, maxMessageBytes);
        checkRecordTimestamp(ingestTime, minEventTimeMillis);
        return fromTree(root, ingestTime);
    }

    /** The JSON factory of both paths: duplicate fields rejected, nesting and number length bounded. */
    static JsonFactory jsonFactory() {
        return MAPPER.getFactory();
    }

    /**
     * The one JSON object of a message, under the strict rules (size, UTF-8, one value, nothing after it, an object);
     * shared with {@link LabelParser}.
     */
    static JsonNode readObject(byte[] bytes, int maxMessageBytes) throws InvalidTransactionException {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidTransactionException(RejectReason.EMPTY, "empty message");
        }
        if (bytes.length > maxMessageBytes) {
            throw new InvalidTransactionException(RejectReason.OVERSIZED,
                    "message of " + bytes.length + " bytes exceeds the limit of " + maxMessageBytes + " bytes");
        }
        JsonNode root;
        try (JsonParser p = MAPPER.createParser(utf8(bytes))) {
            root = MAPPER.readTree(p);
            rejectTrailingData(p);
        } catch (JsonProcessingException e) {
            String msg = String.valueOf(e.getOriginalMessage());
            if (msg.startsWith("Duplicate field")) {
                throw new InvalidTransactionException(RejectReason.DUPLICATE_FIELD, abbreviate(msg));
            }
            throw new InvalidTransactionException(RejectReason.NOT_JSON, "not valid JSON: " + abbreviate(msg));
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidTransactionException(RejectReason.NOT_JSON, "not valid JSON: " + abbreviate(String.valueOf(e.getMessage())));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidTransactionException(RejectReason.NOT_JSON, "no JSON value in the message");
        }
        if (!root.isObject()) {
            throw new InvalidTransactionException(RejectReason.NOT_AN_OBJECT,
                    "expected a JSON object, got " + root.getNodeType().name().toLowerCase());
        }
        return root;
    }

    /** The Kafka record timestamp must be a plausible time: the reference of "in the future", and a sink column. */
    static void checkRecordTimestamp(long ingestTime, long minEventTimeMillis) throws InvalidTransactionException {
        if (!plausibleRecordTimestamp(ingestTime, minEventTimeMillis)) {
            // the reference of "too far in the future", and a column of every sink: a timestamp in nanoseconds would
            // not even fit PostgreSQL's range
            throw new InvalidTransactionException(RejectReason.INVALID_RECORD_TIMESTAMP, "the Kafka record timestamp "
                    + ingestTime + " is not between " + Instant.ofEpochMilli(minEventTimeMillis) + " and year 9999"
                    + " (a producer clock, or nano- or microseconds sent as milliseconds): give the topic"
                    + " message.timestamp.type=LogAppendTime, or fix the producer");
        }
    }

    private static boolean plausibleRecordTimestamp(long ingestTime, long minEventTimeMillis) {
        return ingestTime >= minEventTimeMillis && ingestTime <= MAX_RECORD_TIMESTAMP;
    }

    /** One JSON value per message: anything but white space after it, valid JSON or not, is rejected. */
    private static void rejectTrailingData(JsonParser p) throws InvalidTransactionException {
        JsonToken next;
        try {
            next = p.nextToken();
        } catch (java.io.IOException | RuntimeException e) {
            next = JsonToken.NOT_AVAILABLE;
        }
        if (next != null) {
            throw new InvalidTransactionException(RejectReason.TRAILING_DATA, "data after the JSON value at character "
                    + p.currentTokenLocation().getCharOffset() + ": send one JSON object per message and nothing after it");
        }
    }

    /** Strict UTF-8: no byte order mark, no NUL byte (UTF-16 or UTF-32 text), no malformed or surrogate sequence. */
    private static String utf8(byte[] bytes) throws InvalidTransactionException {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF)
                || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE)
                || (bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF))) {
            throw new InvalidTransactionException(RejectReason.BAD_ENCODING,
                    "message starts with a byte order mark: send UTF-8 without one");
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new InvalidTransactionException(RejectReason.BAD_ENCODING, "NUL byte at offset " + i
                        + ": the message looks like UTF-16 or UTF-32 (or binary); send UTF-8 (a NUL inside a string is written \\u0000)");
            }
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return d.decode(in).toString();
        } catch (MalformedInputException e) {
            throw new InvalidTransactionException(RejectReason.BAD_ENCODING, "invalid UTF-8 at byte offset "
                    + in.position() + " (" + e.getInputLength() + " bad bytes; encoded surrogates count as invalid): send UTF-8");
        } catch (CharacterCodingException e) {
            throw new InvalidTransactionException(RejectReason.BAD_ENCODING, "not UTF-8: " + e);
        }
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

    /** A string (leading and trailing white space removed) or an integral number, 1 to 128 valid code points. */
    static String requiredId(JsonNode o, String field, RejectReason missing, RejectReason invalid)
            throws InvalidTransactionException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new InvalidTransactionException(missing, "required field '" + field + "' is missing");
        }
        if (!n.isTextual() && !n.isIntegralNumber()) {
            throw new InvalidTransactionException(invalid,
                    "'" + field + "' must be a string, got " + n.getNodeType().name().toLowerCase());
        }
        return idValue(n.asText(), field, invalid);
    }

    /** The value check of {@link #requiredId}: the text stripped, 1 to 128 valid code points. */
    static String idValue(String text, String field, RejectReason invalid) throws InvalidTransactionException {
        String s = text.strip();
        int length = TextField.length(s);
        if (length == 0 || length > MAX_TEXT_LENGTH) {
            throw new InvalidTransactionException(invalid,
                    "'" + field + "' must be 1 to " + MAX_TEXT_LENGTH + " characters, got " + length);
        }
        String problem = TextField.problem(s);
        if (problem != null) {
            throw new InvalidTransactionException(invalid, "'" + field + "' contains " + problem);
        }
        return s;
    }

    private long eventTime(JsonNode n, long ingestTime) throws InvalidTransactionException {
        return eventTimeInRange(time(n, "event_time", RejectReason.MISSING_EVENT_TIME, RejectReason.INVALID_EVENT_TIME),
                ingestTime);
    }

    /** An event time not before the earliest accepted, and not too far after its ingest time. */
    long eventTimeInRange(long millis, long ingestTime) throws InvalidTransactionException {
        if (millis < minEventTimeMillis) {
            throw new InvalidTransactionException(RejectReason.EVENT_TIME_TOO_OLD, "'event_time' " + millis
                    + " ms is before " + Instant.ofEpochMilli(minEventTimeMillis)
                    + (millis >= 0 && millis < 100_000_000_000L ? ": it looks like epoch seconds; send epoch milliseconds" : ""));
        }
        if (millis > ingestTime + maxFutureSkewMillis) {
            throw new InvalidTransactionException(RejectReason.EVENT_TIME_IN_FUTURE, "'event_time' is "
                    + Duration.ofMillis(millis - ingestTime) + " after the event was ingested (limit "
                    + Duration.ofMillis(maxFutureSkewMillis) + "): check the producer's clock");
        }
        return millis;
    }

    /** A time field: ISO-8601 with an offset, or integral epoch milliseconds; shared with {@link LabelParser}. */
    static long time(JsonNode n, String field, RejectReason missing, RejectReason invalid) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            throw new InvalidTransactionException(missing, "required field '" + field + "' is missing");
        }
        if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                throw new InvalidTransactionException(invalid,
                        "'" + field + "' " + abbreviate(n.asText()) + " is out of range for epoch milliseconds");
            }
            return n.longValue();
        }
        if (n.isTextual()) {
            String text = n.textValue();
            try {
                return IsoTime.parseMillis(text);
            } catch (DateTimeParseException e) {
                throw new InvalidTransactionException(invalid, "'" + field + "' \""
                        + abbreviate(text) + "\" is not ISO-8601 with an offset (e.g. 2024-05-01T12:00:00Z)"
                        + " nor epoch milliseconds");
            } catch (DateTimeException | ArithmeticException e) {
                throw new InvalidTransactionException(invalid,
                        "'" + field + "' is out of range: " + abbreviate(String.valueOf(e.getMessage())));
            }
        }
        throw new InvalidTransactionException(invalid, "'" + field + "' must be an ISO-8601 string or integral epoch"
                + " milliseconds, got " + (n.isNumber() ? "a fraction " + abbreviate(n.asText()) : n.getNodeType().name().toLowerCase()));
    }

    private double amount(JsonNode n) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            throw new InvalidTransactionException(RejectReason.MISSING_AMOUNT, "required field 'amount' is missing");
        }
        double a;
        if (n.isNumber()) {
            a = n.doubleValue();
        } else if (n.isTextual()) {
            String text = n.textValue();
            if (!DECIMAL.matcher(text).matches()) {
                throw new InvalidTransactionException(RejectReason.INVALID_AMOUNT, "'amount' \"" + abbreviate(text)
                        + "\" is not a number: use a JSON number or a plain decimal string such as \"12.50\"");
            }
            a = Double.parseDouble(text);
        } else {
            throw new InvalidTransactionException(RejectReason.INVALID_AMOUNT,
                    "'amount' must be a number, got " + n.getNodeType().name().toLowerCase());
        }
        return amountInRange(a, n.asText());
    }

    /** An amount that is finite, positive and within the limits; {@code shown} is how the message wrote it. */
    double amountInRange(double a, String shown) throws InvalidTransactionException {
        if (Double.isNaN(a) || Double.isInfinite(a)) {
            throw new InvalidTransactionException(RejectReason.INVALID_AMOUNT, "'amount' must be finite, got " + abbreviate(shown));
        }
        if (a <= 0) {
            throw new InvalidTransactionException(RejectReason.NON_POSITIVE_AMOUNT, "'amount' must be > 0, got " + a);
        }
        if (a < minAmount) {
            throw new InvalidTransactionException(RejectReason.AMOUNT_TOO_SMALL,
                    "'amount' " + a + " is below the smallest accepted amount " + minAmount);
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
        return currencyCode(n.textValue());
    }

    /** An ISO 4217 code: three capital letters the JDK knows. */
    static String currencyCode(String c) throws InvalidTransactionException {
        try {
            if (c.length() == 3 && c.chars().allMatch(ch -> ch >= 'A' && ch <= 'Z') && Currency.getInstance(c) != null) {
                return c;
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new InvalidTransactionException(RejectReason.INVALID_CURRENCY,
                "'currency' \"" + abbreviate(c) + "\" is not an ISO 4217 code (e.g. EUR, USD)");
    }

    static String optionalText(JsonNode o, String field) throws InvalidTransactionException {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() && !n.isIntegralNumber()) {
            throw new InvalidTransactionException(RejectReason.INVALID_OPTIONAL_FIELD,
                    "'" + field + "' must be a string, got " + n.getNodeType().name().toLowerCase());
        }
        return optionalTextValue(n.asText(), field);
    }

    /** The value check of {@link #optionalText}: at most 128 valid code points. */
    static String optionalTextValue(String s, String field) throws InvalidTransactionException {
        if (TextField.length(s) > MAX_TEXT_LENGTH) {
            throw new InvalidTransactionException(RejectReason.INVALID_OPTIONAL_FIELD,
                    "'" + field + "' is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        String problem = TextField.problem(s);
        if (problem != null) {
            throw new InvalidTransactionException(RejectReason.INVALID_OPTIONAL_FIELD, "'" + field + "' contains " + problem);
        }
        return s;
    }

    private static Double coordinate(JsonNode n, String field, double bound) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw coordinateError(field, bound, n.toString());
        }
        return coordinateValue(n.doubleValue(), field, bound, n.toString());
    }

    /** A coordinate: finite and at most {@code bound} from zero; {@code shown} is how the message wrote it. */
    static double coordinateValue(double v, String field, double bound, String shown) throws InvalidTransactionException {
        if (!Double.isFinite(v) || Math.abs(v) > bound) {
            throw coordinateError(field, bound, shown);
        }
        return v;
    }

    private static InvalidTransactionException coordinateError(String field, double bound, String shown) {
        return new InvalidTransactionException(RejectReason.INVALID_COORDINATES,
                "'" + field + "' must be a number in [-" + (int) bound + ", " + (int) bound + "], got " + abbreviate(shown));
    }

    private static Map<String, Double> attributes(JsonNode n) throws InvalidTransactionException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new InvalidTransactionException(RejectReason.INVALID_ATTRIBUTES, "'attributes' must be an object of numbers");
        }
        if (n.size() > MAX_ATTRIBUTES) {
            throw new InvalidTransactionException(RejectReason.INVALID_ATTRIBUTES,
                    "'attributes' has " + n.size() + " entries, more than " + MAX_ATTRIBUTES);
        }
        Map<String, Double> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = attributeName(e.getKey());
            if (!e.getValue().isNumber()) {
                throw attributeValueError(name);
            }
            m.put(name, attributeValue(name, e.getValue().doubleValue()));
        }
        return m;
    }

    /** An attribute's name: 1 to 128 valid code points. */
    static String attributeName(String name) throws InvalidTransactionException {
        String problem = TextField.problem(name);
        if (name.isEmpty() || TextField.length(name) > MAX_TEXT_LENGTH || problem != null) {
            throw new InvalidTransactionException(RejectReason.INVALID_ATTRIBUTES, "attribute name '"
                    + abbreviate(name) + "' must be 1 to " + MAX_TEXT_LENGTH + " characters"
                    + (problem != null ? "; it contains " + problem : ""));
        }
        return name;
    }

    /** An attribute's value: a finite number. */
    static double attributeValue(String name, double v) throws InvalidTransactionException {
        if (!Double.isFinite(v)) {
            throw attributeValueError(name);
        }
        return v;
    }

    private static InvalidTransactionException attributeValueError(String name) {
        return new InvalidTransactionException(RejectReason.INVALID_ATTRIBUTES,
                "attribute '" + abbreviate(name) + "' must be a finite number");
    }

    /** At most 40 characters of {@code s}, with control characters escaped so the message stays one printable line. */
    static String abbreviate(String s) {
        String cut = s.length() <= 40 ? s : s.substring(0, 40) + "...";
        StringBuilder b = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
