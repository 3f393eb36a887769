package io.github.fraudflink.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.github.fraudflink.model.ModelManifest;

/**
 * What a model version was trained on, as the registry records it: where the rows came from, their event-time range,
 * how many, the cut-off for labels (retraining counts only labels known by then) and a hash that identifies them.
 * Null fields are unknown (a manifest from an older trainer says less).
 *
 * @param source e.g. {@code served:jdbc:postgresql://.../fraud} or the training file
 * @param from first event time, ISO-8601 instant
 * @param to end of the range (exclusive), ISO-8601 instant
 * @param rows training rows
 * @param labelsKnownBy labels counted up to this instant
 * @param hash sha256 identifying the rows (and, for a manifest, its protocol)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"source", "from", "to", "rows", "labels_known_by", "hash"})
public record TrainingData(String source, String from, String to, Long rows,
        @JsonProperty("labels_known_by") String labelsKnownBy, String hash) {

    /** What a manifest tells of its training data: the row count and fingerprint the trainer wrote. */
    public static TrainingData of(ModelManifest m, String source) {
        String rows = m.training() == null ? null : m.training().get("train_rows");
        return new TrainingData(source, null, null, rows == null ? null : Long.valueOf(rows), null,
                m.trainingDataFingerprint());
    }
}
