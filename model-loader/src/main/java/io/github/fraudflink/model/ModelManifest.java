package io.github.fraudflink.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * {@code manifest.json}: everything that identifies and vouches for one model version (the one contract
 * between the trainer, the model-control events and the job). Immutable; JSON fields in snake_case, written in
 * a fixed order so the same model gives the same bytes.
 *
 * @param name model name, e.g. {@code handbook-xgb}
 * @param version model version, e.g. {@code 2026-11-23.1}
 * @param format {@code xgboost-json}, {@code xgboost-ubj} or {@code pmml}
 * @param modelFile the model file's name, relative to the manifest
 * @param featureSchemaId the feature schema the model was trained on
 * @param featureNames ordered input features
 * @param threshold decision threshold: {@code score >= threshold} declines
 * @param files sha256 (lowercase hex) of every file of the artifact, by file name
 * @param trainingDataFingerprint identifies the training data (sha256 of the input file and protocol)
 * @param metrics evaluation metrics on the held-out test period (auprc, roc_auc, precision_at_threshold, ...)
 * @param goldenSample feature rows with the scores this model must give them
 * @param referenceDistributions histograms of each feature and of the score on the training data, for drift
 * @param training how it was trained (protocol, parameters, data sizes)
 * @param reviewThreshold the review band's lower edge: {@code reviewThreshold <= score < threshold} goes to an
 *     analyst; absent (older manifests): no review band, every score below {@code threshold} approves
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "version", "format", "model_file", "feature_schema_id", "feature_names", "threshold", "review_threshold",
    "files",
    "training_data_fingerprint", "created_at", "created_by", "metrics", "training", "golden_sample", "reference_distributions"})
public record ModelManifest(
        String name,
        String version,
        String format,
        String modelFile,
        String featureSchemaId,
        List<String> featureNames,
        double threshold,
        SortedMap<String, String> files,
        String trainingDataFingerprint,
        String createdAt,
        String createdBy,
        SortedMap<String, Double> metrics,
        SortedMap<String, String> training,
        List<GoldenRow> goldenSample,
        SortedMap<String, Histogram> referenceDistributions,
        Double reviewThreshold) {

    /** A manifest without a review band (the fields of manifests before decision bands). */
    public ModelManifest(String name, String version, String format, String modelFile, String featureSchemaId,
            List<String> featureNames, double threshold, SortedMap<String, String> files, String trainingDataFingerprint,
            String createdAt, String createdBy, SortedMap<String, Double> metrics, SortedMap<String, String> training,
            List<GoldenRow> goldenSample, SortedMap<String, Histogram> referenceDistributions) {
        this(name, version, format, modelFile, featureSchemaId, featureNames, threshold, files, trainingDataFingerprint,
                createdAt, createdBy, metrics, training, goldenSample, referenceDistributions, null);
    }

    public static final String FORMAT_XGBOOST_JSON = "xgboost-json";
    public static final String FORMAT_XGBOOST_UBJ = "xgboost-ubj";
    public static final String FORMAT_PMML = "pmml";
    public static final List<String> FORMATS = List.of(FORMAT_XGBOOST_JSON, FORMAT_XGBOOST_UBJ, FORMAT_PMML);
    public static final String FILE_NAME = "manifest.json";

    /** A feature row and the score the model must give it (checked at every load). Equal by array contents. */
    public record GoldenRow(double[] features, double expectedScore) {
        @Override
        public boolean equals(Object o) {
            return o instanceof GoldenRow g && Arrays.equals(features, g.features)
                    && Double.compare(expectedScore, g.expectedScore) == 0;
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(features) + Double.hashCode(expectedScore);
        }

        @Override
        public String toString() {
            return "GoldenRow" + Arrays.toString(features) + " -> " + expectedScore;
        }
    }

    /** Bin edges (n + 1) and counts (n). Equal by array contents. */
    public record Histogram(double[] edges, long[] counts) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Histogram h && Arrays.equals(edges, h.edges) && Arrays.equals(counts, h.counts);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(edges) + Arrays.hashCode(counts);
        }

        @Override
        public String toString() {
            return "Histogram" + Arrays.toString(edges) + Arrays.toString(counts);
        }
    }

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public static ModelManifest read(byte[] json) throws IOException {
        return MAPPER.readValue(json, ModelManifest.class);
    }

    public static ModelManifest read(InputStream in) throws IOException {
        return read(in.readAllBytes());
    }

    public static ModelManifest read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    public byte[] toJson() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path file) throws IOException {
        Files.write(file, toJson());
    }

    /** A copy with other file checksums. */
    public ModelManifest withFiles(SortedMap<String, String> newFiles) {
        return new ModelManifest(name, version, format, modelFile, featureSchemaId, featureNames, threshold, newFiles,
                trainingDataFingerprint, createdAt, createdBy, metrics, training, goldenSample, referenceDistributions,
                reviewThreshold);
    }

    /** A copy with another golden sample. */
    public ModelManifest withGoldenSample(List<GoldenRow> rows) {
        return new ModelManifest(name, version, format, modelFile, featureSchemaId, featureNames, threshold, files,
                trainingDataFingerprint, createdAt, createdBy, metrics, training, rows, referenceDistributions, reviewThreshold);
    }

    /** A copy with another review threshold (null: no review band). */
    public ModelManifest withReviewThreshold(Double review) {
        return new ModelManifest(name, version, format, modelFile, featureSchemaId, featureNames, threshold, files,
                trainingDataFingerprint, createdAt, createdBy, metrics, training, goldenSample, referenceDistributions, review);
    }

    /** The review band's lower edge: {@link #reviewThreshold()}, or {@link #threshold()} when there is no band. */
    public double reviewEdge() {
        return reviewThreshold == null ? threshold : reviewThreshold;
    }

    /** Metric by name, or NaN. */
    public double metric(String key) {
        return metrics == null ? Double.NaN : metrics.getOrDefault(key, Double.NaN);
    }

    Map<String, String> filesOrEmpty() {
        return files == null ? Map.of() : files;
    }
}
