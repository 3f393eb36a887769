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
 * feature schema (any order); the score is the probability of the target value {@code "1"}. The evaluator is
 * built and verified once.
 */
public final class PmmlScorer implements Scorer {
    private final Evaluator evaluator;
    private final InputField[] inputs;
    private final int[] featureIndex;
    private final String target;
    private final Map<String, FieldValue> arguments = new HashMap<>();

    private PmmlScorer(Evaluator evaluator, InputField[] inputs, int[] featureIndex, String target) {
        this.evaluator = evaluator;
        this.inputs = inputs;
        this.featureIndex = featureIndex;
        this.target = target;
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
        return new PmmlScorer(ev, inputs, idx, targets.get(0).getName());
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
        Double prob = p.getProbability("1");
        if (prob == null) {
            prob = p.getProbability(1);
        }
        if (prob == null) {
            throw new IllegalStateException("the PMML model has no class '1' for '" + target + "'");
        }
        return prob;
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
