package io.github.fraudflink.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The streaming fast path against the tree path as the oracle, on generated input: for any message, the parser
 * (fast path first) gives exactly what the tree path alone gives, the same transaction or the same rejection with
 * the same reason and message; and whatever the fast path accepts, the tree path accepts as an equal transaction.
 * Each property also checks that the fast path really took a share of the messages, so it is not vacuous.
 */
class TransactionFastPathTest {
    private static final long INGEST = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final TransactionParser parser = new TransactionParser();

    @Test
    void transactionShapedObjectsWithAnyValueTypeParseAsTheTreeParsesThem() {
        AtomicInteger fast = new AtomicInteger();
        qt().withExamples(20_000).forAll(transactionShaped()).checkAssert(o -> same(TransactionParserPropertiesTest.bytes(o), fast));
        assertThat(fast.get()).as("messages the fast path took").isGreaterThan(1_000);
    }

    @Test
    void mutationsOfValidMessagesParseAsTheTreeParsesThem() {
        AtomicInteger fast = new AtomicInteger();
        qt().withExamples(5_000).forAll(TransactionParserPropertiesTest.validMessages(), TransactionParserPropertiesTest.mutations())
                .checkAssert((valid, mutation) -> same(mutation.apply(valid), fast));
        assertThat(fast.get()).isGreaterThan(100);
    }

