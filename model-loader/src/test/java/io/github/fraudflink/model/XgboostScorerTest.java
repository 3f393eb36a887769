package io.github.fraudflink.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The xgboost4j scorer gives xgboost4j's own batch predictions, from JSON and from UBJ model files. */
class XgboostScorerTest {

    @ParameterizedTest
    @ValueSource(strings = {"json", "ubj"})
    void singleRowScoresEqualXgboostBatchPredictions(String format) throws Exception {
        Booster b = TestModels.train(1);
        int n = 300;
        float[] x = TestModels.rows(7, n);
        DMatrix d = new DMatrix(x, n, TestModels.F, Float.NaN);
        float[][] want = b.predict(d);
        d.dispose();
        int positives = 0;
        try (XgboostScorer s = XgboostScorer.load(TestModels.save(b, format), "xgboost-" + format, TestModels.F)) {
            double[][] rows = new double[n][];
            for (int i = 0; i < n; i++) {
                rows[i] = TestModels.row(x, i);
                double got = s.score(rows[i]);
                assertThat(got).as("row %d", i).isCloseTo(want[i][0], within(1e-7));
                positives += got > 0.5 ? 1 : 0;
            }
            double[] batch = new double[n];
            s.scoreBatch(rows, 64, batch); // a partial batch, then the whole sample
            for (int i = 0; i < 64; i++) {
                assertThat(batch[i]).as("batched row %d", i).isEqualTo(s.score(rows[i]));
            }
            s.scoreBatch(rows, n, batch);
            for (int i = 0; i < n; i++) {
                assertThat(batch[i]).as("batched row %d", i).isEqualTo(s.score(rows[i]));
            }
        }
        b.dispose();
        assertThat(positives).as("the sample has both classes").isBetween(10, n - 10);
    }
}
