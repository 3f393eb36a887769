package io.github.fraudflink.features;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.util.Map;
import java.util.TreeMap;

/**
 * The common transaction, read straight from its bytes with Jackson's streaming parser: no decoded copy of the
 * message, no tree. It takes only what it is sure of (plain ASCII, every field the contract names in its usual JSON
 * type, nothing after the object) and checks each value with {@link TransactionParser}'s own checks; for anything
 * else (non-ASCII bytes, a missing, null or invalid required field, an id or amount sent in another type, malformed
 * JSON) it returns {@code null} and the parser's tree path decides, with the exact reason of a rejection. So a
 * message it accepts is one the tree path accepts as the same transaction: {@code TransactionFastPathTest} checks
 * that on generated input.
 */
final class TransactionFastPath {
    private TransactionFastPath() {}

    /** The transaction in {@code bytes} under {@code rules}, or {@code null} to leave the message to the tree path. */
    static Transaction read(TransactionParser rules, byte[] bytes, long ingestTime) {
        if (bytes.length == 0) {
            return null;
        }
        for (byte b : bytes) {
            if (b <= 0) { // NUL, or not ASCII: the tree path checks the encoding
                return null;
            }
        }
        try (JsonParser p = TransactionParser.jsonFactory().createParser(bytes)) {
            return p.nextToken() == JsonToken.START_OBJECT ? fields(rules, p, ingestTime) : null;
        } catch (Exception e) { // malformed JSON, a duplicate field, a value the contract rejects
            return null;
        }
    }

    private static Transaction fields(TransactionParser rules, JsonParser p, long ingestTime) throws Exception {
        Transaction t = new Transaction();
        t.ingestTime = ingestTime;
        boolean eventTime = false;
        boolean amount = false;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL && !required(field)) {
                continue; // an optional field given as null is absent
            }
            switch (field) {
                case "transaction_id" -> t.transactionId = TransactionParser.idValue(text(p, v), field,
                        RejectReason.INVALID_TRANSACTION_ID);
                case "account_id" -> t.accountId = TransactionParser.idValue(text(p, v), field, RejectReason.INVALID_ACCOUNT_ID);
                case "event_time" -> {
                    t.eventTime = rules.eventTimeInRange(v == JsonToken.VALUE_STRING ? IsoTime.parseMillis(p.getText())
                            : longValue(p, v), ingestTime);
                    eventTime = true;
                }
                case "amount" -> {
                    t.amount = rules.amountInRange(number(p, v), "");
                    amount = true;
                }
                case "currency" -> t.currency = TransactionParser.currencyCode(text(p, v));
                case "terminal_id" -> t.terminalId = TransactionParser.optionalTextValue(text(p, v), field);
                case "merchant_id" -> t.merchantId = TransactionParser.optionalTextValue(text(p, v), field);
                case "merchant_category" -> t.merchantCategory = TransactionParser.optionalTextValue(text(p, v), field);
                case "country" -> t.country = TransactionParser.optionalTextValue(text(p, v), field);
                case "lat" -> t.lat = TransactionParser.coordinateValue(number(p, v), field, 90, "");
                case "lon" -> t.lon = TransactionParser.coordinateValue(number(p, v), field, 180, "");
                case "attributes" -> t.attributes = attributes(p, v);
                default -> p.skipChildren(); // an unknown field: still parsed (so still checked), not kept
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null
                || t.transactionId == null || t.accountId == null || !eventTime || !amount) {
            return null;
        }
        return t;
    }

    private static boolean required(String field) {
        return switch (field) {
            case "transaction_id", "account_id", "event_time", "amount" -> true;
            default -> false;
        };
    }

    private static String text(JsonParser p, JsonToken v) throws Exception {
        if (v != JsonToken.VALUE_STRING) {
            throw new NotSure();
        }
        return p.getText();
    }

    private static long longValue(JsonParser p, JsonToken v) throws Exception {
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new NotSure();
        }
        return p.getLongValue();
    }

    private static double number(JsonParser p, JsonToken v) throws Exception {
        if ((v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT)
                || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new NotSure();
        }
        return p.getDoubleValue();
    }

    private static Map<String, Double> attributes(JsonParser p, JsonToken v) throws Exception {
        if (v != JsonToken.START_OBJECT) {
            throw new NotSure();
        }
        Map<String, Double> m = new TreeMap<>();
        String name;
        while ((name = p.nextFieldName()) != null) {
            if (m.size() == TransactionParser.MAX_ATTRIBUTES) {
                throw new NotSure();
            }
            String checked = TransactionParser.attributeName(name);
            m.put(checked, TransactionParser.attributeValue(checked, number(p, p.nextToken())));
        }
        return m;
    }

    /** A value the fast path leaves to the tree path. */
    private static final class NotSure extends Exception {
        private static final long serialVersionUID = 1L;

        NotSure() {
            super(null, null, false, false); // no stack trace: it is control flow
        }
    }
}
