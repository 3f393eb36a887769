package io.github.fraudflink.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.fraudflink.features.IsoTime;
import io.github.fraudflink.job.records.Explanation;
import io.github.fraudflink.job.records.ScoredTransaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The scored JSON against the plain Jackson writer as the oracle (field names as strings, every number through
 * {@code writeNumber(double)}): for generated scored transactions (any doubles, whole numbers, -0.0, NaN, the
 * infinities, any Unicode in names and values, the feature names changing between events), the bytes are the same;
 * and what it writes reads back to the same values.
 */
class ScoredTransactionJsonTest {
    private static final JsonFactory PLAIN = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    @Test
    void theBytesAreThoseOfThePlainJacksonWriter() {
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        qt().withExamples(5_000).forAll(scored()).checkAssert(s -> {
            byte[] expected;
            try {
                expected = plain(s);
            } catch (RuntimeException e) { // text JSON cannot carry (a lone surrogate): both refuse it
                assertThatThrownBy(() -> ScoredTransactionJson.write(s)).isInstanceOf(RuntimeException.class);
                return;
            }
            assertThat(new String(ScoredTransactionJson.write(s), StandardCharsets.UTF_8))
                    .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            written.incrementAndGet();
            ScoredTransaction back = ScoredTransactionJson.read(ScoredTransactionJson.write(s));
            assertThat(back.featureNames).containsExactly(s.featureNames);
            for (Explanation[] e : new Explanation[][] {{s.reasons, back.reasons}, {s.shadowReasons, back.shadowReasons}}) {
                if (e[0] == null) {
                    assertThat(e[1]).isNull();
                } else {
                    assertThat(e[1].features).containsExactly(e[0].features);
                    assertThat(e[1].values.length).isEqualTo(e[0].values.length);
                }
            }
            for (int i = 0; i < s.features.length; i++) {
                assertThat(Double.doubleToLongBits(back.features[i])).isEqualTo(Double.doubleToLongBits(
                        Double.isNaN(s.features[i]) ? Double.NaN : s.features[i]));
            }
        });
        assertThat(written.get()).isGreaterThan(2_500);
    }

