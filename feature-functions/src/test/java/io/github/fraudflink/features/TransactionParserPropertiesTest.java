package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated input against the parser: whatever it is given, it returns a transaction that keeps every promise of
 * the contract, or rejects it with a reason; it never throws anything else. The seeds jqwik prints on a failure
 * replay it.
 */
class TransactionParserPropertiesTest {
    private static final long INGEST = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TransactionParser parser = new TransactionParser();

    @Property(tries = 3000)
    void anyBytesAreAcceptedValidOrRejectedWithAReason(@ForAll @Size(max = 300) byte[] bytes) {
        check(bytes);
    }

    @Property(tries = 2000)
    void anyJsonValueIsAcceptedValidOrRejectedWithAReason(@ForAll("jsonValues") JsonNode value) throws Exception {
        check(JSON.writeValueAsBytes(value));
    }

    @Property(tries = 2000)
    void anyMutationOfAValidMessageIsAcceptedValidOrRejected(@ForAll("validMessages") byte[] valid,
            @ForAll("mutations") Mutation mutation) {
        Statistics.collect(check(valid) ? "original accepted" : "original rejected");
        Statistics.label("mutated").collect(check(mutation.apply(valid)) ? "accepted" : "rejected");
        // both outcomes must occur, or the property says nothing about one of them
        Statistics.label("mutated").coverage(c -> {
            c.check("accepted").count(n -> n > 0);
            c.check("rejected").count(n -> n > 0);
        });
    }

