package io.github.fraudflink.model;

import io.github.fraudflink.features.FeatureCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fetches a model artifact from a URI and verifies it before anything scores with it: manifest checksum (when
 * given), manifest fields, every file's sha256, that the job computes every feature the model names (the model is
 * fed those, by name: {@link LoadedModel#select}), that the model file loads, and that it gives
 * the golden sample's expected scores. Any failure is a {@link ModelRejectedException}; nothing half-loaded
 * escapes.
 *
 * <p>URIs: {@code file:///dir/manifest.json} (or the directory), {@code classpath:models/x/manifest.json},
 * {@code http(s)://host/x/manifest.json}. The artifact's files are resolved next to the manifest.
 */
public final class ModelLoader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelLoader.class);
    /** Largest absolute difference allowed between a golden row's expected and actual score. */
    public static final double GOLDEN_TOLERANCE = 1e-6;
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(20);

    private final List<String> computed;
    private HttpClient http;

    /** A loader for the scoring job, which computes {@link FeatureCatalog#SERVED}. */
    public ModelLoader() {
        this(FeatureCatalog.SERVED.names());
    }

    /** A loader for a scorer fed vectors of {@code computed} (names, in vector order). */
    public ModelLoader(List<String> computed) {
        this.computed = List.copyOf(computed);
    }

    public LoadedModel load(URI manifestUri, String expectedManifestSha256) throws ModelRejectedException {
        URI uri = normalize(manifestUri);
        byte[] manifestBytes = fetch(uri);
        String sha = Sha256.of(manifestBytes);
        if (expectedManifestSha256 != null && !expectedManifestSha256.isBlank()
                && !expectedManifestSha256.equalsIgnoreCase(sha)) {
            throw new ModelRejectedException(ModelRejectedException.Reason.MANIFEST_CHECKSUM_MISMATCH, "manifest " + uri
                    + " has sha256 " + sha + " but " + expectedManifestSha256 + " was expected: the file changed after it"
                    + " was published; publish it again");
        }
        ModelManifest m;
        try {
            m = ModelManifest.read(manifestBytes);
        } catch (IOException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.MANIFEST_INVALID,
                    uri + " is not a valid manifest: " + e.getMessage(), e);
        }
        checkFields(uri, m);

        Map<String, byte[]> files = new HashMap<>();
        for (Map.Entry<String, String> f : m.files().entrySet()) {
            byte[] bytes = fetch(sibling(uri, f.getKey()));
            String actual = Sha256.of(bytes);
            if (!actual.equalsIgnoreCase(f.getValue())) {
                throw new ModelRejectedException(ModelRejectedException.Reason.FILE_CHECKSUM_MISMATCH, f.getKey() + " of "
                        + m.name() + " " + m.version() + " has sha256 " + actual + " but the manifest says " + f.getValue()
                        + ": the artifact is damaged or was changed; copy it again from the trainer's output");
            }
            files.put(f.getKey(), bytes);
        }
        int[] featureIndex;
        try {
            featureIndex = FeatureCatalog.indexOf(computed, m.featureSchemaId(), m.featureNames());
        } catch (IllegalArgumentException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.SCHEMA_MISMATCH, e.getMessage());
        }

        Scorer scorer;
        try {
            byte[] model = files.get(m.modelFile());
            scorer = ModelManifest.FORMAT_PMML.equals(m.format())
                    ? PmmlScorer.load(model, m.featureNames())
                    : xgboost(model, m.format(), m.featureNames().size());
        } catch (IOException | RuntimeException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.CORRUPT_MODEL,
                    m.modelFile() + " of " + m.name() + " " + m.version() + " does not load: " + e.getMessage(), e);
        }
        try {
            checkGoldenSample(m, scorer);
        } catch (ModelRejectedException | RuntimeException e) {
            scorer.close();
            if (e instanceof ModelRejectedException r) {
                throw r;
            }
            throw new ModelRejectedException(ModelRejectedException.Reason.CORRUPT_MODEL,
                    "scoring the golden sample failed: " + e.getMessage(), e);
        }
        return new LoadedModel(m, scorer, sha, featureIndex);
    }

    /**
     * An XGBoost model: evaluated in Java ({@link JavaXgboostScorer}, the same scores as xgboost4j bit for bit, about
     * 0.6 µs a row against 77 µs a native call) when it is a JSON model of a kind it reads, else by xgboost4j.
     */
    static Scorer xgboost(byte[] model, String format, int features) throws IOException {
        if (ModelManifest.FORMAT_XGBOOST_JSON.equals(format)) {
            try {
                return JavaXgboostScorer.load(model, features);
            } catch (IOException unsupported) {
                LOG.info("scoring with xgboost4j: {}", unsupported.getMessage());
            }
        }
        return XgboostScorer.load(model, format, features);
    }

    private static void checkFields(URI uri, ModelManifest m) throws ModelRejectedException {
        String missing = m.name() == null ? "name" : m.version() == null ? "version" : m.format() == null ? "format"
                : m.modelFile() == null ? "model_file" : m.featureNames() == null ? "feature_names"
                : m.files() == null ? "files" : null;
        if (missing != null) {
            throw invalid(uri, "field '" + missing + "' is missing");
        }
        if (!ModelManifest.FORMATS.contains(m.format())) {
            throw invalid(uri, "format '" + m.format() + "' is not one of " + ModelManifest.FORMATS);
        }
        if (!m.files().containsKey(m.modelFile())) {
            throw invalid(uri, "model_file '" + m.modelFile() + "' has no sha256 in 'files'");
        }
        if (!(m.threshold() > 0 && m.threshold() < 1)) {
            throw invalid(uri, "threshold must be in (0, 1), got " + m.threshold());
        }
        if (m.goldenSample() == null || m.goldenSample().isEmpty()) {
            throw invalid(uri, "golden_sample is empty: every model must carry rows with their expected scores");
        }
    }

    private static ModelRejectedException invalid(URI uri, String what) {
        return new ModelRejectedException(ModelRejectedException.Reason.MANIFEST_INVALID, uri + ": " + what);
    }

    private static void checkGoldenSample(ModelManifest m, Scorer scorer) throws ModelRejectedException {
        List<ModelManifest.GoldenRow> rows = m.goldenSample();
        for (int i = 0; i < rows.size(); i++) {
            ModelManifest.GoldenRow r = rows.get(i);
            if (r.features() == null || r.features().length != m.featureNames().size()) {
                throw new ModelRejectedException(ModelRejectedException.Reason.MANIFEST_INVALID,
                        "golden row " + i + " does not have " + m.featureNames().size() + " features");
            }
            double s = scorer.score(r.features());
            if (!(s >= 0 && s <= 1)) {
                throw new ModelRejectedException(ModelRejectedException.Reason.INVALID_SCORE, m.name() + " " + m.version()
                        + " scored golden row " + i + " as " + s + ", not a probability in [0, 1]");
            }
            if (Math.abs(s - r.expectedScore()) > GOLDEN_TOLERANCE) {
                throw new ModelRejectedException(ModelRejectedException.Reason.GOLDEN_SAMPLE_MISMATCH, m.name() + " "
                        + m.version() + " scored golden row " + i + " as " + s + " but the trainer recorded "
                        + r.expectedScore() + ": the model file is not the one that was evaluated");
            }
        }
    }

    private static URI normalize(URI uri) {
        if ("file".equals(uri.getScheme())) {
            Path p = Path.of(uri);
            if (Files.isDirectory(p)) {
                return p.resolve(ModelManifest.FILE_NAME).toUri();
            }
        }
        return uri;
    }

    static URI sibling(URI manifest, String fileName) {
        if ("classpath".equals(manifest.getScheme())) {
            String path = manifest.getSchemeSpecificPart();
            int slash = path.lastIndexOf('/');
            return URI.create("classpath:" + (slash < 0 ? "" : path.substring(0, slash + 1)) + fileName);
        }
        return manifest.resolve(fileName);
    }

    private byte[] fetch(URI uri) throws ModelRejectedException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        try {
            switch (scheme) {
                case "file":
                    return Files.readAllBytes(Path.of(uri));
                case "classpath":
                    return classpath(uri.getSchemeSpecificPart());
                case "http":
                case "https":
                    return http(uri);
                default:
                    throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE,
                            "unsupported URI scheme in " + uri + ": use file://, http(s):// or classpath:");
            }
        } catch (NoSuchFileException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE, uri + " does not exist", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE,
                    "cannot read " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelRejectedException(ModelRejectedException.Reason.UNREACHABLE, "interrupted while reading " + uri, e);
        }
    }

    private static byte[] classpath(String path) throws IOException {
        String p = path.startsWith("/") ? path.substring(1) : path;
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        InputStream in = context == null ? null : context.getResourceAsStream(p);
        if (in == null) {
            in = ModelLoader.class.getClassLoader().getResourceAsStream(p);
        }
        if (in == null) {
            throw new NoSuchFileException("classpath:" + p);
        }
        try (InputStream s = in) {
            return s.readAllBytes();
        }
    }

    private byte[] http(URI uri) throws IOException, InterruptedException {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
        }
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode());
        }
        return r.body();
    }
}
