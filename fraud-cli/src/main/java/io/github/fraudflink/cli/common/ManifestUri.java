package io.github.fraudflink.cli.common;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model manifest as a user names it on the command line: a path (absolute or relative), or a URI. */
public final class ManifestUri {
    private ManifestUri() {}

    /** {@code file://} of an existing or plain path; else the text as a URI ({@code classpath:}, {@code http(s)://}, ...). */
    public static URI of(String manifest) {
        return manifest.contains(":") && !Files.exists(Path.of(manifest)) ? URI.create(manifest)
                : Path.of(manifest).toAbsolutePath().normalize().toUri();
    }
}