    @Test
    void anyJsonValueAndAnyBytesParseAsTheTreeParsesThem() {
        AtomicInteger fast = new AtomicInteger();
        qt().withExamples(3_000).forAll(TransactionParserPropertiesTest.jsonValues())
                .checkAssert(v -> same(TransactionParserPropertiesTest.bytes(v), fast));
        qt().withExamples(3_000).forAll(Generate.byteArrays(integers().between(0, 200), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)))
                .checkAssert(b -> same(b, fast));
    }

    @Test
    void whatTheSimulatorWritesTakesTheFastPath() {
        Transaction t = new Transaction("tx-1", "acct-7", INGEST - 1_000, 57.16);
        t.currency = "EUR";
        t.terminalId = "T3156";
        t.lat = 48.1;
        t.lon = -11.5;
        t.attributes = new java.util.TreeMap<>(java.util.Map.of("v1", -1.5, "v2", 3.0));
        byte[] json = TransactionJson.write(t, java.util.Map.of("tx_fraud", 1, "note", "ignored"));
        t.ingestTime = INGEST;
        assertThat(TransactionFastPath.read(parser, json, INGEST)).isEqualTo(t);
    }

    /** The parser and the tree path agree on {@code bytes}; counts the messages the fast path took. */
    private void same(byte[] bytes, AtomicInteger fast) {
        Transaction quick = TransactionFastPath.read(parser, bytes, INGEST);
        Object viaParser = outcome(() -> parser.parse(bytes, INGEST));
        Object viaTree = outcome(() -> parser.parseTree(bytes, INGEST));
        assertThat(viaParser).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(viaTree);
        if (quick != null) {
            assertThat(quick).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(viaTree);
            fast.incrementAndGet();
        }
    }

    private interface Parse {
        Transaction run() throws InvalidTransactionException;
    }

    /** The transaction, or the rejection as "REASON: message". */
    private static Object outcome(Parse p) {
        try {
            return p.run();
        } catch (InvalidTransactionException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    /** In a generated change: leave the field as it is. */
    private static final JsonNode KEEP = com.fasterxml.jackson.databind.node.MissingNode.getInstance();

    private static final List<String> FIELDS = List.of("transaction_id", "account_id", "event_time", "amount", "currency",
            "terminal_id", "merchant_id", "merchant_category", "country", "lat", "lon", "attributes");

    /**
     * Objects with the contract's fields, each present most of the time and then usually of its usual type, else of
     * any other (a number for a text, a text for a number, null, a huge integer, an object, an array), plus unknown
     * fields, in any order.
     */
    private static Gen<JsonNode> transactionShaped() {
        Gen<Pair<String, JsonNode>> known = Generate.pick(FIELDS).zip(integers().between(0, 9), Pair::of)
                .zip(anyValue(), (fieldAndDice, other) -> Pair.of(fieldAndDice._1,
                        fieldAndDice._2 < 5 ? KEEP : fieldAndDice._2 < 7 ? null : other));
        Gen<Pair<String, JsonNode>> unknown = TransactionParserPropertiesTest.unicode().zip(anyValue(), Pair::of);
        return lists().of(Generate.frequency(Pair.of(8, known), Pair.of(1, unknown))).ofSizeBetween(0, 6)
                .zip(usualValues(), (extra, usual) -> {
                    ObjectNode o = F.objectNode();
                    for (String f : FIELDS) {
                        o.set(f, usual.get(f));
                    }
                    for (Pair<String, JsonNode> e : extra) {
                        if (e._2 == KEEP) {
                            continue;
                        } else if (e._2 == null) {
                            o.remove(e._1); // dropped
                        } else {
                            o.set(e._1, e._2);
                        }
                    }
                    return (JsonNode) o;
                });
    }

    /** Every field with a value of its usual type: valid most of the time, at the edges of the limits sometimes. */
    private static Gen<ObjectNode> usualValues() {
        Gen<String> ids = Generate.frequency(Pair.of(12, Generate.pick(List.of("tx-1", "a", " padded ", "T3156", "acct-004711"))),
                Pair.of(1, TransactionParserPropertiesTest.unicode()));
        Gen<JsonNode> times = Generate.oneOf(
                longs().between(Instant.parse("1999-12-31T23:00:00Z").toEpochMilli(), INGEST + 2 * 86_400_000L).map(l -> (JsonNode) F.numberNode(l)),
                Generate.pick(List.of("2024-05-01T11:00:00Z", "2024-05-01T11:00:00.123+02:00", "2024-05-03T11:00:00Z",
                        "1999-01-01T00:00:00Z", "2024-05-01 11:00:00", "2024-02-30T00:00:00Z")).map(s -> (JsonNode) F.textNode(s)));
        Gen<JsonNode> amounts = Generate.frequency(
                Pair.of(4, doubles().between(0.01, 5_000).map(d -> (JsonNode) F.numberNode(d))),
                Pair.of(1, doubles().between(-1, 2_000_000).map(d -> (JsonNode) F.numberNode(d))),
                Pair.of(1, doubles().between(0, 0.01).map(d -> (JsonNode) F.numberNode(d))),
                Pair.of(1, integers().between(-5, 1_000_001).map(i -> (JsonNode) F.numberNode(i))));
        Gen<JsonNode> coordinates = Generate.frequency(Pair.of(4, doubles().between(-90, 90)), Pair.of(1, doubles().between(-200, 200)))
                .map(d -> (JsonNode) F.numberNode(d));
        Gen<JsonNode> currencies = Generate.frequency(Pair.of(4, Generate.pick(List.of("EUR", "USD"))),
                Pair.of(1, Generate.pick(List.of("eur", "XXX", "ABC", "EURO")))).map(s -> (JsonNode) F.textNode(s));
        Gen<JsonNode> attributes = lists().of(Generate.frequency(Pair.of(4, Generate.pick(List.of("v1", "v2"))),
                        Pair.of(1, Generate.pick(List.of("", "v\u0000"))))
                .zip(Generate.frequency(Pair.of(4, doubles().between(-1e6, 1e6)), Pair.of(1, doubles().any())), Pair::of))
                .ofSizeBetween(0, 3).map(es -> {
                    ObjectNode a = F.objectNode();
                    es.forEach(e -> a.put(e._1, e._2));
                    return (JsonNode) a;
                });
        return ids.zip(ids, ids, times, (tx, acct, terminal, time) -> {
            ObjectNode o = F.objectNode();
            o.put("transaction_id", tx);
            o.put("account_id", acct);
            o.put("terminal_id", terminal);
            o.put("merchant_id", terminal + "m");
            o.put("merchant_category", "5411");
            o.put("country", "DE");
            o.set("event_time", time);
            return o;
        }).zip(amounts, coordinates, currencies, (o, amount, lat, currency) -> {
            o.set("amount", amount);
            o.set("lat", lat);
            o.set("lon", lat);
            o.set("currency", currency);
            return o;
        }).zip(attributes, (o, a) -> {
            o.set("attributes", a);
            return o;
        });
    }

    /** A value of any JSON type, including the shapes the fast path leaves to the tree. */
    private static Gen<JsonNode> anyValue() {
        return Generate.frequency(
                Pair.of(6, TransactionParserPropertiesTest.scalars()),
                Pair.of(1, longs().all().map(l -> (JsonNode) F.numberNode(BigInteger.valueOf(l).shiftLeft(70)))),
                Pair.of(1, Generate.constant(() -> (JsonNode) F.objectNode().put("x", 1))),
                Pair.of(1, Generate.constant(() -> (JsonNode) F.arrayNode().add(1).add("a"))));
    }
}
