package io.github.fraudflink.model;

import java.net.URI;
import java.util.Map;

/**
 * The verified bytes of a model artifact: its manifest and every file the manifest lists, each matching its sha256.
 * What {@link ModelLoader#fetch} reads and {@link ModelLoader#build} turns into a scorer; kept by the job so that a
 * restore builds the model again without the artifact store.
 *
 * @param manifestUri where the manifest was read (files are resolved next to it)
 * @param manifest the manifest's bytes
 * @param files the artifact's files by name, as listed in the manifest
 */
public record ModelArtifact(URI manifestUri, byte[] manifest, Map<String, byte[]> files) {
    public ModelArtifact {
        files = Map.copyOf(files);
    }

    /** Bytes of the manifest and all files together. */
    public long size() {
        long n = manifest.length;
        for (byte[] f : files.values()) {
            n += f.length;
        }
        return n;
    }
}
