package io.github.fraudflink.model;

import io.github.fraudflink.features.FeatureCatalog;
import io.github.fraudflink.features.ModelInputs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fetches a model artifact from a URI and verifies it before anything scores with it: manifest checksum (when
 * given), manifest fields, every file's sha256, that the job can feed every feature the model names (computed, or the
 * transaction's own: {@link ModelInputs}; the model is fed those, by name: {@link LoadedModel#select}), that the model file loads, and that it gives
 * the golden sample's expected scores. Any failure is a {@link ModelRejectedException}; nothing half-loaded
 * escapes.
 *
 * <p>Bounded: the artifact (manifest and files together) may hold at most {@code maxBytes}, and fetching and
 * verifying must finish within {@code timeout} ({@link ArtifactFetcher} has the rules per URI scheme); past either,
 * the model is rejected ({@code too_large}, {@code timeout}). The two halves can run apart: {@link #fetch} reads and
 * checks the bytes, {@link #build} makes the scorer from them (after a restore, from bytes kept in state).
 *
 * <p>URIs: {@code file:///dir/manifest.json} (or the directory), {@code classpath:models/x/manifest.json},
 * {@code http(s)://host/x/manifest.json}. The artifact's files are resolved next to the manifest. Thread-safe.
 */
public final class ModelLoader {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelLoader.class);
    /** Largest absolute difference allowed between a golden row's expected and actual score. */
    public static final double GOLDEN_TOLERANCE = 1e-6;
    /** Default limit of an artifact's bytes (manifest and files together). */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    /** Default deadline of one load, from the first byte requested to the verified scorer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final List<String> computed;
    private final long maxBytes;
    private final Duration timeout;
    private final ArtifactFetcher fetcher = new ArtifactFetcher();

    /** A loader for the scoring job, which computes {@link FeatureCatalog#SERVED}, with the default limits. */
    public ModelLoader() {
        this(FeatureCatalog.SERVED.names());
    }

    /** A loader for a scorer fed vectors of {@code computed} (names, in vector order), with the default limits. */
    public ModelLoader(List<String> computed) {
        this(computed, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT);
    }

    /** A loader for the served features with these limits. */
    public ModelLoader(long maxBytes, Duration timeout) {
        this(FeatureCatalog.SERVED.names(), maxBytes, timeout);
    }

    public ModelLoader(List<String> computed, long maxBytes, Duration timeout) {
        if (maxBytes < 1 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the byte limit and the timeout of model loads must be positive, got "
                    + maxBytes + " and " + timeout);
        }
        this.computed = List.copyOf(computed);
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    /** Fetches, verifies and builds the model at {@code manifestUri}, within the limits. */
    public LoadedModel load(URI manifestUri, String expectedManifestSha256) throws ModelRejectedException {
        long deadline = deadline();
        return build(fetch(manifestUri, expectedManifestSha256, deadline), deadline);
    }

    /** A deadline {@code timeout} from now, on the {@link System#nanoTime()} clock. */
    public long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    /**
     * Reads the manifest at {@code manifestUri} and every file it lists, checking the manifest's sha256 (when
     * given), its fields and each file's sha256, within the byte limit and before {@code deadlineNanos}.
     */
    public ModelArtifact fetch(URI manifestUri, String expectedManifestSha256, long deadlineNanos) throws ModelRejectedException {
        URI uri = normalize(manifestUri);
        byte[] manifestBytes = fetcher.fetch(uri, maxBytes, deadlineNanos);
        String sha = Sha256.of(manifestBytes);
        if (expectedManifestSha256 != null && !expectedManifestSha256.isBlank()
                && !expectedManifestSha256.equalsIgnoreCase(sha)) {
            throw new ModelRejectedException(ModelRejectedException.Reason.MANIFEST_CHECKSUM_MISMATCH, "manifest " + uri
                    + " has sha256 " + sha + " but " + expectedManifestSha256 + " was expected: the file changed after it"
                    + " was published; publish it again");
        }
        ModelManifest m = manifest(uri, manifestBytes);
        Map<String, byte[]> files = new HashMap<>();
        long total = manifestBytes.length;
        for (Map.Entry<String, String> f : m.files().entrySet()) {
            URI fileUri = sibling(uri, f.getKey());
            byte[] bytes;
            try {
                bytes = fetcher.fetch(fileUri, Math.max(0, maxBytes - total), deadlineNanos);
            } catch (ModelRejectedException e) {
                if (e.reason() != ModelRejectedException.Reason.TOO_LARGE) {
                    throw e;
                }
                throw new ModelRejectedException(ModelRejectedException.Reason.TOO_LARGE, fileUri + " does not fit: the"
                        + " artifact (manifest and files together) may hold " + maxBytes + " bytes and " + total
                        + " are taken before it; raise fraud.model.max-bytes or make the model smaller", e);
            }
            total += bytes.length;
            String actual = Sha256.of(bytes);
            if (!actual.equalsIgnoreCase(f.getValue())) {
                throw new ModelRejectedException(ModelRejectedException.Reason.FILE_CHECKSUM_MISMATCH, f.getKey() + " of "
                        + m.name() + " " + m.version() + " has sha256 " + actual + " but the manifest says " + f.getValue()
                        + ": the artifact is damaged or was changed; copy it again from the trainer's output");
            }
            files.put(f.getKey(), bytes);
        }
        return new ModelArtifact(uri, manifestBytes, files);
    }

    /** {@link #build(ModelArtifact, long)} with a deadline {@code timeout} from now. */
    public LoadedModel build(ModelArtifact artifact) throws ModelRejectedException {
        return build(artifact, deadline());
    }

    /**
     * The verified scorer of fetched bytes: the feature schema, the model file, the golden sample, before
     * {@code deadlineNanos} (checked between the steps and the golden rows).
     */
    public LoadedModel build(ModelArtifact artifact, long deadlineNanos) throws ModelRejectedException {
        URI uri = artifact.manifestUri();
        ModelManifest m = manifest(uri, artifact.manifest());
        for (Map.Entry<String, String> f : m.files().entrySet()) { // bytes kept in state are checked again too
            byte[] bytes = artifact.files().get(f.getKey());
            if (bytes == null || !Sha256.of(bytes).equalsIgnoreCase(f.getValue())) {
                throw new ModelRejectedException(ModelRejectedException.Reason.FILE_CHECKSUM_MISMATCH, f.getKey() + " of "
                        + m.name() + " " + m.version() + " is missing or does not match its sha256");
            }
        }
        ModelInputs inputs;
        try {
            inputs = ModelInputs.of(computed, m.featureSchemaId(), m.featureNames());
        } catch (IllegalArgumentException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.SCHEMA_MISMATCH, e.getMessage());
        }
        ArtifactFetcher.checkDeadline(deadlineNanos, "verifying " + uri);
        Scorer scorer;
        try {
            byte[] model = artifact.files().get(m.modelFile());
            scorer = ModelManifest.FORMAT_PMML.equals(m.format())
                    ? PmmlScorer.load(model, m.featureNames())
                    : xgboost(model, m.format(), m.featureNames().size());
        } catch (IOException | RuntimeException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.CORRUPT_MODEL,
                    m.modelFile() + " of " + m.name() + " " + m.version() + " does not load: " + e.getMessage(), e);
        }
        try {
            ArtifactFetcher.checkDeadline(deadlineNanos, "building the scorer of " + uri);
            checkGoldenSample(m, scorer, deadlineNanos);
        } catch (ModelRejectedException | RuntimeException e) {
            scorer.close();
            if (e instanceof ModelRejectedException r) {
                throw r;
            }
            throw new ModelRejectedException(ModelRejectedException.Reason.CORRUPT_MODEL,
                    "scoring the golden sample failed: " + e.getMessage(), e);
        }
        LoadedModel loaded = new LoadedModel(m, scorer, Sha256.of(artifact.manifest()), inputs);
        loaded.explainer(); // its tables are built here, beside the scorer, not at its first decline
        return loaded;
    }

    private static ModelManifest manifest(URI uri, byte[] bytes) throws ModelRejectedException {
        ModelManifest m;
        try {
            m = ModelManifest.read(bytes);
        } catch (IOException e) {
            throw new ModelRejectedException(ModelRejectedException.Reason.MANIFEST_INVALID,
                    uri + " is not a valid manifest: " + e.getMessage(), e);
        }
        checkFields(uri, m);
        return m;
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
        if (m.reviewThreshold() != null && !(m.reviewThreshold() > 0 && m.reviewThreshold() <= m.threshold())) {
            throw invalid(uri, "review_threshold must be in (0, threshold = " + m.threshold() + "], got " + m.reviewThreshold());
        }
        if (m.goldenSample() == null || m.goldenSample().isEmpty()) {
            throw invalid(uri, "golden_sample is empty: every model must carry rows with their expected scores");
        }
    }

    private static ModelRejectedException invalid(URI uri, String what) {
        return new ModelRejectedException(ModelRejectedException.Reason.MANIFEST_INVALID, uri + ": " + what);
    }

    private static void checkGoldenSample(ModelManifest m, Scorer scorer, long deadlineNanos) throws ModelRejectedException {
        List<ModelManifest.GoldenRow> rows = m.goldenSample();
        for (int i = 0; i < rows.size(); i++) {
            if ((i & 63) == 63) {
                ArtifactFetcher.checkDeadline(deadlineNanos, "scoring the golden sample of " + m.name() + " " + m.version());
            }
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
}
