package io.github.fraudflink.model;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.FieldValue;
import org.jpmml.evaluator.InputField;
import org.jpmml.evaluator.LoadingModelEvaluatorBuilder;
import org.jpmml.evaluator.HasProbability;
import org.jpmml.evaluator.TargetField;

/**
 * Scores with jpmml-evaluator on a PMML classification model whose input fields are named after the
 * feature schema (any order, a subset allowed: converters drop unused features); the score is the probability of
 * the target category 1 (integer {@code 1}, {@code "1"} or {@code 1.0}, as the converter typed it). The evaluator is
 * built and verified once. Models converted with pmml-xgboost get these names from a feature map listing the
 * schema's names (not {@code f0..fn}).
 */
public final class PmmlScorer implements Scorer {
    private final Evaluator evaluator;
    private final InputField[] inputs;
    private final int[] featureIndex;
    private final String target;
    private final Object fraudClass;
    private final Map<String, FieldValue> arguments = new HashMap<>();

    private PmmlScorer(Evaluator evaluator, InputField[] inputs, int[] featureIndex, String target, Object fraudClass) {
        this.evaluator = evaluator;
        this.inputs = inputs;
        this.featureIndex = featureIndex;
        this.target = target;
        this.fraudClass = fraudClass;
    }

    /** Loads and verifies a PMML document; {@code featureNames} is the schema order of the vectors to score. */
    public static PmmlScorer load(byte[] pmml, List<String> featureNames) throws IOException {
        Evaluator ev;
        try {
            ev = new LoadingModelEvaluatorBuilder().load(new ByteArrayInputStream(pmml)).build();
            ev.verify();
        } catch (Exception e) {
            throw new IOException("jpmml could not read the PMML model: " + e.getMessage(), e);
        }
        List<? extends InputField> fields = ev.getInputFields();
        InputField[] inputs = fields.toArray(new InputField[0]);
        int[] idx = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            idx[i] = featureNames.indexOf(inputs[i].getName());
            if (idx[i] < 0) {
                throw new IOException("PMML input field '" + inputs[i].getName() + "' is not a feature of the schema "
                        + featureNames + ": export the model with the schema's feature names");
            }
        }
        List<? extends TargetField> targets = ev.getTargetFields();
        if (targets.size() != 1) {
            throw new IOException("expected one target field in the PMML model, found " + targets.size());
        }
        TargetField t = targets.get(0);
        // the category object must be the target's own (Integer 1 for an integer target): a lookup by "1" finds nothing
        Object fraudClass = t.getCategories() == null ? null : t.getCategories().stream()
                .filter(c -> c instanceof Number n ? n.doubleValue() == 1 : "1".equals(String.valueOf(c)))
                .findFirst().orElse(null);
        if (fraudClass == null) {
            throw new IOException("the PMML target '" + t.getName() + "' has no class 1 (categories "
                    + t.getCategories() + "): export a binary classifier with classes 0 and 1");
        }
        return new PmmlScorer(ev, inputs, idx, t.getName(), fraudClass);
    }

    @Override
    public double score(double[] features) {
        for (int i = 0; i < inputs.length; i++) {
            arguments.put(inputs[i].getName(), inputs[i].prepare(features[featureIndex[i]]));
        }
        Object result = evaluator.evaluate(arguments).get(target);
        if (!(result instanceof HasProbability p)) {
            throw new IllegalStateException("the PMML model does not output class probabilities for '" + target + "'");
        }
        return p.getProbability(fraudClass);
    }

    @Override
    public String format() {
        return ModelManifest.FORMAT_PMML;
    }

    @Override
    public void close() {
        arguments.clear();
    }
}
