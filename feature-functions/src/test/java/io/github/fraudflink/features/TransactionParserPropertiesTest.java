package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.bigDecimals;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generated input against the parser: whatever it is given, it returns a transaction that keeps every promise of
 * the contract, or rejects it with a reason; it never throws anything else. A failure prints its seed; QT_SEED=N
 * (environment or system property) replays it.
 */
class TransactionParserPropertiesTest {
    private static final long INGEST = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final TransactionParser parser = new TransactionParser();

    @Test
    void anyBytesAreAcceptedValidOrRejectedWithAReason() {
        qt().withExamples(3000).forAll(Generate.byteArrays(integers().between(0, 300), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)))
                .checkAssert(this::check);
    }

    @Test
    void anyJsonValueIsAcceptedValidOrRejectedWithAReason() {
        qt().withExamples(2000).forAll(jsonValues()).checkAssert(v -> check(bytes(v)));
    }

    @Test
    void anyMutationOfAValidMessageIsAcceptedValidOrRejected() {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        qt().withExamples(2000).forAll(validMessages(), mutations()).checkAssert((valid, mutation) -> {
            assertThat(check(valid)).as("the unmutated message is valid").isTrue();
            (check(mutation.apply(valid)) ? accepted : rejected).incrementAndGet();
        });
        // both outcomes occur, or the property says nothing about one of them
        assertThat(accepted.get()).isPositive();
        assertThat(rejected.get()).isPositive();
    }

    @Test
    void anyUnicodeIdentifierIsKeptExactlyOrRejectedAsAnInvalidIdentifier() {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        qt().withExamples(2000).forAll(unicode()).checkAssert(id -> {
            ObjectNode o = valid("t-1", id);
            try {
                Transaction t = parser.parse(bytes(o), INGEST);
                accepted.incrementAndGet();
                assertThat(t.accountId).isEqualTo(id.strip());
                assertThat(TextField.problem(t.accountId)).isNull();
                // what the sinks write parses back to the same identifier
                Transaction back = parser.parse(TransactionJson.write(t, Map.of()), INGEST);
                assertThat(back.accountId).isEqualTo(t.accountId);
            } catch (InvalidTransactionException e) {
                rejected.incrementAndGet();
                assertThat(e.reason()).isEqualTo(RejectReason.INVALID_ACCOUNT_ID);
                assertThat(e.getMessage()).isNotBlank();
            }
        });
        assertThat(accepted.get()).isGreaterThanOrEqualTo(50);
        assertThat(rejected.get()).isGreaterThanOrEqualTo(50);
    }

    @Test
    void anyAmountTextIsAValidAmountOrRejected() {
        qt().withExamples(2000).forAll(amountTexts()).checkAssert(amount -> {
            ObjectNode o = valid("t-1", "a");
            o.put("amount", amount);
            try {
                Transaction t = parser.parse(bytes(o), INGEST);
                assertThat(amount).matches("[0-9]+(\\.[0-9]+)?");
                assertThat(t.amount).isEqualTo(Double.parseDouble(amount));
            } catch (InvalidTransactionException e) {
                assertThat(e.reason()).isIn(RejectReason.INVALID_AMOUNT, RejectReason.NON_POSITIVE_AMOUNT,
                        RejectReason.AMOUNT_TOO_SMALL, RejectReason.AMOUNT_TOO_LARGE);
            }
        });
    }

    /** The invariants of an accepted transaction, or a rejection with a reason and a one-line message. */
    private boolean check(byte[] bytes) {
        try {
            Transaction t = parser.parse(bytes, INGEST);
            for (String s : new String[] {t.transactionId, t.accountId}) {
                assertThat(s).isNotEmpty();
                assertThat(TextField.problem(s)).isNull();
                assertThat(TextField.length(s)).isLessThanOrEqualTo(TransactionParser.MAX_TEXT_LENGTH);
            }
            for (String s : new String[] {t.terminalId, t.merchantId, t.merchantCategory, t.country}) {
                assertThat(s == null || TextField.problem(s) == null).isTrue();
            }
            assertThat(t.amount).isBetween(TransactionParser.DEFAULT_MIN_AMOUNT, TransactionParser.DEFAULT_MAX_AMOUNT);
            assertThat(t.eventTime).isBetween(TransactionParser.DEFAULT_MIN_EVENT_TIME.toEpochMilli(),
                    INGEST + TransactionParser.DEFAULT_MAX_FUTURE_SKEW.toMillis());
            String text = new String(bytes, StandardCharsets.UTF_8);
            assertThat(text.getBytes(StandardCharsets.UTF_8)).as("accepted input is valid UTF-8").isEqualTo(bytes);
            return true;
        } catch (InvalidTransactionException e) {
            assertThat(e.reason()).isNotNull().isNotEqualTo(RejectReason.UNEXPECTED_ERROR);
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("\u0000");
            return false;
        }
    }

    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode valid(String transactionId, String accountId) {
        ObjectNode o = F.objectNode();
        o.put("transaction_id", transactionId);
        o.put("account_id", accountId);
        o.put("event_time", "2024-05-01T11:00:00Z");
        o.put("amount", 12.5);
        return o;
    }

    private static final List<Character> NASTY = List.of('\u0000', '\u001f', '\u007f', '\u0085', '\u200b', '\u200e',
            '\u200f', '\u202e', '\u2028', '\ufeff', '\ufffe', '\uffff', '\ufdd0', '\ud800', '\udbff', '\udc00', '\udfff',
            ' ', '\t', 'a', 'Z', '-');

    /** Strings of any UTF-16 code units (surrogate halves and controls included), biased towards troublesome ones. */
    static Gen<String> unicode() {
        Gen<Character> chars = Generate.frequency(
                Pair.of(30, Generate.characters(' ', '~')),
                Pair.of(4, Generate.characters(0, 0xFFFF)),
                Pair.of(1, Generate.pick(NASTY)));
        return lists().of(chars).ofSizeBetween(0, 140).map(cs -> join(cs));
    }

    private static String join(List<Character> cs) {
        StringBuilder b = new StringBuilder(cs.size());
        cs.forEach(b::append);
        return b.toString();
    }

    static Gen<String> amountTexts() {
        return Generate.oneOf(
                lists().of(Generate.pick(List.of('0', '1', '5', '9', '.', 'e', 'E', 'x', '+', '-', 'd', 'f', 'p', '_', ' ', ',')))
                        .ofSizeBetween(0, 20).map(cs -> join(cs)),
                strings().allPossible().ofLengthBetween(0, 20),
                bigDecimals().ofBytes(8).withScale(3).map(b -> b.toPlainString()),
                doubles().any().map(d -> String.valueOf(d)));
    }

    static Gen<byte[]> validMessages() {
        return strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 40)
                .zip(doubles().between(0.01, 5000), longs().between(Instant.parse("2018-01-01T00:00:00Z").toEpochMilli(), INGEST),
                        (id, amount, time) -> {
                            ObjectNode o = valid("tx-" + id, "acct");
                            o.put("amount", Math.round(amount * 100) / 100.0);
                            o.put("event_time", time);
                            o.put("terminal_id", "T" + id.length());
                            return bytes(o);
                        });
    }

    /** A change of a valid message: a byte flipped, cut, the message doubled, a run inserted, or trailing bytes. */
    record Mutation(int kind, int at, byte value, int length) {
        byte[] apply(byte[] in) {
            int p = Math.floorMod(at, in.length + 1);
            switch (kind) {
                case 0: {
                    byte[] out = in.clone();
                    out[Math.min(p, in.length - 1)] = value;
                    return out;
                }
                case 1:
                    return java.util.Arrays.copyOf(in, p);
                case 2: {
                    byte[] out = java.util.Arrays.copyOf(in, in.length * 2);
                    System.arraycopy(in, 0, out, in.length, in.length);
                    return out;
                }
                case 3: {
                    byte[] out = new byte[in.length + length];
                    System.arraycopy(in, 0, out, 0, p);
                    java.util.Arrays.fill(out, p, p + length, value);
                    System.arraycopy(in, p, out, p + length, in.length - p);
                    return out;
                }
                default: {
                    byte[] out = java.util.Arrays.copyOf(in, in.length + length);
                    java.util.Arrays.fill(out, in.length, out.length, value);
                    return out;
                }
            }
        }
    }

    static Gen<Mutation> mutations() {
        return integers().between(0, 4).zip(integers().all(), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0),
                integers().between(1, 8), Mutation::new);
    }

    static Gen<JsonNode> scalars() {
        return Generate.oneOf(
                unicode().map(s -> (JsonNode) F.textNode(s)),
                doubles().any().map(d -> (JsonNode) F.numberNode(d)),
                longs().all().map(l -> (JsonNode) F.numberNode(l)),
                longs().all().map(l -> (JsonNode) F.numberNode(java.math.BigInteger.valueOf(l).shiftLeft(40))),
                booleans().all().map(b -> (JsonNode) F.booleanNode(b)),
                Generate.constant(() -> (JsonNode) F.nullNode()),
                Generate.pick(List.of("2024-05-01T11:00:00Z", "2018-04-01T00:00:31+02:00", "1714550000000", "EUR", "eur", "NaN"))
                        .map(s -> (JsonNode) F.textNode(s)));
    }

    private static Gen<String> keys() {
        return Generate.oneOf(Generate.pick(List.of("transaction_id", "account_id", "event_time", "amount", "currency",
                "terminal_id", "merchant_id", "merchant_category", "country", "lat", "lon", "attributes")), unicode());
    }

    private static Gen<JsonNode> objects(Gen<JsonNode> values) {
        return lists().of(keys().zip(values, Pair::of)).ofSizeBetween(0, 14).map(es -> object(es));
    }

    private static JsonNode object(List<Pair<String, JsonNode>> entries) {
        ObjectNode o = F.objectNode();
        entries.forEach(e -> o.set(e._1, e._2));
        return o;
    }

    private static JsonNode array(List<JsonNode> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return a;
    }

    static Gen<JsonNode> jsonValues() {
        Gen<JsonNode> flat = objects(scalars());
        Gen<JsonNode> nested = objects(Generate.oneOf(scalars(), flat));
        Gen<JsonNode> arrays = lists().of(nested).ofSizeBetween(0, 3).map(vs -> array(vs));
        return Generate.frequency(Pair.of(1, scalars()), Pair.of(4, flat), Pair.of(3, nested), Pair.of(1, arrays));
    }
}
