package io.github.fraudflink.registry;

import io.github.fraudflink.model.ModelArtifact;
import io.github.fraudflink.model.ModelManifest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The model store: a folder (local, or mounted on every TaskManager) holding each registered artifact as
 * {@code <root>/<model>/<version>/manifest.json} and its files, byte for byte as verified. A version's folder is written
 * once: storing the same bytes again is a no-op, other bytes are refused.
 */
public final class ArtifactStore {
    /** Model names and versions become folder names: letters, digits, dot, dash, underscore. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path root;

    public ArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** Writes the artifact's manifest and files under the model's and version's folder; returns the manifest's URI. */
    public URI put(ModelManifest m, ModelArtifact a) throws IOException {
        Path dir = root.resolve(name(m.name(), "model name")).resolve(name(m.version(), "model version"));
        Files.createDirectories(dir);
        write(dir.resolve(ModelManifest.FILE_NAME), a.manifest());
        for (Map.Entry<String, byte[]> f : a.files().entrySet()) {
            Path target = dir.resolve(f.getKey()).normalize();
            if (!target.startsWith(dir)) {
                throw new IllegalArgumentException("the manifest lists a file outside its folder: " + f.getKey());
            }
            Files.createDirectories(target.getParent());
            write(target, f.getValue());
        }
        return dir.resolve(ModelManifest.FILE_NAME).toUri();
    }

    private static String name(String s, String what) {
        if (s == null || !NAME.matcher(s).matches() || s.contains("..")) {
            throw new IllegalArgumentException("the " + what + " '" + s + "' cannot name a folder of the model store:"
                    + " use letters, digits, '.', '-' and '_' (up to 128)");
        }
        return s;
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        if (Files.exists(target)) {
            if (!Arrays.equals(Files.readAllBytes(target), bytes)) {
                throw new IllegalArgumentException(target + " already holds other bytes: a stored version is immutable;"
                        + " register the model under a new version");
            }
            return;
        }
        Path tmp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
