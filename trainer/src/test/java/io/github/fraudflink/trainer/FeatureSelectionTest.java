package io.github.fraudflink.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fraudflink.features.AccountFeatures;
import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.TerminalFeatures;
import io.github.fraudflink.data.LabelledTransaction;
import io.github.fraudflink.trainer.sim.SimulatorConfig;
import io.github.fraudflink.trainer.sim.TransactionSimulator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A model's feature set is cut from what the job computes by name, as the job feeds a model; and the class weight
 * reaches XGBoost as given, or balanced.
 */
class FeatureSelectionTest {
    private static FeatureTable served;

    @BeforeAll
    static void features() {
        List<LabelledTransaction> data = new ArrayList<>();
        new TransactionSimulator(SimulatorConfig.defaults().withCustomers(200).withTerminals(100).withDays(40)).forEach(data::add);
        served = FeatureTable.compute(data, new AccountFeatures(), new TerminalFeatures(), data.size());
    }

    @Test
    void eachSetIsTheServedColumnsOfItsNames() {
        assertThat(served.featureSet).isEqualTo(FeatureCatalog.SERVED);
        assertThat(served.select(FeatureCatalog.SERVED)).isSameAs(served);
        int known = 0;
        for (FeatureCatalog.FeatureSet set : List.of(FeatureCatalog.ACCOUNT, FeatureCatalog.ACCOUNT_TERMINAL)) {
            FeatureTable t = served.select(set);
            assertThat(t.featureSet).isEqualTo(set);
            assertThat(t.rows).isEqualTo(served.rows);
            assertThat(t.labels).isEqualTo(served.labels);
            assertThat(t.eventTimes).isEqualTo(served.eventTimes);
            assertThat(t.transactionIds).isEqualTo(served.transactionIds);
            for (int i = 0; i < t.rows; i++) {
                for (int j = 0; j < set.size(); j++) {
                    int from = FeatureCatalog.SERVED.names().indexOf(set.names().get(j));
                    assertThat(t.features[i][j]).isEqualTo(served.features[i][from]);
                }
            }
        }
        int firstFraud = FeatureCatalog.SERVED.names().indexOf(FeatureCatalog.TERMINAL_DAYS_SINCE_FIRST_FRAUD);
        for (double[] row : served.features) {
            known += row[firstFraud] > 0 ? 1 : 0;
        }
        assertThat(known).as("rows whose terminal has a known fraud").isPositive();
    }

    @Test
    void aSetTheTableDoesNotComputeIsRefusedByName() {
        FeatureTable account = served.select(FeatureCatalog.ACCOUNT);
        assertThatThrownBy(() -> account.select(FeatureCatalog.ACCOUNT_TERMINAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("terminal_tx_count_1d");
    }

    @Test
    void theClassWeightIsGivenOrBalanced() {
        int[] rows = java.util.stream.IntStream.range(0, served.rows).toArray();
        long frauds = java.util.stream.IntStream.of(rows).filter(i -> served.labels[i]).count();
        XgbTrainer.Params d = XgbTrainer.Params.defaults();
        assertThat(d.posWeight()).isNull();
        assertThat(XgbTrainer.params(served, rows, d).get("scale_pos_weight"))
                .isEqualTo((double) (rows.length - frauds) / frauds);
        assertThat(XgbTrainer.params(served, rows, d.withPosWeight(1.0)).get("scale_pos_weight")).isEqualTo(1.0);
        for (double bad : new double[] {0, -2, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> d.withPosWeight(bad)).hasMessageContaining("positive number or balanced");
        }
        assertThat(TrainingRun.weightName(null)).isEqualTo("balanced");
        assertThat(TrainingRun.weightName(1.0)).isEqualTo("1");
        assertThat(TrainingRun.weightName(2.5)).isEqualTo("2.5");
    }
}
