package io.github.fraudflink.features;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How a model's input row is made: the one piece of code that feeds a model, in the scoring job
 * ({@code ModelLoader}, {@code LoadedModel.select}) and in the trainer ({@code FeatureTable.select}), so a model is
 * served exactly the values it learnt on. A model names its features (its manifest's {@code feature_names}, in its
 * input order); each name is read as one of:
 * <ul>
 *   <li>{@code attribute.<name>} (any name that starts with {@value #ATTRIBUTE_PREFIX}): the transaction's attribute
 *       {@code <name>} ({@link Transaction#attributes}), or {@code NaN} when the transaction does not have it (XGBoost's
 *       "missing": each tree's default direction). {@code <name>} follows the input contract's rule for attribute
 *       names (1 to 128 code points, {@link TextField}); the prefix is taken off once, so the attribute
 *       {@code attribute.x} is the feature {@code attribute.attribute.x} and the attribute {@code amount} is
 *       {@code attribute.amount}, never the computed {@code amount};</li>
 *   <li>{@value #TIME_OF_DAY}: hours since midnight UTC of the event time, fractional ({@link #timeOfDay});</li>
 *   <li>any other name: a feature of the computed vector ({@link FeatureCatalog#SERVED} in the job), taken at its
 *       index.</li>
 * </ul>
 * {@link #of} checks the names once (a model is refused at load, never at its first row); {@link #row} then builds
 * each row. Immutable and thread-safe.
 */
public final class ModelInputs {
    /** The feature: hours since midnight UTC of the event time, in {@code [0, 24)} ({@link #timeOfDay}). */
    public static final String TIME_OF_DAY = "time_of_day";
    /** The prefix of a feature that is a transaction's attribute: {@code attribute.V1} is the attribute {@code V1}. */
    public static final String ATTRIBUTE_PREFIX = "attribute.";

    private static final long DAY_MILLIS = 86_400_000L;
    private static final double HOUR_MILLIS = 3_600_000.0;
    private static final int TIME = -1;
    private static final int ATTRIBUTE = -2;

    /**
     * The natural order of attribute names: digit runs (ASCII {@code 0-9}) compare as numbers, everything else by code
     * point, so {@code V1 < V2 < V10 < V28}. A total order consistent with {@code equals}: names equal as numbers
     * ({@code V01}, {@code V1}) are ordered by their code points, so a set of names has one order whatever order it
     * came in.
     */
    public static final Comparator<String> NATURAL_ORDER = ModelInputs::compareNatural;

    private final List<String> names;
    private final int[] source;
    private final String[] attribute;
    private final boolean needsTransaction;

    private ModelInputs(List<String> names, int[] source, String[] attribute) {
        this.names = List.copyOf(names);
        this.source = source;
        this.attribute = attribute;
        boolean tx = false;
        for (int s : source) {
            tx |= s < 0;
        }
        this.needsTransaction = tx;
    }

    /**
     * The inputs of a model that names {@code modelNames}, fed from vectors of {@code computed}.
     *
     * @param computed the names of the computed vector, in its order (none may be {@value #TIME_OF_DAY} or start with
     *     {@value #ATTRIBUTE_PREFIX}: those are the transaction's)
     * @param setId the feature set the model's manifest declares (for the messages)
     * @param modelNames the features the model uses, in its input order
     * @throws IllegalArgumentException naming what is wrong (no names, a name neither computed nor the transaction's, a
     *     malformed {@code attribute.} name, a repeated name) and the fix
     */
    public static ModelInputs of(List<String> computed, String setId, List<String> modelNames) {
        for (String c : computed) {
            if (TIME_OF_DAY.equals(c) || c.startsWith(ATTRIBUTE_PREFIX)) {
                throw new IllegalArgumentException("the computed vector names '" + c + "', which is a transaction"
                        + " feature's name (" + TIME_OF_DAY + ", " + ATTRIBUTE_PREFIX + "<name>): rename the computed feature");
            }
        }
        if (modelNames == null || modelNames.isEmpty()) {
            throw new IllegalArgumentException("the model's manifest names no features (feature_names)");
        }
        int[] source = new int[modelNames.size()];
        String[] attribute = new String[modelNames.size()];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < source.length; i++) {
            String n = modelNames.get(i);
            if (n == null) {
                throw new IllegalArgumentException("the model's feature_names has a null at position " + i
                        + ": every feature needs a name; fix the manifest or train the model again");
            }
            if (n.startsWith(ATTRIBUTE_PREFIX)) {
                attribute[i] = attributeName(n, setId);
                source[i] = ATTRIBUTE;
            } else if (TIME_OF_DAY.equals(n)) {
                source[i] = TIME;
            } else {
                source[i] = computed.indexOf(n);
                if (source[i] < 0) {
                    missing.add(n);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(FeatureCatalog.notComputed(computed, setId, missing));
        }
        if (modelNames.stream().distinct().count() != modelNames.size()) {
            throw new IllegalArgumentException("the model's feature_names repeat a name: " + modelNames);
        }
        return new ModelInputs(modelNames, source, attribute);
    }

    /** The model's input row: its features, in its order, from the computed vector and the transaction. */
    public double[] row(double[] computed, Transaction tx) {
        double[] row = new double[source.length];
        if (needsTransaction && tx == null) {
            throw new IllegalArgumentException("the model's features " + transactionFeatures() + " come from the"
                    + " transaction, and none was given: pass the transaction the vector was computed for");
        }
        Map<String, Double> attributes = tx == null ? null : tx.attributes;
        for (int i = 0; i < row.length; i++) {
            int s = source[i];
            if (s >= 0) {
                row[i] = computed[s];
            } else if (s == TIME) {
                row[i] = timeOfDay(tx.eventTime);
            } else {
                Double v = attributes == null ? null : attributes.get(attribute[i]);
                row[i] = v == null ? Double.NaN : v;
            }
        }
        return row;
    }

    /** The names of {@link #row}'s values, in order: the model's. */
    public List<String> names() {
        return names;
    }

    /** Whether {@link #row} reads the transaction (a {@value #TIME_OF_DAY} or an attribute feature). */
    public boolean needsTransaction() {
        return needsTransaction;
    }

    /** Where each value of {@link #row} comes from, by index of the computed vector; -1 where it is the transaction's. */
    public int[] computedIndex() {
        int[] index = source.clone();
        for (int i = 0; i < index.length; i++) {
            index[i] = Math.max(-1, index[i]);
        }
        return index;
    }

    /**
     * {@value #TIME_OF_DAY}: {@code (eventTime mod 86,400,000) / 3,600,000} with the modulo floored (so always in
     * {@code [0, 86,400,000)}) and one IEEE double division, correctly rounded: hours since midnight UTC, fractional,
     * in {@code [0, 24)}; e.g. 06:30:00.000 UTC gives 6.5.
     */
    public static double timeOfDay(long eventTimeMillis) {
        return Math.floorMod(eventTimeMillis, DAY_MILLIS) / HOUR_MILLIS;
    }

    /** The feature of the attribute {@code name}: {@code attribute.<name>}. */
    public static String attributeFeature(String name) {
        String f = ATTRIBUTE_PREFIX + name;
        attributeName(f, FeatureCatalog.ATTRIBUTES_ID); // the same rule as a model's names
        return f;
    }

    /**
     * The names of the attributes that any of {@code txs} has, each once, in {@link #NATURAL_ORDER}: the attribute
     * features a model trained on them uses.
     */
    public static List<String> attributeNames(Iterable<Transaction> txs) {
        TreeSet<String> names = new TreeSet<>(NATURAL_ORDER);
        for (Transaction t : txs) {
            if (t.attributes != null) {
                names.addAll(t.attributes.keySet());
            }
        }
        return List.copyOf(names);
    }

    private List<String> transactionFeatures() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < source.length; i++) {
            if (source[i] < 0) {
                out.add(names.get(i));
            }
        }
        return out.size() > 5 ? List.of(out.get(0), out.get(1), out.get(2), "... (" + out.size() + " in all)") : out;
    }

    /** The attribute of an {@code attribute.<name>} feature, or an error saying why it is not one. */
    private static String attributeName(String feature, String setId) {
        String name = feature.substring(ATTRIBUTE_PREFIX.length());
        String problem = TextField.problem(name);
        int length = TextField.length(name);
        if (name.isEmpty() || length > TransactionParser.MAX_TEXT_LENGTH || problem != null) {
            String why = name.isEmpty() ? "the name is empty" : problem != null ? "the name has " + problem
                    : "the name has " + length + " characters";
            throw new IllegalArgumentException("the model's feature '" + printable(feature) + "' (feature set '" + setId
                    + "') is not a valid attribute feature: '" + ATTRIBUTE_PREFIX + "' must be followed by an attribute's"
                    + " name as the input contract allows it (1 to " + TransactionParser.MAX_TEXT_LENGTH + " characters,"
                    + " no control, invisible format or line separator characters), and " + why + ", so no transaction"
                    + " could ever have it; fix the manifest's feature_names or train the model again (e.g. ./fraud train"
                    + " --features " + FeatureCatalog.ATTRIBUTES_ID + ")");
        }
        return name;
    }

    /** {@code s} for a message: cut at 200 code points, the code points {@link TextField} rejects shown as U+XXXX. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(cp -> {
            if (TextField.problem(new String(Character.toChars(cp))) != null) { // an unpaired surrogate too
                b.append(String.format("<U+%04X>", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    private static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (digit(ca) && digit(cb)) {
                int ea = digitsEnd(a, i);
                int eb = digitsEnd(b, j);
                int za = skipZeros(a, i, ea);
                int zb = skipZeros(b, j, eb);
                if (ea - za != eb - zb) {
                    return Integer.compare(ea - za, eb - zb); // more significant digits: larger
                }
                for (int k = 0; k < ea - za; k++) {
                    int c = Character.compare(a.charAt(za + k), b.charAt(zb + k));
                    if (c != 0) {
                        return c;
                    }
                }
                i = ea;
                j = eb;
            } else {
                if (ca != cb) {
                    return Integer.compare(ca, cb);
                }
                i += Character.charCount(ca);
                j += Character.charCount(cb);
            }
        }
        if (i < a.length() || j < b.length()) {
            return i < a.length() ? 1 : -1; // a prefix first
        }
        return compareCodePoints(a, b); // equal as numbers (V01, V1): by code points, so only equal names tie
    }

    private static boolean digit(int cp) {
        return cp >= '0' && cp <= '9';
    }

    private static int digitsEnd(String s, int from) {
        int e = from;
        while (e < s.length() && digit(s.charAt(e))) {
            e++;
        }
        return e;
    }

    private static int skipZeros(String s, int from, int end) {
        int z = from;
        while (z < end - 1 && s.charAt(z) == '0') {
            z++;
        }
        return z;
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
