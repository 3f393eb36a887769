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
 *
 * <p>When they fit in {@link #TABLE_BUDGET} (the shipped model's take 2.3 MB), the contributions are tabulated per leaf
 * when the model loads ({@code Tables}), and a row is explained from the tables: 32 µs for the shipped model against
 * 187 µs by the recursion (BENCHMARKS.md); both give the same contributions to rounding (tested against xgboost4j).
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
    /** {@code 1 / k} for k up to the deepest path: the recursion multiplies instead of dividing. */
    private final double[] inverse;
    /** The per-leaf tables ({@link Tables}), or null when they would exceed {@link #TABLE_BUDGET}: the recursion then. */
    private final Tables tables;

    /** Most doubles the per-leaf tables of one model may hold (16 MB); deeper ensembles are explained by the recursion. */
    static final int TABLE_BUDGET = 2_000_000;

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
        inverse = new double[depth + 3];
        for (int k = 1; k < inverse.length; k++) {
            inverse[k] = 1.0 / k;
        }
        tables = Tables.build(this);
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
        if (tables != null) {
            tables.explain(x, phi);
        } else {
            explainByRecursion(phi);
        }
        return bias;
    }

    /** The same by the recursion alone (tests, and models too deep for tables). */
    double explainByRecursion(double[] features, double[] phi) {
        for (int i = 0; i < m.features; i++) {
            x[i] = (float) features[i];
            phi[i] = 0;
        }
        explainByRecursion(phi);
        return bias;
    }

    private void explainByRecursion(double[] phi) {
        for (int root : m.roots) {
            recurse(root, phi, 0, 0, 1, 1, -1);
        }
    }

    /** Whether the per-leaf tables are used (tests). */
    boolean tabulated() {
        return tables != null;
    }

    /**
     * Path-dependent TreeSHAP tabulated per leaf (the idea of Yang's "Fast TreeSHAP", v2): a leaf's contributions to
     * the features on its path depend on the row only through which of those features the row agrees with the path on
     * (a bit each, all of a repeated feature's splits together), so for every leaf and every such pattern they are
     * computed once, with the recursion's own path arithmetic, when the model loads. Explaining a row is then, per leaf,
     * reading its pattern off the row's direction at each split and adding a table row: no recursion.
     */
    private static final class Tables {
        private final int[] leafFirstNode; // per leaf: its path's first entry in pathNode/pathDir/pathUnique
        private final int[] leafPathLength;
        private final int[] leafUniqueStart; // per leaf: its unique features in uniqueFeature
        private final int[] leafUniqueCount;
        private final int[] leafTable; // per leaf: its table's first entry in table (pattern * k + j)
        private final int[] pathNode;
        private final byte[] pathDir;
        private final byte[] pathUnique;
        private final int[] uniqueFeature;
        private final double[] table;
        private final int[] splits; // every split node of the ensemble
        private final byte[] dir; // per node: where the current row goes (reused)
        private final JavaXgboostScorer model;

        private Tables(JavaXgboostScorer model, int[] leafFirstNode, int[] leafPathLength, int[] leafUniqueStart, int[] leafUniqueCount,
                int[] leafTable, int[] pathNode, byte[] pathDir, byte[] pathUnique, int[] uniqueFeature, double[] table,
                int[] splits, int nodes) {
            this.leafFirstNode = leafFirstNode;
            this.leafPathLength = leafPathLength;
            this.leafUniqueStart = leafUniqueStart;
            this.leafUniqueCount = leafUniqueCount;
            this.leafTable = leafTable;
            this.pathNode = pathNode;
            this.pathDir = pathDir;
            this.pathUnique = pathUnique;
            this.uniqueFeature = uniqueFeature;
            this.table = table;
            this.splits = splits;
            this.dir = new byte[nodes];
            this.model = model;
        }

        /** The tables of {@code shap}'s model, or null when they would hold more than {@link #TABLE_BUDGET} doubles. */
        static Tables build(TreeShap shap) {
            JavaXgboostScorer m = shap.m;
            java.util.List<int[]> leaves = new java.util.ArrayList<>(); // per leaf: the path's nodes, then the leaf
            java.util.List<Integer> splitNodes = new java.util.ArrayList<>();
            int maxNode = 0;
            for (int root : m.roots) {
                maxNode = Math.max(maxNode, collect(m, root, new int[0], leaves, splitNodes));
            }
            long cells = 0;
            int pathEntries = 0;
            int uniqueEntries = 0;
            int[][] unique = new int[leaves.size()][];
            for (int l = 0; l < leaves.size(); l++) {
                int[] path = leaves.get(l);
                unique[l] = java.util.Arrays.stream(path, 0, path.length - 1).map(n -> m.feature[n]).distinct().toArray();
                if (unique[l].length > 30) {
                    return null;
                }
                cells += ((long) unique[l].length) << unique[l].length;
                pathEntries += path.length - 1;
                uniqueEntries += unique[l].length;
                if (cells > TABLE_BUDGET) {
                    return null;
                }
            }
            int n = leaves.size();
            int[] first = new int[n];
            int[] length = new int[n];
            int[] uStart = new int[n];
            int[] uCount = new int[n];
            int[] tStart = new int[n];
            int[] pNode = new int[pathEntries];
            byte[] pDir = new byte[pathEntries];
            byte[] pUnique = new byte[pathEntries];
            int[] uFeature = new int[uniqueEntries];
            double[] t = new double[(int) cells];
            int pe = 0;
            int ue = 0;
            int te = 0;
            for (int l = 0; l < n; l++) {
                int[] path = leaves.get(l);
                int leaf = path[path.length - 1];
                int[] u = unique[l];
                int k = u.length;
                first[l] = pe;
                length[l] = path.length - 1;
                uStart[l] = ue;
                uCount[l] = k;
                tStart[l] = te;
                double[] zero = new double[k];
                java.util.Arrays.fill(zero, 1);
                for (int i = 0; i + 1 < path.length; i++) {
                    int node = path[i];
                    int next = path[i + 1];
                    int j = indexOf(u, m.feature[node]);
                    pNode[pe] = node;
                    pDir[pe] = (byte) (next - m.child[node]);
                    pUnique[pe] = (byte) j;
                    pe++;
                    zero[j] *= m.cover[next] / (double) m.cover[node];
                }
                System.arraycopy(u, 0, uFeature, ue, k);
                ue += k;
                for (int pattern = 0; pattern < (1 << k); pattern++) {
                    shap.extend(0, 0, 1, 1, -1);
                    for (int j = 0; j < k; j++) {
                        shap.extend(0, j + 1, zero[j], (pattern >> j) & 1, u[j]);
                    }
                    for (int j = 0; j < k; j++) {
                        double w = shap.unwoundSum(0, k, j + 1);
                        t[te + pattern * k + j] = w * (((pattern >> j) & 1) - zero[j]) * m.value[leaf];
                    }
                }
                te += k << k;
            }
            return new Tables(m, first, length, uStart, uCount, tStart, pNode, pDir, pUnique, uFeature, t,
                    splitNodes.stream().mapToInt(Integer::intValue).toArray(), maxNode + 1);
        }

        /** Adds every leaf under {@code node} (its path from the root: {@code path}); returns the largest node index. */
        private static int collect(JavaXgboostScorer m, int node, int[] path, java.util.List<int[]> leaves,
                java.util.List<Integer> splits) {
            int[] here = java.util.Arrays.copyOf(path, path.length + 1);
            here[path.length] = node;
            if (m.feature[node] < 0) {
                leaves.add(here);
                return node;
            }
            splits.add(node);
            int l = m.child[node];
            return Math.max(node, Math.max(collect(m, l, here, leaves, splits), collect(m, l + 1, here, leaves, splits)));
        }

        private static int indexOf(int[] a, int v) {
            for (int i = 0; i < a.length; i++) {
                if (a[i] == v) {
                    return i;
                }
            }
            throw new IllegalStateException("feature " + v + " not on the path");
        }

        void explain(float[] x, double[] phi) {
            for (int node : splits) { // where the row goes at every split, once
                dir[node] = (byte) direction(x, node);
            }
            for (int l = 0; l < leafFirstNode.length; l++) {
                int k = leafUniqueCount[l];
                int pattern = (1 << k) - 1;
                for (int p = leafFirstNode[l], end = p + leafPathLength[l]; p < end; p++) {
                    if (dir[pathNode[p]] != pathDir[p]) {
                        pattern &= ~(1 << pathUnique[p]);
                    }
                }
                int row = leafTable[l] + pattern * k;
                int u = leafUniqueStart[l];
                for (int j = 0; j < k; j++) {
                    phi[uniqueFeature[u + j]] += table[row + j];
                }
            }
        }

        /** 1 right, 0 left, as the scorer decides (a missing value: the node's default). */
        private int direction(float[] x, int node) {
            float v = x[model.feature[node]];
            return v >= model.value[node] ? 1 : (v != v ? model.missingRight[node] : 0);
        }
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
        double perDepth = inverse[depth + 1];
        for (int i = depth - 1; i >= 0; i--) {
            pathWeight[path + i + 1] += oneFraction * pathWeight[path + i] * (i + 1) * perDepth;
            pathWeight[path + i] = zeroFraction * pathWeight[path + i] * (depth - i) * perDepth;
        }
    }

    private void unwind(int path, int depth, int index) {
        double one = pathOne[path + index];
        double zero = pathZero[path + index];
        double nextOne = pathWeight[path + depth];
        double perDepth = inverse[depth + 1];
        if (one != 0) {
            double scale = (depth + 1) / one;
            for (int i = depth - 1; i >= 0; i--) {
                double tmp = pathWeight[path + i];
                pathWeight[path + i] = nextOne * scale * inverse[i + 1];
                nextOne = tmp - pathWeight[path + i] * zero * (depth - i) * perDepth;
            }
        } else {
            double scale = (depth + 1) / zero;
            for (int i = depth - 1; i >= 0; i--) {
                pathWeight[path + i] = pathWeight[path + i] * scale * inverse[depth - i];
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
        double perDepth = inverse[depth + 1];
        if (one != 0) {
            double scale = (depth + 1) / one;
            for (int i = depth - 1; i >= 0; i--) {
                double tmp = nextOne * scale * inverse[i + 1];
                total += tmp;
                nextOne = pathWeight[path + i] - tmp * zero * (depth - i) * perDepth;
            }
        } else if (zero != 0) {
            double scale = (depth + 1) / zero;
            for (int i = depth - 1; i >= 0; i--) {
                total += pathWeight[path + i] * scale * inverse[depth - i];
            }
        }
        return total;
    }

    /** The deepest tree's depth (tests and sizing). */
    int maxDepth() {
        return maxDepth;
    }
}
