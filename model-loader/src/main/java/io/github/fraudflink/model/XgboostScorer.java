package io.github.fraudflink.model;

import java.io.IOException;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Scores with xgboost4j on a model file in XGBoost's JSON or UBJ format: {@code inplace_predict} (no DMatrix per
 * call), one thread, reused input buffers. A native call costs ~150 µs whatever its size, so batches pay off.
 */
public final class XgboostScorer implements Scorer {
    private final Booster booster;
    private final String format;
    private final float[] row;
    private float[] batch = new float[0];

    private XgboostScorer(Booster booster, String format, int features) {
        this.booster = booster;
        this.format = format;
        this.row = new float[features];
    }

    /** Loads a model from the bytes of a JSON or UBJ model file. */
    public static XgboostScorer load(byte[] model, String format, int features) throws IOException {
        try {
            Booster b = XGBoost.loadModel(model);
            b.setParam("nthread", 1);
            return new XgboostScorer(b, format, features);
        } catch (XGBoostError e) {
            throw new IOException("xgboost could not read the model: " + e.getMessage(), e);
        }
    }

    @Override
    public double score(double[] features) {
        if (features.length != row.length) {
            throw new IllegalArgumentException("expected " + row.length + " features, got " + features.length);
        }
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) features[i];
        }
        try {
            return booster.inplace_predict(row, 1, row.length, Float.NaN)[0][0];
        } catch (XGBoostError e) {
            throw new IllegalStateException("xgboost prediction failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void scoreBatch(double[][] rows, int n, double[] out) {
        int f = row.length;
        if (batch.length < n * f) {
            batch = new float[n * f];
        }
        for (int r = 0; r < n; r++) {
            if (rows[r].length != f) {
                throw new IllegalArgumentException("expected " + f + " features, got " + rows[r].length);
            }
            for (int j = 0; j < f; j++) {
                batch[r * f + j] = (float) rows[r][j];
            }
        }
        try {
            float[][] p = booster.inplace_predict(batch, n, f, Float.NaN);
            for (int r = 0; r < n; r++) {
                out[r] = p[r][0];
            }
        } catch (XGBoostError e) {
            throw new IllegalStateException("xgboost prediction failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean prefersBatches() {
        return true; // a native call costs ~75 µs whatever its size (BENCHMARKS.md)
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public void close() {
        booster.dispose();
    }
}
