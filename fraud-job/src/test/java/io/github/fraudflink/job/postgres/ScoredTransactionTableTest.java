package io.github.fraudflink.job.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.fraudflink.features.TextField;
import io.github.fraudflink.job.records.Explanation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

/**
 * The JSON the PostgreSQL sink writes for the features and the reasons, against Jackson's reading of it: any feature
 * name an attribute can have ({@code attribute.<name>}, any Unicode the input contract accepts, quotes and backslashes
 * included) reads back as the same name with its value, a missing attribute (NaN) as null. A failure prints its seed;
 * {@code QT_SEED=N} replays it.
 */
class ScoredTransactionTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anyAttributeFeatureNameIsStoredByNameAndMissingValuesAsNull() {
        qt().withExamples(2_000).forAll(lists().of(Generate.oneOf(strings().allPossible().ofLengthBetween(1, 8),
                Generate.pick(List.of("amount", "\"", "\\", "a\"b\\c", "é", "\u2028"))).map(ScoredTransactionTableTest::valid))
                .ofSizeBetween(1, 10), lists().of(Generate.oneOf(doubles().any(), Generate.constant(Double.NaN)))
                .ofSize(10)).checkAssert((names, values) -> {
            List<String> features = new ArrayList<>();
            new LinkedHashSet<>(names).forEach(n -> features.add("attribute." + n));
            double[] v = values.subList(0, features.size()).stream().mapToDouble(Double::doubleValue).toArray();
            JsonNode stored = read(ScoredTransactionTable.featuresJson(features.toArray(new String[0]), v));
            List<String> back = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = stored.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int i = back.size();
                back.add(e.getKey());
                if (Double.isFinite(v[i])) {
                    assertThat(e.getValue().doubleValue()).as(e.getKey()).isEqualTo(v[i]);
                } else {
                    assertThat(e.getValue().isNull()).as(e.getKey()).isTrue();
                }
            }
            assertThat(back).containsExactlyElementsOf(features);

            Explanation reasons = new Explanation();
            reasons.features = features.toArray(new String[0]);
            reasons.values = v;
            reasons.contributions = v.clone();
            JsonNode r = read(ScoredTransactionTable.reasonsJson(reasons));
            for (int i = 0; i < features.size(); i++) {
                assertThat(r.get(i).get("feature").asText()).isEqualTo(features.get(i));
            }
        });
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** {@code s} with every code point the input contract rejects replaced by 'x'. */
    private static String valid(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(cp -> b.appendCodePoint(TextField.problem(new String(Character.toChars(cp))) == null ? cp : 'x'));
        return b.toString();
    }
}
