package io.github.fraudflink.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Scores an XGBoost model in XGBoost's JSON format without xgboost4j: the trees are read once into flat primitive
 * arrays and walked in Java, so a row costs a few hundred nanoseconds instead of a native call (~75 µs).
 *
 * <p>It reproduces XGBoost's CPU predictor bit for bit as far as float32 arithmetic allows: features are cast to
 * {@code float}, a node sends {@code x < split_condition} left and the rest right, a missing value ({@code NaN})
 * follows the node's {@code default_left}; the margin starts at {@code logit(base_score)} (computed in float, as
 * {@code ProbToMargin} does), the leaf values are added in float in tree order, and the probability is XGBoost's
 * float sigmoid on a port of glibc's {@code expf} (xgboost4j's native library calls glibc's).
 *
 * <p>Supported: {@code gbtree} boosters with objective {@code binary:logistic}, one output (no multi-class, no
 * multi-target trees), numerical splits only; all trees are used (as xgboost4j's {@code inplace_predict} does by
 * default). Anything else (dart, gblinear, other objectives, categorical splits, vector leaves) is refused with an
 * {@link IOException} saying why, so a loader can fall back to {@link XgboostScorer}.
 *
 * <p>Layout: the nodes of all trees in one set of arrays, renumbered breadth-first so that the two children of a
 * node are adjacent ({@code right = left + 1}). For node {@code n}: {@code feature[n]} is the split feature, or -1
 * for a leaf; {@code value[n]} is the split condition, or the leaf value; {@code child[n]} is the index of its left
 * child; {@code missingRight[n]} is 1 when a missing value goes right. Not thread-safe (one reused row buffer), like
 * every {@link Scorer}.
 */
public final class JavaXgboostScorer implements Scorer {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // floats read exactly, then rounded once
            .build();

    private final String format;
    final int features;
    final float baseMargin;
    final int[] roots;
    final int[] feature;
    final float[] value;
    final int[] child;
    final byte[] missingRight;
    /** Per node, the training rows' hessian sum that reached it ({@code sum_hessian}); null when the file has none. */
    final float[] cover;
    private final float[] row;

    private JavaXgboostScorer(String format, int features, float baseMargin, int[] roots, int[] feature, float[] value,
            int[] child, byte[] missingRight, float[] cover) {
        this.format = format;
        this.features = features;
        this.baseMargin = baseMargin;
        this.roots = roots;
        this.feature = feature;
        this.value = value;
        this.child = child;
        this.missingRight = missingRight;
        this.cover = cover;
        this.row = new float[features];
    }

