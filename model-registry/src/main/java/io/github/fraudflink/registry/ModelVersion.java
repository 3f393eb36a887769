package io.github.fraudflink.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One registered model version, as the registry holds it.
 *
 * @param alias {@code none}, {@code champion}, {@code shadow} or {@code archived}
 * @param evaluation what retraining measured (challenger and champion on the same later window, the gates), or null
 */
public record ModelVersion(String model, String version, String format, String manifestUri, String manifestSha256,
        Map<String, String> files, String featureSchema, List<String> featureNames, double threshold,
        TrainingData trainingData, Map<String, Double> offlineMetrics, JsonNode evaluation, String alias,
        String registeredBy, Instant registeredAt) {

    public static final String NONE = "none";
    public static final String CHAMPION = "champion";
    public static final String SHADOW = "shadow";
    public static final String ARCHIVED = "archived";

    @Override
    public String toString() {
        return model + " " + version + " (" + alias + ")";
    }
}