    /** The writer as it was before its field names were encoded once. */
    private static byte[] plain(ScoredTransaction s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = PLAIN.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("transaction_id", s.transactionId);
            g.writeStringField("account_id", s.accountId);
            g.writeNumberField("amount", s.amount);
            if (s.currency != null) {
                g.writeStringField("currency", s.currency);
            }
            if (s.terminalId != null) {
                g.writeStringField("terminal_id", s.terminalId);
            }
            if (s.merchantId != null) {
                g.writeStringField("merchant_id", s.merchantId);
            }
            g.writeStringField("event_time", IsoTime.format(s.eventTime));
            g.writeStringField("ingest_time", IsoTime.format(s.ingestTime));
            g.writeStringField("scored_time", IsoTime.format(s.scoredTime));
            g.writeObjectFieldStart("features");
            for (int i = 0; i < s.features.length; i++) {
                g.writeNumberField(s.featureNames[i], s.features[i]);
            }
            g.writeEndObject();
            g.writeStringField("feature_schema", s.featureSchema);
            g.writeNumberField("score", s.score);
            g.writeStringField("decision", s.decision);
            g.writeNumberField("threshold", s.threshold);
            g.writeNumberField("review_threshold", s.reviewThreshold);
            plainReasons(g, "reasons", s.reasons);
            g.writeStringField("model", s.model);
            g.writeStringField("model_version", s.modelVersion);
            if (s.shadowModel != null) {
                g.writeStringField("shadow_model", s.shadowModel);
                g.writeStringField("shadow_version", s.shadowVersion);
                g.writeNumberField("shadow_score", s.shadowScore);
                g.writeNumberField("shadow_threshold", s.shadowThreshold);
                if (s.shadowReviewThreshold != null) {
                    g.writeNumberField("shadow_review_threshold", s.shadowReviewThreshold);
                }
                if (s.shadowDecision != null) {
                    g.writeStringField("shadow_decision", s.shadowDecision);
                }
                plainReasons(g, "shadow_reasons", s.shadowReasons);
            }
            g.writeBooleanField("duplicate", s.duplicate);
            g.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void plainReasons(JsonGenerator g, String field, Explanation e) throws IOException {
        if (e != null) {
            g.writeArrayFieldStart(field);
            for (int i = 0; i < e.features.length; i++) {
                g.writeStartObject();
                g.writeStringField("feature", e.features[i]);
                g.writeNumberField("value", e.values[i]);
                g.writeNumberField("contribution", e.contributions[i]);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    /** Up to three reasons of generated names and values, or none. */
    private static Gen<Explanation> reasons() {
        return lists().of(texts().zip(values(), values(), (n, v, c) -> new Object[] {n, v, c})).ofSizeBetween(0, 3)
                .zip(booleans().all(), (l, none) -> {
                    if (none) {
                        return null;
                    }
                    Explanation e = new Explanation(new String[l.size()], new double[l.size()], new double[l.size()]);
                    for (int i = 0; i < l.size(); i++) {
                        e.features[i] = (String) l.get(i)[0];
                        e.values[i] = (Double) l.get(i)[1];
                        e.contributions[i] = (Double) l.get(i)[2];
                    }
                    return e;
                });
    }

    /** Feature values: any double, and often the whole numbers, zeros and specials features take. */
    private static Gen<Double> values() {
        return Generate.frequency(
                Pair.of(3, doubles().any()),
                Pair.of(3, longs().between(-20_000_000, 20_000_000).map(l -> (double) l)),
                Pair.of(1, Generate.pick(List.of(0.0, -0.0, 1.0, -1.0, 9_999_999.0, 10_000_000.0, -9_999_999.0,
                        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, 1e-7, 0.5))));
    }

    private static Gen<String> texts() {
        return Generate.frequency(Pair.of(3, strings().ascii().ofLengthBetween(0, 12)),
                Pair.of(1, strings().allPossible().ofLengthBetween(0, 12)));
    }

    /** Names shared by many events (the scorer's one array) or new ones: both paths of the name cache. */
    private static final List<String[]> SHARED_NAMES = List.of(
            new String[] {"tx_amount", "tx_during_weekend", "customer_id_nb_tx_1day_window"},
            new String[] {"a\"quote", "back\\slash", "caf\u00e9", "tab\t", "\u2028"});

    private static Gen<String[]> names(int n) {
        return Generate.oneOf(Generate.pick(SHARED_NAMES),
                lists().of(texts()).ofSizeBetween(0, n).map(l -> {
                    String[] a = new String[l.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = l.get(i) + "#" + i; // distinct, as a model's names are
                    }
                    return a;
                }));
    }

    private static Gen<ScoredTransaction> scored() {
        Gen<ScoredTransaction> base = texts().zip(texts(), values(), longs().between(0, 253_402_300_799_999L),
                (tx, acct, amount, time) -> {
                    ScoredTransaction s = new ScoredTransaction();
                    s.transactionId = tx;
                    s.accountId = acct;
                    s.amount = amount;
                    s.eventTime = time;
                    s.ingestTime = time;
                    s.scoredTime = time;
                    s.featureSchema = "account-terminal-v3";
                    s.decision = ScoredTransaction.APPROVE;
                    s.model = "m";
                    s.modelVersion = "v1";
                    return s;
                });
        Gen<double[]> features = lists().of(values()).ofSizeBetween(0, 30)
                .map(l -> l.stream().mapToDouble(Double::doubleValue).toArray());
        return base.zip(features, integers().between(0, 1), booleans().all(), (s, f, pick, duplicate) -> {
            s.features = f;
            s.duplicate = duplicate;
            s.currency = pick == 0 ? null : "EUR";
            s.terminalId = pick == 0 ? "T1" : null;
            return s;
        }).zip(names(30), values(), booleans().all(), (s, names, score, shadow) -> {
            s.features = java.util.Arrays.copyOf(s.features, names.length);
            s.featureNames = names;
            s.score = score;
            s.threshold = 0.5;
            if (shadow) {
                s.shadowModel = "shadow";
                s.shadowVersion = "v2";
                s.shadowScore = score / 2;
                s.shadowThreshold = 0.25;
            }
            return s;
        }).zip(reasons(), reasons(), values(), (s, reasons, shadowReasons, review) -> {
            s.reviewThreshold = review;
            s.reasons = reasons;
            if (s.shadowModel != null) {
                s.shadowReviewThreshold = review == 0 ? null : review / 2;
                s.shadowDecision = review == 0 ? null : ScoredTransaction.REVIEW;
                s.shadowReasons = shadowReasons;
            }
            return s;
        });
    }
}