    @Property(tries = 2000)
    void anyUnicodeIdentifierIsKeptExactlyOrRejectedAsAnInvalidIdentifier(@ForAll("unicode") String id) throws Exception {
        ObjectNode o = valid("t-1", id);
        Statistics.coverage(c -> {
            c.check("accepted").count(n -> n >= 50);
            c.check("rejected").count(n -> n >= 50);
        });
        try {
            Transaction t = parser.parse(JSON.writeValueAsBytes(o), INGEST);
            Statistics.collect("accepted");
            assertThat(t.accountId).isEqualTo(id.strip());
            assertThat(TextField.problem(t.accountId)).isNull();
            // what the sinks write parses back to the same identifier
            Transaction back = parser.parse(TransactionJson.write(t, Map.of()), INGEST);
            assertThat(back.accountId).isEqualTo(t.accountId);
        } catch (InvalidTransactionException e) {
            Statistics.collect("rejected");
            assertThat(e.reason()).isEqualTo(RejectReason.INVALID_ACCOUNT_ID);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void anyAmountTextIsAValidAmountOrRejected(@ForAll("amountTexts") String amount) throws Exception {
        ObjectNode o = valid("t-1", "a");
        o.put("amount", amount);
        try {
            Transaction t = parser.parse(JSON.writeValueAsBytes(o), INGEST);
            assertThat(amount).matches("[0-9]+(\\.[0-9]+)?");
            assertThat(t.amount).isEqualTo(Double.parseDouble(amount));
        } catch (InvalidTransactionException e) {
            assertThat(e.reason()).isIn(RejectReason.INVALID_AMOUNT, RejectReason.NON_POSITIVE_AMOUNT,
                    RejectReason.AMOUNT_TOO_SMALL, RejectReason.AMOUNT_TOO_LARGE);
        }
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

    private static ObjectNode valid(String transactionId, String accountId) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("transaction_id", transactionId);
        o.put("account_id", accountId);
        o.put("event_time", "2024-05-01T11:00:00Z");
        o.put("amount", 12.5);
        return o;
    }

    @Provide
    Arbitrary<String> unicode() {
        // every code unit, surrogate halves and controls included, with a bias towards the troublesome ones
        Arbitrary<Character> any = Arbitraries.chars();
        Arbitrary<Character> nasty = Arbitraries.of('\u0000', '\u001f', '\u007f', '\u0085', '\u200b', '\u200e', '\u200f',
                '\u202e', '\u2028', '\ufeff', '\ufffe', '\uffff', '\ufdd0', '\ud800', '\udbff', '\udc00', '\udfff', ' ', '\t', 'a', 'Z', '-');
        Arbitrary<Character> plain = Arbitraries.chars().range(' ', '~');
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(30, plain), net.jqwik.api.Tuple.of(4, any), net.jqwik.api.Tuple.of(1, nasty))
                .list().ofMinSize(0).ofMaxSize(140)
                .map(cs -> { StringBuilder b = new StringBuilder(); cs.forEach(b::append); return b.toString(); });
    }

    @Provide
    Arbitrary<String> amountTexts() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789.eEx+-dfp_ ,").ofMaxLength(20),
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.bigDecimals().map(java.math.BigDecimal::toPlainString),
                Arbitraries.doubles().map(String::valueOf));
    }

    @Provide
    Arbitrary<byte[]> validMessages() {
        return Combinators.combine(unicode(), Arbitraries.doubles().between(0.01, 5000).ofScale(2),
                        Arbitraries.longs().between(Instant.parse("2018-01-01T00:00:00Z").toEpochMilli(), INGEST))
                .as((id, amount, time) -> {
                    ObjectNode o = valid("tx-" + id, "acct");
                    o.put("amount", amount);
                    o.put("event_time", time);
                    o.put("terminal_id", "T" + id.length());
                    try {
                        return JSON.writeValueAsBytes(o);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /** A change of a valid message: bytes flipped, cut, doubled, or something inserted. */
    record Mutation(int kind, int at, byte value, int length) {
        byte[] apply(byte[] in) {
            int p = Math.floorMod(at, in.length + 1);
            switch (kind) {
                case 0: { // flip one byte
                    byte[] out = in.clone();
                    out[Math.min(p, in.length - 1)] = value;
                    return out;
                }
                case 1: // truncate
                    return java.util.Arrays.copyOf(in, p);
                case 2: { // the message twice (two objects in one message)
                    byte[] out = java.util.Arrays.copyOf(in, in.length * 2);
                    System.arraycopy(in, 0, out, in.length, in.length);
                    return out;
                }
                case 3: { // insert a run of the same byte
                    byte[] out = new byte[in.length + length];
                    System.arraycopy(in, 0, out, 0, p);
                    java.util.Arrays.fill(out, p, p + length, value);
                    System.arraycopy(in, p, out, p + length, in.length - p);
                    return out;
                }
                default: { // trailing bytes after the object
                    byte[] out = java.util.Arrays.copyOf(in, in.length + length);
                    java.util.Arrays.fill(out, in.length, out.length, value);
                    return out;
                }
            }
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.integers(),
                Arbitraries.bytes(), Arbitraries.integers().between(1, 8)).as(Mutation::new);
    }

    @Provide
    Arbitrary<JsonNode> jsonValues() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Arbitrary<JsonNode> scalars = Arbitraries.oneOf(
                unicode().map(s -> (JsonNode) f.textNode(s)),
                Arbitraries.doubles().map(d -> (JsonNode) f.numberNode(d)),
                Arbitraries.longs().map(l -> (JsonNode) f.numberNode(l)),
                Arbitraries.bigIntegers().between(java.math.BigInteger.valueOf(-1).shiftLeft(100), java.math.BigInteger.ONE.shiftLeft(100))
                        .map(b -> (JsonNode) f.numberNode(b)),
                Arbitraries.of(f.booleanNode(true), f.booleanNode(false), f.nullNode()),
                Arbitraries.of("2024-05-01T11:00:00Z", "2018-04-01T00:00:31+02:00", "1714550000000", "EUR", "eur", "NaN")
                        .map(s -> (JsonNode) f.textNode(s)));
        Arbitrary<String> keys = Arbitraries.oneOf(
                Arbitraries.of("transaction_id", "account_id", "event_time", "amount", "currency", "terminal_id",
                        "merchant_id", "merchant_category", "country", "lat", "lon", "attributes"),
                unicode());
        Arbitrary<JsonNode> objects = Arbitraries.maps(keys, scalars).ofMaxSize(14).map(m -> {
            ObjectNode o = f.objectNode();
            m.forEach(o::set);
            return (JsonNode) o;
        });
        Arbitrary<JsonNode> nested = Arbitraries.maps(keys, Arbitraries.oneOf(scalars, objects)).ofMaxSize(14).map(m -> {
            ObjectNode o = f.objectNode();
            m.forEach(o::set);
            return (JsonNode) o;
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, scalars), net.jqwik.api.Tuple.of(4, objects),
                net.jqwik.api.Tuple.of(3, nested),
                net.jqwik.api.Tuple.of(1, nested.list().ofMaxSize(3).map(l -> (JsonNode) f.arrayNode().addAll(l))));
    }
}
