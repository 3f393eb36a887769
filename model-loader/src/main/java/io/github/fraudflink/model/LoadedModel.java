package io.github.fraudflink.model;

/** A verified model ready to score: its manifest and its scorer. Owned by one operator instance. */
public final class LoadedModel implements AutoCloseable {
    private final ModelManifest manifest;
    private final Scorer scorer;
    private final String manifestSha256;

    LoadedModel(ModelManifest manifest, Scorer scorer, String manifestSha256) {
        this.manifest = manifest;
        this.scorer = scorer;
        this.manifestSha256 = manifestSha256;
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

    public double threshold() {
        return manifest.threshold();
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
