package io.github.fraudflink.model;

/**
 * An embedded model: turns a feature vector (in {@code FeatureSchema} order) into a fraud probability.
 *
 * <p>An instance is used by one thread at a time (one Flink subtask owns one scorer); implementations may reuse
 * buffers between calls. {@link #close()} frees native memory.
 */
public interface Scorer extends AutoCloseable {

    /** Probability of fraud in [0, 1]. */
    double score(double[] features);

    /**
     * Scores {@code n} rows at once into {@code out}; implementations with a per-call overhead (xgboost4j's native
     * call) amortise it here. The default scores one row at a time.
     */
    default void scoreBatch(double[][] rows, int n, double[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = score(rows[i]);
        }
    }

    /**
     * Whether {@link #scoreBatch} is cheaper per row than {@link #score}, so callers should gather rows before scoring
     * (and let a row wait for its batch). False by default: a scorer without a per-call overhead scores each row at once.
     */
    default boolean prefersBatches() {
        return false;
    }

    /** The artifact format it reads: one of {@link ModelManifest#FORMATS}. */
    String format();

    @Override
    void close();
}
