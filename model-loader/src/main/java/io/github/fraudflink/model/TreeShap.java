package io.github.fraudflink.model;

/**
 * Exact SHAP values of a tree ensemble scored by {@link JavaXgboostScorer}: path-dependent TreeSHAP (Lundberg, Erion
 * and Lee, "Consistent individualized feature attribution for tree ensembles", Algorithm 2), the algorithm of
 * XGBoost's {@code predict(pred_contribs=True)}, on the scorer's flat trees and node covers ({@code sum_hessian}).
 *
 * <p>For a row, {@link #explain} gives each feature's contribution to the margin (log-odds) and the bias, the margin
 * of the average row (the base margin plus each tree's cover-weighted mean leaf); the contributions plus the bias are
 * the row's margin. A missing value ({@code NaN}) follows the node's default direction, as the scorer does. Computed
 * in double. Not thread-safe (reused path buffers).
 */
public final class TreeShap {
    private final JavaXgboostScorer m;
    private final double bias;
    private final int maxDepth;
    // the unique path of every recursion level, one after the other (as in the reference implementation)
    private final int[] pathFeature;
    private final double[] pathZero;
    private final double[] pathOne;
    private final double[] pathWeight;
    private final float[] x;

    /** @throws IllegalArgumentException when the model file had no node covers ({@code sum_hessian}) */
    public TreeShap(JavaXgboostScorer scorer) {
        if (scorer.cover == null) {
            throw new IllegalArgumentException("the model file has no usable node covers (sum_hessian, each positive): it cannot be explained;"
                    + " save it with a recent XGBoost");
        }
        this.m = scorer;
        double b = scorer.baseMargin;
        int depth = 0;
        for (int root : scorer.roots) {
            b += expected(root);
            depth = Math.max(depth, depth(root));
        }
        this.bias = b;
        this.maxDepth = depth;
        int size = (depth + 2) * (depth + 3) / 2;
        pathFeature = new int[size];
        pathZero = new double[size];
        pathOne = new double[size];
        pathWeight = new double[size];
        x = new float[scorer.features];
    }

    /** The bias: the margin of the average training row. */
    public double bias() {
        return bias;
    }

    /**
     * Fills {@code phi[0..features-1]} with each feature's contribution to the row's margin; returns the bias.
     *
     * @param phi at least as long as the rows the scorer takes; overwritten
     */
    public double explain(double[] features, double[] phi) {
        for (int i = 0; i < m.features; i++) {
            x[i] = (float) features[i]; // as the scorer compares
            phi[i] = 0;
        }
        for (int root : m.roots) {
            recurse(root, phi, 0, 0, 1, 1, -1);
        }
        return bias;
    }

    /** The deepest leaf's depth in the tree at {@code node} (a leaf alone: 0). */
    private int depth(int node) {
        return m.feature[node] < 0 ? 0 : 1 + Math.max(depth(m.child[node]), depth(m.child[node] + 1));
    }

    /** The cover-weighted mean of the leaves under {@code node}. */
    private double expected(int node) {
        if (m.feature[node] < 0) {
            return m.value[node];
        }
        int l = m.child[node];
        int r = l + 1;
        return (m.cover[l] * expected(l) + m.cover[r] * expected(r)) / m.cover[node];
    }

    /**
     * One node of the recursion: the parent's path ends at {@code parent + depth - 1}... this level's path starts at
     * {@code at}; {@code depth} is the number of features on the path before this node's own extension.
     */
    private void recurse(int node, double[] phi, int at, int depth, double zeroFraction, double oneFraction,
            int featureIndex) {
        // this level's path: a copy of the parent's (which ends at at - 1 and has depth elements... see below)
        int path = at;
        if (depth > 0) {
            int parent = at - depth;
            System.arraycopy(pathFeature, parent, pathFeature, path, depth);
            System.arraycopy(pathZero, parent, pathZero, path, depth);
            System.arraycopy(pathOne, parent, pathOne, path, depth);
            System.arraycopy(pathWeight, parent, pathWeight, path, depth);
        }
        extend(path, depth, zeroFraction, oneFraction, featureIndex);

        int f = m.feature[node];
        if (f < 0) {
            double leaf = m.value[node];
            for (int i = 1; i <= depth; i++) {
                double w = unwoundSum(path, depth, i);
                phi[pathFeature[path + i]] += w * (pathOne[path + i] - pathZero[path + i]) * leaf;
            }
            return;
        }
        float v = x[f];
        int right = v >= m.value[node] ? 1 : (v != v ? m.missingRight[node] : 0);
        int hot = m.child[node] + right;
        int cold = m.child[node] + 1 - right;
        double w = m.cover[node];
        double hotZero = m.cover[hot] / w;
        double coldZero = m.cover[cold] / w;
        double incomingZero = 1;
        double incomingOne = 1;
        int d = depth;
        int k = 0;
        while (k <= d && pathFeature[path + k] != f) {
            k++;
        }
        if (k <= d) { // split on this feature before: undo that split
            incomingZero = pathZero[path + k];
            incomingOne = pathOne[path + k];
            unwind(path, d, k);
            d--;
        }
        int next = path + d + 1;
        recurse(hot, phi, next, d + 1, hotZero * incomingZero, incomingOne, f);
        recurse(cold, phi, next, d + 1, coldZero * incomingZero, 0, f);
    }

    private void extend(int path, int depth, double zeroFraction, double oneFraction, int featureIndex) {
        pathFeature[path + depth] = featureIndex;
        pathZero[path + depth] = zeroFraction;
        pathOne[path + depth] = oneFraction;
        pathWeight[path + depth] = depth == 0 ? 1 : 0;
        for (int i = depth - 1; i >= 0; i--) {
            pathWeight[path + i + 1] += oneFraction * pathWeight[path + i] * (i + 1) / (depth + 1);
            pathWeight[path + i] = zeroFraction * pathWeight[path + i] * (depth - i) / (depth + 1);
        }
    }

    private void unwind(int path, int depth, int index) {
        double one = pathOne[path + index];
        double zero = pathZero[path + index];
        double nextOne = pathWeight[path + depth];
        for (int i = depth - 1; i >= 0; i--) {
            if (one != 0) {
                double tmp = pathWeight[path + i];
                pathWeight[path + i] = nextOne * (depth + 1) / ((i + 1) * one);
                nextOne = tmp - pathWeight[path + i] * zero * (depth - i) / (depth + 1);
            } else {
                pathWeight[path + i] = pathWeight[path + i] * (depth + 1) / (zero * (depth - i));
            }
        }
        for (int i = index; i < depth; i++) {
            pathFeature[path + i] = pathFeature[path + i + 1];
            pathZero[path + i] = pathZero[path + i + 1];
            pathOne[path + i] = pathOne[path + i + 1];
        }
    }

    private double unwoundSum(int path, int depth, int index) {
        double one = pathOne[path + index];
        double zero = pathZero[path + index];
        double nextOne = pathWeight[path + depth];
        double total = 0;
        for (int i = depth - 1; i >= 0; i--) {
            if (one != 0) {
                double tmp = nextOne * (depth + 1) / ((i + 1) * one);
                total += tmp;
                nextOne = pathWeight[path + i] - tmp * zero * ((double) (depth - i) / (depth + 1));
            } else if (zero != 0) {
                total += (pathWeight[path + i] / zero) / ((double) (depth - i) / (depth + 1));
            }
        }
        return total;
    }

    /** The deepest tree's depth (tests and sizing). */
    int maxDepth() {
        return maxDepth;
    }
}