    /**
     * Reads a model from the bytes of an XGBoost JSON model file ({@code Booster.save_model("x.json")}).
     *
     * @param features the length of the feature vectors it will score; every split must use a feature below it
     * @throws IOException if the bytes are not such a model, or the model uses something this evaluator does not do
     */
    public static JavaXgboostScorer load(byte[] modelJson, int features) throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(modelJson);
        } catch (IOException e) {
            throw new IOException("not an XGBoost JSON model: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("not an XGBoost JSON model: no JSON object");
        }
        JsonNode learner = required(root, "learner");
        String objective = required(required(learner, "objective"), "name").asText();
        if (!"binary:logistic".equals(objective)) {
            throw new IOException("unsupported objective " + objective + " (only binary:logistic)");
        }
        JsonNode params = required(learner, "learner_model_param");
        int numClass = intParam(params, "num_class", 0);
        int numTarget = intParam(params, "num_target", 1);
        if (numClass > 1 || numTarget != 1) {
            throw new IOException("unsupported multi-output model (num_class " + numClass + ", num_target " + numTarget + ")");
        }
        float baseScore = baseScore(required(params, "base_score").asText());
        if (!(baseScore > 0f && baseScore < 1f)) {
            throw new IOException("base_score " + baseScore + " is not a probability in (0, 1)");
        }
        float baseMargin = (float) -Math.log(1.0f / baseScore - 1.0f); // ProbToMargin, in float

        JsonNode booster = required(learner, "gradient_booster");
        String boosterName = required(booster, "name").asText();
        if (!"gbtree".equals(boosterName)) {
            throw new IOException("unsupported booster " + boosterName + " (only gbtree; no dart, no gblinear)");
        }
        JsonNode trees = required(required(booster, "model"), "trees");
        if (!trees.isArray() || trees.isEmpty()) {
            throw new IOException("the model has no trees");
        }
        JsonNode treeInfo = booster.path("model").path("tree_info");
        for (JsonNode g : treeInfo) {
            if (g.asInt() != 0) {
                throw new IOException("unsupported multi-class model (a tree of output group " + g.asInt() + ")");
            }
        }

        int total = 0;
        for (JsonNode t : trees) {
            total += required(t, "left_children").size();
        }
        int[] roots = new int[trees.size()];
        int[] feature = new int[total];
        float[] value = new float[total];
        int[] child = new int[total];
        byte[] missingRight = new byte[total];
        float[] cover = new float[total];
        boolean covered = true;
        int next = 0;
        for (int ti = 0; ti < trees.size(); ti++) {
            covered &= trees.get(ti).has("sum_hessian");
            next = readTree(trees.get(ti), ti, features, roots, feature, value, child, missingRight, cover, next);
        }
        for (float c : cover) {
            covered &= c > 0 && Float.isFinite(c);
        }
        return new JavaXgboostScorer(ModelManifest.FORMAT_XGBOOST_JSON, features, baseMargin, roots, feature, value,
                child, missingRight, covered ? cover : null);
    }

    /** Copies one tree into the flat arrays from index {@code at}, breadth-first; returns the next free index. */
    private static int readTree(JsonNode t, int ti, int features, int[] roots, int[] feature, float[] value,
            int[] child, byte[] missingRight, float[] cover, int at) throws IOException {
        String where = "tree " + ti;
        JsonNode size = t.path("tree_param").path("size_leaf_vector");
        if (!size.isMissingNode() && size.asInt(1) > 1) {
            throw new IOException("unsupported vector leaves in " + where + " (multi-target trees)");
        }
        int[] left = ints(required(t, "left_children"), where);
        int[] right = ints(required(t, "right_children"), where);
        int[] split = ints(required(t, "split_indices"), where);
        int[] defaultLeft = ints(required(t, "default_left"), where);
        JsonNode conditions = required(t, "split_conditions");
        JsonNode hessians = t.path("sum_hessian");
        int n = left.length;
        if (right.length != n || split.length != n || defaultLeft.length != n || conditions.size() != n || n == 0) {
            throw new IOException(where + " has arrays of different lengths");
        }
        JsonNode types = t.path("split_type");
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).asInt() != 0 && left[i] != -1) {
                throw new IOException("unsupported categorical split in " + where + ", node " + i);
            }
        }
        if (t.path("categories_nodes").size() > 0) {
            throw new IOException("unsupported categorical splits in " + where);
        }
        // breadth-first from node 0: a node's two children get adjacent new indices
        int[] renumbered = new int[n];
        Arrays.fill(renumbered, -1);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(0);
        renumbered[0] = at;
        int next = at + 1;
        int visited = 0;
        while (!queue.isEmpty()) {
            int old = queue.poll();
            visited++;
            int idx = renumbered[old];
            value[idx] = floatValue(conditions.get(old), where);
            // covers only explain (TreeShap); a model whose covers are missing or unreadable still scores
            cover[idx] = hessians.size() == n && hessians.get(old).isNumber() ? hessians.get(old).floatValue() : Float.NaN;
            if (left[old] == -1) {
                feature[idx] = -1;
                continue;
            }
            int l = left[old];
            int r = right[old];
            if (l <= 0 || r <= 0 || l >= n || r >= n || renumbered[l] != -1 || renumbered[r] != -1 || l == r) {
                throw new IOException(where + ", node " + old + " has invalid children " + l + ", " + r);
            }
            if (split[old] < 0 || split[old] >= features) {
                throw new IOException(where + ", node " + old + " splits on feature " + split[old] + " but rows have "
                        + features);
            }
            if (Float.isNaN(value[idx])) {
                throw new IOException(where + ", node " + old + " has a NaN split condition");
            }
            feature[idx] = split[old];
            missingRight[idx] = (byte) (defaultLeft[old] != 0 ? 0 : 1);
            child[idx] = next;
            renumbered[l] = next++;
            renumbered[r] = next++;
            queue.add(l);
            queue.add(r);
        }
        if (visited != n) {
            throw new IOException(where + " has " + (n - visited) + " nodes unreachable from its root");
        }
        roots[ti] = at;
        return next;
    }

    @Override
    public double score(double[] features) {
        float[] x = toFloats(features);
        return sigmoid(margin(x));
    }

    @Override
    public void scoreBatch(double[][] rows, int n, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = sigmoid(margin(toFloats(rows[i])));
        }
    }

    private float[] toFloats(double[] features) {
        if (features.length != this.features) {
            throw new IllegalArgumentException("expected " + this.features + " features, got " + features.length);
        }
        float[] x = row;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) features[i];
        }
        return x;
    }

    private float margin(float[] x) {
        final int[] feature = this.feature;
        final float[] value = this.value;
        final int[] child = this.child;
        final byte[] missingRight = this.missingRight;
        float sum = baseMargin;
        for (int root : roots) {
            int node = root;
            int f;
            while ((f = feature[node]) >= 0) {
                float v = x[f];
                // NaN: both comparisons false, so the node's default decides
                int right = v >= value[node] ? 1 : (v != v ? missingRight[node] : 0);
                node = child[node] + right;
            }
            sum += value[node];
        }
        return sum;
    }

    /**
     * XGBoost's float sigmoid ({@code common::Sigmoid}): 1 / (expf(min(-x, 88.7)) + 1 + 1e-16), in float, with
     * {@link #expf} for glibc's {@code expf}: {@code (float) Math.exp} differs from it in the last bit for about 3
     * arguments in 10,000, which moves the probability by up to 2 float ulps (1.2e-7).
     */
    static float sigmoid(float margin) {
        float e = expf(Math.min(-margin, 88.7f));
        return 1.0f / (e + 1.0f + 1e-16f);
    }

    // glibc's expf (sysdeps/ieee754/flt-32/e_expf.c, from Arm's optimized-routines): exp(x) = 2^(k/32) * 2^(r/32)
    // with a 32-entry table and a cubic, in double. tab[i] = bits of 2^(i/32) minus (i << 47).
    private static final long[] EXP2F_TAB = {
        0x3ff0000000000000L, 0x3fefd9b0d3158574L, 0x3fefb5586cf9890fL, 0x3fef9301d0125b51L,
        0x3fef72b83c7d517bL, 0x3fef54873168b9aaL, 0x3fef387a6e756238L, 0x3fef1e9df51fdee1L,
        0x3fef06fe0a31b715L, 0x3feef1a7373aa9cbL, 0x3feedea64c123422L, 0x3feece086061892dL,
        0x3feebfdad5362a27L, 0x3feeb42b569d4f82L, 0x3feeab07dd485429L, 0x3feea47eb03a5585L,
        0x3feea09e667f3bcdL, 0x3fee9f75e8ec5f74L, 0x3feea11473eb0187L, 0x3feea589994cce13L,
        0x3feeace5422aa0dbL, 0x3feeb737b0cdc5e5L, 0x3feec49182a3f090L, 0x3feed503b23e255dL,
        0x3feee89f995ad3adL, 0x3feeff76f2fb5e47L, 0x3fef199bdd85529cL, 0x3fef3720dcef9069L,
        0x3fef5818dcfba487L, 0x3fef7c97337b9b5fL, 0x3fefa4afa2a490daL, 0x3fefd0765b6e4540L,
    };
    private static final double EXP2F_INVLN2N = 0x1.71547652b82fep+0 * 32;
    private static final double EXP2F_SHIFT = 0x1.8p+52;
    private static final double EXP2F_C0 = 0x1.c6af84b912394p-5 / 32 / 32 / 32;
    private static final double EXP2F_C1 = 0x1.ebfce50fac4f3p-3 / 32 / 32;
    private static final double EXP2F_C2 = 0x1.62e42ff0c52d6p-1 / 32;

    /** glibc's {@code expf}, bit for bit (its non-FMA variant; the FMA one differs on two arguments only). */
    static float expf(float x) {
        if (!(x <= 0x1.62e42ep6f)) {
            return x > 0 ? Float.POSITIVE_INFINITY : x; // overflow, or NaN
        }
        if (x < -0x1.9fe368p6f) {
            return 0f; // underflow
        }
        double z = EXP2F_INVLN2N * x;
        double kd = z + EXP2F_SHIFT;
        long ki = Double.doubleToRawLongBits(kd);
        kd -= EXP2F_SHIFT;
        double r = z - kd;
        double s = Double.longBitsToDouble(EXP2F_TAB[(int) (ki & 31)] + (ki << 47));
        double p = EXP2F_C0 * r + EXP2F_C1;
        double r2 = r * r;
        double y = EXP2F_C2 * r + 1;
        y = p * r2 + y;
        return (float) (y * s);
    }

    /** The raw margin (before the sigmoid) of one row, for tests. */
    float marginOf(double[] features) {
        return margin(toFloats(features));
    }

    /**
     * Walks one row like {@link #score} and counts the missing values that took a default direction: {@code
     * counts[0]} += default-left, {@code counts[1]} += default-right. For tests (coverage of both directions).
     */
    void countDefaultPaths(double[] features, long[] counts) {
        float[] x = toFloats(features);
        for (int root : roots) {
            int node = root;
            int f;
            while ((f = feature[node]) >= 0) {
                float v = x[f];
                if (v != v) {
                    counts[missingRight[node]]++;
                }
                int right = v >= value[node] ? 1 : (v != v ? missingRight[node] : 0);
                node = child[node] + right;
            }
        }
    }

    /** The number of trees. */
    public int trees() {
        return roots.length;
    }

    /** The number of nodes over all trees. */
    public int nodes() {
        return feature.length;
    }

    /** Whether {@link TreeShap} can explain it: the model file had a positive cover for every node. */
    public boolean explainable() {
        return cover != null;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public void close() {
        // nothing native to free
    }

    private static JsonNode required(JsonNode parent, String field) throws IOException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new IOException("not an XGBoost JSON model: no field " + field);
        }
        return n;
    }

    private static int intParam(JsonNode params, String field, int absent) throws IOException {
        JsonNode n = params.get(field);
        if (n == null) {
            return absent;
        }
        try {
            return Integer.parseInt(n.asText().trim());
        } catch (NumberFormatException e) {
            throw new IOException("learner_model_param." + field + " is not an integer: " + n.asText());
        }
    }

    /** {@code "5E-1"}, or {@code "[5E-1]"} as newer XGBoost writes it (a one-element vector). */
    private static float baseScore(String text) throws IOException {
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1).trim();
            if (s.contains(",")) {
                throw new IOException("unsupported vector base_score " + text + " (multi-output)");
            }
        }
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new IOException("base_score is not a number: " + text);
        }
    }

    private static float floatValue(JsonNode n, String where) throws IOException {
        if (!n.isNumber()) {
            throw new IOException(where + " has a non-numeric split condition or leaf value: " + n);
        }
        return n.isBigDecimal() ? n.decimalValue().floatValue() : (float) n.doubleValue();
    }

    private static int[] ints(JsonNode array, String where) throws IOException {
        if (!array.isArray()) {
            throw new IOException(where + ": expected an array, got " + array.getNodeType());
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (v.isBoolean()) { // default_left is written as booleans by some versions
                out[i] = v.booleanValue() ? 1 : 0;
                continue;
            }
            if (!v.canConvertToInt()) {
                throw new IOException(where + ": not an integer: " + v);
            }
            out[i] = v.asInt();
        }
        return out;
    }
}
