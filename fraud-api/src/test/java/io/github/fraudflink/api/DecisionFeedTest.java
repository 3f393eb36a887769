package io.github.fraudflink.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * How the API finds the transaction a scored record is about without parsing the whole record: against Jackson's full
 * parse as the oracle, on generated records (any Unicode id, the field anywhere among nested ones).
 */
class DecisionFeedTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theTransactionIdOfAnyRecordIsWhatAFullParseSays() {
        qt().withExamples(2000).forAll(strings().allPossible().ofLengthBetween(0, 60), integers().between(0, 5),
                strings().allPossible().ofLengthBetween(0, 20)).checkAssert((id, before, noise) -> {
                    ObjectNode o = JSON.createObjectNode();
                    for (int i = 0; i < before; i++) {
                        o.putObject("nested" + i).put("transaction_id", noise).putArray("list").add(noise).addObject()
                                .put("transaction_id", "inner");
                    }
                    o.put("transaction_id", id);
                    o.put("account_id", noise);
                    byte[] bytes = o.toString().getBytes(StandardCharsets.UTF_8); // a lone surrogate becomes '?' here
                    String expected;
                    try {
                        expected = JSON.readTree(bytes).get("transaction_id").asText();
                    } catch (java.io.IOException e) {
                        throw new AssertionError("the generated record does not parse", e);
                    }
                    assertThat(DecisionFeed.transactionId(bytes)).isEqualTo(expected);
                });
    }

    @Test
    void aRecordWithoutATextualIdHasNone() {
        for (String json : new String[] {"", "[]", "42", "{}", "{\"transaction_id\": 7}", "{\"transaction_id\": null}",
                "{\"x\": {\"transaction_id\": \"inner\"}}", "{\"transaction_id\": {\"a\": 1}}", "{\"transaction_id\": \"cut"}) {
            assertThat(DecisionFeed.transactionId(json.getBytes(StandardCharsets.UTF_8))).as(json).isNull();
        }
    }
}
