package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.features.Label;
import io.github.fraudflink.features.Transaction;
import io.github.fraudflink.data.LabelledTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The label channels against their definition, recomputed the plainest way on random days of transactions and scores:
 * the analysts' causal daily budget, the cardholders' deterministic share, chargebacks for the rest.
 */
class LabelChannelsTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_530_000_000_000L - 1_530_000_000_000L % DAY; // a midnight, UTC
    private static final Duration ANALYST = Duration.ofHours(4);
    private static final Duration CARDHOLDER = Duration.ofDays(2);
    private static final Duration CHARGEBACK = Duration.ofDays(7);

    private static LabelChannels.Config config(int k, double p, long seed) {
        return new LabelChannels.Config(k, ANALYST, p, CARDHOLDER, CHARGEBACK, seed, null, 21);
    }

    /** {@code days} days of transactions in event-time order, 2% fraud, scores higher for frauds (not always). */
    private static List<LabelledTransaction> generate(Random r, int days, int perDay, double[][] scoresOut) {
        List<LabelledTransaction> data = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        long clock = T0;
        for (int i = 0; i < days * perDay; i++) {
            clock += (long) (r.nextDouble() * 2 * DAY / perDay);
            boolean fraud = r.nextDouble() < 0.02;
            Transaction tx = new Transaction("t" + i, "acct-" + r.nextInt(500), clock, 10);
            tx.terminalId = "term-" + r.nextInt(50);
            data.add(new LabelledTransaction(tx, fraud, fraud ? 1 + r.nextInt(3) : 0));
            // some unscored (NaN), some ties
            double s = r.nextDouble() < 0.05 ? Double.NaN : Math.round(((fraud ? 0.5 : 0) + r.nextDouble()) * 20) / 20.0;
            scores.add(s);
        }
        scoresOut[0] = scores.stream().mapToDouble(Double::doubleValue).toArray();
        return data;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void everyTransactionGetsTheLabelOfTheFirstChannelThatTakesIt(int seed) {
        Random r = new Random(seed);
        double[][] s = new double[1][];
        List<LabelledTransaction> data = generate(r, 6, 400, s);
        int k = 1 + r.nextInt(30);
        double p = r.nextDouble();
        LabelChannels.Result got = LabelChannels.assign(data, s[0], config(k, p, seed));

        // the definition, day by day: the bar is the k-th highest score of the previous (consecutive) day
        Map<Long, List<Double>> byDay = new HashMap<>();
        for (int i = 0; i < data.size(); i++) {
            if (!Double.isNaN(s[0][i])) {
                byDay.computeIfAbsent(Math.floorDiv(data.get(i).tx().eventTime, DAY), d -> new ArrayList<>()).add(s[0][i]);
            }
        }
        Map<Long, Integer> reviewedOn = new HashMap<>();
        assertThat(got.labels()).hasSize(data.size());
        int reviews = 0;
        for (int i = 0; i < data.size(); i++) {
            LabelledTransaction lt = data.get(i);
            long day = Math.floorDiv(lt.tx().eventTime, DAY);
            List<Double> before = byDay.getOrDefault(day - 1, List.of());
            double bar = before.size() < k ? Double.NaN
                    : before.stream().sorted((a, b) -> Double.compare(b, a)).toList().get(k - 1);
            String want;
            if (!Double.isNaN(bar) && s[0][i] >= bar && reviewedOn.getOrDefault(day, 0) < k) {
                reviewedOn.merge(day, 1, Integer::sum);
                want = LabelChannels.ANALYST;
                reviews++;
            } else if (lt.fraud() && LabelChannels.draw(lt, seed) < p) {
                want = LabelChannels.CARDHOLDER;
            } else {
                want = LabelChannels.CHARGEBACK;
            }
            Label l = got.labels().get(i);
            long delay = switch (want) {
                case LabelChannels.ANALYST -> ANALYST.toMillis();
                case LabelChannels.CARDHOLDER -> CARDHOLDER.toMillis();
                default -> CHARGEBACK.toMillis();
            };
            assertThat(l.source).as("seed %d, transaction %d", seed, i).isEqualTo(want);
            assertThat(l.isFraud).isEqualTo(lt.fraud()); // the analyst and the cardholder know the truth
            assertThat(l.labelledAt).isEqualTo(lt.tx().eventTime + delay);
            assertThat(l.knownAt).isEqualTo(l.labelledAt);
            assertThat(l.transactionId).isEqualTo(lt.tx().transactionId);
            assertThat(l.terminalId).isEqualTo(lt.tx().terminalId);
        }
        assertThat(reviews).as("the analysts reviewed something").isPositive();
        assertThat(reviewedOn.values()).allMatch(n -> n <= k);
        assertThat(reviewedOn).as("no reviews on the first day: no bar yet")
                .doesNotContainKey(Math.floorDiv(data.get(0).tx().eventTime, DAY));
        assertThat(got.labelled()[0]).isEqualTo(reviews);
        assertThat(Arrays.stream(got.labelled()).sum()).isEqualTo(data.size());
    }

    @Test
    void theCardholdersReportTheirShareTheSameWayEveryTime() {
        Random r = new Random(7);
        double[][] s = new double[1][];
        List<LabelledTransaction> data = generate(r, 30, 2_000, s);
        long frauds = data.stream().filter(LabelledTransaction::fraud).count();
        LabelChannels.Result a = LabelChannels.assign(data, s[0], config(0, 0.5, 3));
        LabelChannels.Result b = LabelChannels.assign(data, s[0], config(0, 0.5, 3));
        LabelChannels.Result other = LabelChannels.assign(data, s[0], config(0, 0.5, 4));
        assertThat(a.labelled()[0]).as("no analysts").isZero();
        assertThat(a.frauds()[1]).isEqualTo(a.labelled()[1]).as("only frauds are reported")
                .isBetween((long) (0.45 * frauds), (long) (0.55 * frauds));
        assertThat(frauds).isGreaterThan(1_000);
        for (int i = 0; i < data.size(); i++) {
            assertThat(b.labels().get(i).source).isEqualTo(a.labels().get(i).source);
        }
        assertThat(other.labels().stream().map(l -> l.source).toList())
                .as("another seed, other draws").isNotEqualTo(a.labels().stream().map(l -> l.source).toList());
        // none and all
        assertThat(LabelChannels.assign(data, s[0], config(0, 0, 3)).labelled()[1]).isZero();
        assertThat(LabelChannels.assign(data, s[0], config(0, 1, 3)).labelled()[1]).isEqualTo(frauds);
    }

    @Test
    void withoutAnalystsAndCardholdersEveryLabelIsTheHandbooksChargeback() {
        double[][] s = new double[1][];
        List<LabelledTransaction> data = generate(new Random(11), 3, 300, s);
        List<Label> got = LabelChannels.assign(data, s[0], config(0, 0, 0)).labels();
        List<Label> handbook = FeatureTable.labelsAtDelay(data, CHARGEBACK);
        for (int i = 0; i < data.size(); i++) {
            assertThat(got.get(i).source).isEqualTo(LabelChannels.CHARGEBACK);
            assertThat(got.get(i).labelledAt).isEqualTo(handbook.get(i).labelledAt);
            assertThat(got.get(i).knownAt).isEqualTo(handbook.get(i).knownAt);
            assertThat(got.get(i).isFraud).isEqualTo(handbook.get(i).isFraud);
        }
    }

    @Test
    void theInputMustBeInEventTimeOrderAndTheSettingsSane() {
        double[][] s = new double[1][];
        List<LabelledTransaction> data = new ArrayList<>(generate(new Random(1), 2, 50, s));
        java.util.Collections.swap(data, 3, 40);
        assertThatThrownBy(() -> LabelChannels.assign(data, s[0], config(5, 0.5, 0))).hasMessageContaining("event-time order");
        assertThatThrownBy(() -> LabelChannels.assign(data, new double[3], config(5, 0.5, 0))).hasMessageContaining("one score");
        assertThatThrownBy(() -> config(-1, 0.5, 0)).hasMessageContaining("--analyst-daily");
        assertThatThrownBy(() -> config(1, 1.5, 0)).hasMessageContaining("--cardholder-share");
        assertThatThrownBy(() -> new LabelChannels.Config(1, Duration.ofHours(-1), 0.5, CARDHOLDER, CHARGEBACK, 0, null, 21))
                .hasMessageContaining("negative");
    }
}
