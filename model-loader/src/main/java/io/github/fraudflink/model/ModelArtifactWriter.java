package io.github.fraudflink.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Writes a model version directory: its files and a {@code manifest.json} carrying their sha256. Deterministic. */
public final class ModelArtifactWriter {
    private ModelArtifactWriter() {}

    /**
     * Writes {@code files} into {@code dir} and the manifest ({@code draft} with its {@code files} checksums filled
     * in) as {@code manifest.json}; returns that manifest.
     */
    public static ModelManifest write(Path dir, ModelManifest draft, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(dir);
        TreeMap<String, String> sums = new TreeMap<>();
        for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
            if (f.getKey().contains("/") || f.getKey().equals(ModelManifest.FILE_NAME)) {
                throw new IllegalArgumentException("artifact file names are plain names other than manifest.json: " + f.getKey());
            }
            Files.write(dir.resolve(f.getKey()), f.getValue());
            sums.put(f.getKey(), Sha256.of(f.getValue()));
        }
        ModelManifest m = draft.withFiles(sums);
        m.write(dir.resolve(ModelManifest.FILE_NAME));
        return m;
    }
}
