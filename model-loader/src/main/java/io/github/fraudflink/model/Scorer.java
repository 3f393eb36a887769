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

    /** The artifact format it reads: one of {@link ModelManifest#FORMATS}. */
    String format();

    @Override
    void close();
}
