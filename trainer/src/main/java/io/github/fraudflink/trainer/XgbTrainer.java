package io.github.fraudflink.trainer;

import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Trains a binary XGBoost classifier with xgboost4j: class imbalance through {@code scale_pos_weight}
 * (by default negatives / positives, "balanced"; or a given weight), early stopping on the validation AUPRC ({@link Metrics#averagePrecision}), then a refit of exactly the best
 * number of rounds so the saved model is the one that was evaluated. Single-threaded by default so the
 * same data gives the same model bytes.
 */
public final class XgbTrainer {

    /**
     * Hyper-parameters; defaults suit the handbook's 15-feature, ~1% fraud data. {@code posWeight} is XGBoost's
     * {@code scale_pos_weight}; null means balanced: the training rows' negatives over positives.
     */
    public record Params(int maxRounds, int earlyStoppingRounds, int maxDepth, double eta, double subsample,
            double colsampleBytree, double minChildWeight, int threads, long seed, int maxBin, boolean refit,
            Double posWeight) {
        public Params {
            if (posWeight != null && !(posWeight > 0 && Double.isFinite(posWeight))) {
                throw new IllegalArgumentException("the positive class weight must be a positive number or balanced, got "
                        + posWeight);
            }
        }

        public static Params defaults() {
            return new Params(400, 40, 5, 0.1, 0.8, 0.8, 1, 1, 0, 256, false, null);
        }

        /**
         * The shipped model's recipe, what {@code ./fraud train} trains with no tuning flag: unweighted classes,
         * 4096 histogram bins, a refit on the whole training period; on {@code threads} threads.
         */
        public static Params recipe(int threads) {
            Params d = defaults();
            return new Params(d.maxRounds(), d.earlyStoppingRounds(), d.maxDepth(), d.eta(), d.subsample(),
                    d.colsampleBytree(), d.minChildWeight(), threads, d.seed(), 4096, true, 1.0);
        }

        /** The same with {@code scale_pos_weight} {@code weight} (null: balanced). */
        public Params withPosWeight(Double weight) {
            return new Params(maxRounds, earlyStoppingRounds, maxDepth, eta, subsample, colsampleBytree, minChildWeight,
                    threads, seed, maxBin, refit, weight);
        }

        /**
         * The same, refitting on the whole training period (fit and validation rows) with the number of rounds early
         * stopping chose, so the last days before the delay, the freshest fraud, are learnt too.
         */
        public Params withRefit(boolean on) {
            return new Params(maxRounds, earlyStoppingRounds, maxDepth, eta, subsample, colsampleBytree, minChildWeight,
                    threads, seed, maxBin, on, posWeight);
        }

        /** The same trees of depth {@code depth} learnt at rate {@code rate}. */
        public Params withTrees(int depth, double rate) {
            return new Params(maxRounds, earlyStoppingRounds, depth, rate, subsample, colsampleBytree, minChildWeight,
                    threads, seed, maxBin, refit, posWeight);
        }

        /** The same with {@code max_bin} histogram bins per feature (xgboost's default, 256, cannot split every amount). */
        public Params withMaxBin(int bins) {
            return new Params(maxRounds, earlyStoppingRounds, maxDepth, eta, subsample, colsampleBytree, minChildWeight,
                    threads, seed, bins, refit, posWeight);
        }
    }

    /** The trained model and how it was chosen. */
    public record Result(Booster booster, int rounds, double validationAuprc, Map<String, Object> params) {}

    private XgbTrainer() {}

    public static Result train(FeatureTable t, int[] train, int[] valid, Params p) throws XGBoostError {
        DMatrix dtrain = matrix(t, train);
        DMatrix dvalid = matrix(t, valid);
        boolean[] validLabels = new boolean[valid.length];
        for (int i = 0; i < valid.length; i++) {
            validLabels[i] = t.labels[valid[i]];
        }
        try {
            Map<String, Object> params = params(t, train, p);
            // boost round by round and stop on our own AUPRC (xgboost4j's watches print every round)
            Booster probe = XGBoost.train(dtrain, params, 0, Map.of(), null, null);
            int best = 0;
            double bestAuprc = -1;
            for (int round = 0; round < p.maxRounds() && round - best <= p.earlyStoppingRounds(); round++) {
                probe.update(dtrain, round);
                float[][] pred = probe.predict(dvalid);
                double[] scores = new double[pred.length];
                for (int i = 0; i < scores.length; i++) {
                    scores[i] = pred[i][0];
                }
                double auprc = Metrics.averagePrecision(scores, validLabels);
                if (auprc > bestAuprc) {
                    bestAuprc = auprc;
                    best = round;
                }
            }
            probe.dispose();
            Booster model = XGBoost.train(dtrain, params, best + 1, Map.of(), null, null);
            return new Result(model, best + 1, bestAuprc, params);
        } finally {
            dtrain.dispose();
            dvalid.dispose();
        }
    }

    static Map<String, Object> params(FeatureTable t, int[] train, Params p) {
        long pos = 0;
        for (int i : train) {
            pos += t.labels[i] ? 1 : 0;
        }
        if (pos == 0) {
            throw new IllegalArgumentException("the training period has no fraud: choose a longer or later training window");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", "binary:logistic");
        m.put("eval_metric", "aucpr");
        m.put("tree_method", "hist");
        if (p.maxBin() != 256) { // 256 is xgboost's default: left out, so the shipped model's parameters stay as they were
            m.put("max_bin", p.maxBin());
        }
        m.put("max_depth", p.maxDepth());
        m.put("eta", p.eta());
        m.put("subsample", p.subsample());
        m.put("colsample_bytree", p.colsampleBytree());
        m.put("min_child_weight", p.minChildWeight());
        m.put("scale_pos_weight", p.posWeight() != null ? p.posWeight() : (double) (train.length - pos) / pos);
        m.put("nthread", p.threads());
        m.put("seed", p.seed());
        m.put("verbosity", 0);
        return m;
    }

    /** A model trained on {@code rows} for exactly {@code rounds} rounds (scale_pos_weight from these rows). */
    public static Booster refit(FeatureTable t, int[] rows, Params p, int rounds) throws XGBoostError {
        DMatrix d = matrix(t, rows);
        try {
            return XGBoost.train(d, params(t, rows, p), rounds, Map.of(), null, null);
        } finally {
            d.dispose();
        }
    }

    static DMatrix matrix(FeatureTable t, int[] idx) throws XGBoostError {
        DMatrix d = new DMatrix(t.matrix(idx), idx.length, t.columns(), Float.NaN);
        d.setLabel(t.labels(idx));
        return d;
    }

    /** Scores of rows {@code idx} with {@code booster}. */
    public static double[] predict(Booster booster, FeatureTable t, int[] idx) throws XGBoostError {
        DMatrix d = new DMatrix(t.matrix(idx), idx.length, t.columns(), Float.NaN);
        try {
            float[][] p = booster.predict(d);
            double[] out = new double[idx.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = p[i][0];
            }
            return out;
        } finally {
            d.dispose();
        }
    }
}
