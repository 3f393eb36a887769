package io.github.fraudflink.trainer;

import io.github.fraudflink.features.FeatureSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmg.pmml.Header;
import org.dmg.pmml.PMML;
import org.jpmml.model.PMMLUtil;
import org.jpmml.xgboost.FeatureMap;
import org.jpmml.xgboost.HasXGBoostOptions;
import org.jpmml.xgboost.Learner;
import org.jpmml.xgboost.XGBoostUtil;

/**
 * Converts a trained XGBoost model file (JSON or UBJSON, as xgboost4j saves it) to a PMML document with
 * pmml-xgboost, for scoring with jpmml-evaluator ({@link io.github.fraudflink.model.PmmlScorer}).
 *
 * <p>The PMML's input fields carry the feature schema's names (a feature map, not {@code f0..fn}); the 0/1 flags
 * {@code is_weekend} and {@code is_night} are typed as indicators ({@code i}), the rest as quantities ({@code q}).
 * Splits compare features as float32 ({@code input_float}), as xgboost does, so a double near a split goes the same
 * way in both. The converter's header timestamp is removed: the same model gives the same bytes.
 */
public final class PmmlExport {
    /** Features that only take the values 0 and 1. */
    static final Set<String> INDICATORS = Set.of(FeatureSchema.IS_WEEKEND, FeatureSchema.IS_NIGHT);

    private PmmlExport() {}

    /** The PMML of {@code xgboostModel}, a model trained on {@link FeatureSchema#NAMES} in that order. */
    public static byte[] toPmml(byte[] xgboostModel) throws IOException {
        return toPmml(xgboostModel, FeatureSchema.NAMES);
    }

    /** The PMML of {@code xgboostModel}, whose feature {@code j} is {@code featureNames.get(j)}. */
    public static byte[] toPmml(byte[] xgboostModel, List<String> featureNames) throws IOException {
        Learner learner;
        try {
            learner = XGBoostUtil.loadLearner(new ByteArrayInputStream(xgboostModel));
        } catch (RuntimeException e) {
            throw new IOException("pmml-xgboost could not read the xgboost model: " + e.getMessage(), e);
        }
        if (learner.num_feature() != featureNames.size()) {
            throw new IOException("the xgboost model has " + learner.num_feature() + " features, the schema "
                    + featureNames.size() + ": it was not trained on these features");
        }
        FeatureMap fmap = new FeatureMap();
        for (String name : featureNames) {
            fmap.addEntry(name, INDICATORS.contains(name) ? "i" : "q");
        }
        PMML pmml = learner.encodePMML(Map.of(HasXGBoostOptions.OPTION_INPUT_FLOAT, true), null, null, fmap);
        Header header = pmml.getHeader();
        if (header != null) {
            header.setTimestamp(null); // "now", stamped by the converter
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PMMLUtil.marshal(pmml, out);
        } catch (Exception e) {
            throw new IOException("could not write the PMML document: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
