package io.github.fraudflink.model;

import io.github.fraudflink.features.ModelInputs;
import io.github.fraudflink.features.Transaction;

/** A verified model ready to score: its manifest and its scorer. Owned by one operator instance. */
public final class LoadedModel implements AutoCloseable {
    private final ModelManifest manifest;
    private final Scorer scorer;
    private final String manifestSha256;
    private final ModelInputs inputs;
    private final String[] featureNames;
    private TreeShap explainer;
    private boolean explainerTried;

    LoadedModel(ModelManifest manifest, Scorer scorer, String manifestSha256, ModelInputs inputs) {
        this.manifest = manifest;
        this.scorer = scorer;
        this.manifestSha256 = manifestSha256;
        this.inputs = inputs;
        this.featureNames = manifest.featureNames().toArray(new String[0]);
    }

    /**
     * The model's input row: the features it names, in its order, from the computed feature vector and the transaction
     * it was computed for ({@code time_of_day}, {@code attribute.<name>}; a missing attribute is NaN), by
     * {@link ModelInputs}, the code the trainer builds its rows with.
     */
    public double[] select(double[] computed, Transaction tx) {
        return inputs.row(computed, tx);
    }

    /**
     * {@link #select(double[], Transaction)} for a model that names computed features only (every set but
     * {@code attributes-v1}); a model that names the transaction's features throws, naming them.
     */
    public double[] select(double[] computed) {
        return inputs.row(computed, null);
    }

    /** Whether {@link #select(double[], Transaction)} needs the transaction (the model names its features). */
    public boolean needsTransaction() {
        return inputs.needsTransaction();
    }

    /** The names of {@link #select}'s values (shared: do not modify). */
    public String[] featureNames() {
        return featureNames;
    }

    /** The feature set the model's manifest declares. */
    public String featureSchema() {
        return manifest.featureSchemaId();
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public Scorer scorer() {
        return scorer;
    }

    public String name() {
        return manifest.name();
    }

    public String version() {
        return manifest.version();
    }

    /** Scores at or above it decline. */
    public double threshold() {
        return manifest.threshold();
    }

    /** Scores at or above it and below {@link #threshold()} go to review; equal to it when the model has no review band. */
    public double reviewThreshold() {
        return manifest.reviewEdge();
    }

    /** Its decision for a score: {@link Decision#DECLINE}, {@link Decision#REVIEW} or {@link Decision#APPROVE}. */
    public Decision decide(double score) {
        return Decision.of(score, manifest.reviewEdge(), manifest.threshold());
    }

    /**
     * Exact feature contributions for this model's scores (TreeSHAP), created when the model loads; null when its scorer
     * cannot explain (xgboost4j's native scorer, PMML, a model file without node covers). Not thread-safe, like the
     * scorer.
     */
    public TreeShap explainer() {
        if (!explainerTried) {
            explainerTried = true;
            if (scorer instanceof JavaXgboostScorer j && j.explainable()) {
                explainer = new TreeShap(j);
            }
        }
        return explainer;
    }

    /** sha256 of the manifest bytes this model was loaded from. */
    public String manifestSha256() {
        return manifestSha256;
    }

    @Override
    public void close() {
        scorer.close();
    }
}
