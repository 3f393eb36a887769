package io.github.fraudflink.model;

import java.io.IOException;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Scores with xgboost4j on a model file in XGBoost's JSON or UBJ format. Single-row {@code inplace_predict}
 * (no DMatrix per call), one thread, a reused input buffer.
 */
public final class XgboostScorer implements Scorer {
    private final Booster booster;
    private final String format;
    private final float[] row;

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
    public String format() {
        return format;
    }

    @Override
    public void close() {
        booster.dispose();
    }
}
