package io.github.fraudflink.job.records;

import io.github.fraudflink.model.ModelArtifact;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The verified bytes of a live model in the scorer's broadcast state ({@code live-artifacts}, key: the role), so a
 * restore builds the model again from state, whether or not the artifact store is up. Gzipped: broadcast state is
 * written whole with every checkpoint, and model JSON and golden samples shrink several times. A Flink POJO.
 */
public class StoredArtifact {
    public String manifestUri;
    /** The manifest, gzipped. */
    public byte[] manifestGzip;
    /** The artifact's files by name, each gzipped. */
    public Map<String, byte[]> filesGzip;

    public StoredArtifact() {}

    public static StoredArtifact of(ModelArtifact a) {
        StoredArtifact s = new StoredArtifact();
        s.manifestUri = a.manifestUri().toString();
        s.manifestGzip = gzip(a.manifest());
        s.filesGzip = new HashMap<>();
        a.files().forEach((name, bytes) -> s.filesGzip.put(name, gzip(bytes)));
        return s;
    }

    /** The artifact as it was verified (the loader checks every file's sha256 again when it builds the model). */
    public ModelArtifact artifact() {
        Map<String, byte[]> files = new HashMap<>();
        filesGzip.forEach((name, bytes) -> files.put(name, gunzip(bytes)));
        return new ModelArtifact(URI.create(manifestUri), gunzip(manifestGzip), files);
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not happen
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] bytes) {
        try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return z.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("a model artifact kept in state does not unzip", e);
        }
    }
}
