package io.github.fraudflink.cli.drift;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.model.ModelManifest;
import io.github.fraudflink.model.drift.DriftWindow;
import io.github.fraudflink.model.drift.Psi;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The histograms of one model's served values over a window, on the bins of its manifest's reference distributions:
 * the columns of the scoring job's {@link DriftWindow}, taken from it (the model's features, in its order, that have a
 * usable reference histogram, but the calendar ones, then {@code score}), each value binned with {@link Psi#bin}, so
 * the PSI here is the one the job's {@code fraud_drift_psi} gauge would give for the same rows. Fixed memory: columns
 * x bins counts, whatever the number of rows. Not thread-safe.
 */
final class DriftTally {
    private static final JsonFactory JSON = new JsonFactory();

    private final ModelManifest manifest;
    private final String[] columns;
    private final double[][] edges;
    private final long[][] reference;
    private final long[][] counts;
    private final long[] below;
    private final long[] above;
    private final long[] present;
    private final Map<String, Integer> featureColumn = new HashMap<>();
    private final int scoreColumn;
    private final List<String> calendar;
    private final List<String> noReference;
    private long rows;

    private DriftTally(ModelManifest manifest, List<String> names, List<ModelManifest.Histogram> hists, int scoreColumn,
            List<String> calendar, List<String> noReference) {
        this.manifest = manifest;
        this.columns = names.toArray(new String[0]);
        int n = columns.length;
        this.edges = new double[n][];
        this.reference = new long[n][];
        this.counts = new long[n][];
        for (int c = 0; c < n; c++) {
            edges[c] = hists.get(c).edges().clone();
            reference[c] = hists.get(c).counts().clone();
            counts[c] = new long[reference[c].length];
            if (c != scoreColumn) {
                featureColumn.put(columns[c], c);
            }
        }
        this.below = new long[n];
        this.above = new long[n];
        this.present = new long[n];
        this.scoreColumn = scoreColumn;
        this.calendar = List.copyOf(calendar);
        this.noReference = List.copyOf(noReference);
    }

    /**
     * The tally of a model: the columns the scoring job watches for it ({@link DriftWindow#columns()}).
     *
     * @throws IllegalArgumentException the manifest has no usable reference distribution (older artifacts)
     */
    static DriftTally of(ModelManifest m, String manifestUri) {
        Map<String, ModelManifest.Histogram> refs = m.referenceDistributions();
        if (refs == null || refs.isEmpty()) {
            throw new IllegalArgumentException(m.name() + " " + m.version() + "'s manifest (" + manifestUri + ") has no"
                    + " reference distributions (field reference_distributions): the model was trained before they were"
                    + " recorded, so there is nothing to compare the window with; retrain it (./fraud train or ./fraud"
                    + " retrain record them) and report on that version, or give --manifest of a model that has them");
        }
        // the job's own choice of columns: a window of one slice only to ask it
        DriftWindow job = DriftWindow.of(m, Duration.ofDays(1), 1, 1);
        if (job == null) {
            throw new IllegalArgumentException(m.name() + " " + m.version() + "'s manifest (" + manifestUri + ") has no"
                    + " usable reference distribution (each needs rising edges and one count per bin, some of them"
                    + " positive) of a feature the job watches or of the score: nothing to compare the window with;"
                    + " retrain the model to record them");
        }
        List<String> names = List.of(job.columns());
        List<ModelManifest.Histogram> hists = new ArrayList<>();
        int score = -1;
        for (int c = 0; c < names.size(); c++) {
            hists.add(refs.get(names.get(c)));
            if (c == names.size() - 1 && names.get(c).equals(DriftWindow.SCORE)
                    && !m.featureNames().contains(DriftWindow.SCORE)) {
                score = c;
            }
        }
        List<String> calendar = new ArrayList<>();
        List<String> without = new ArrayList<>();
        for (String f : m.featureNames()) {
            if (!names.contains(f)) {
                (FeatureSchema.CALENDAR.contains(f) ? calendar : without).add(f);
            }
        }
        return new DriftTally(m, names, hists, score, calendar, without);
    }

    /**
     * Counts one served row: its features as stored in {@code scored_transactions.features} (a JSON object by name;
     * names the model does not use are skipped, a null value is not counted) and its score.
     */
    void add(String featuresJson, double score) throws IOException {
        rows++;
        if (featuresJson != null && !featureColumn.isEmpty()) {
            try (JsonParser p = JSON.createParser(featuresJson)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("features are not a JSON object: " + abbreviate(featuresJson));
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    Integer c = featureColumn.get(p.currentName());
                    JsonToken v = p.nextToken();
                    if (c != null && (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT)) {
                        count(c, p.getDoubleValue());
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }
        if (scoreColumn >= 0) {
            count(scoreColumn, score);
        }
    }

    private void count(int c, double x) {
        if (x != x) { // NaN: not counted, as in the job
            return;
        }
        double[] e = edges[c];
        if (x < e[0]) {
            below[c]++;
        } else if (x >= e[e.length - 1]) {
            above[c]++;
        }
        counts[c][Psi.bin(e, x)]++;
        present[c]++;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Rows counted. */
    long rows() {
        return rows;
    }

    ModelManifest manifest() {
        return manifest;
    }

    /** The model's calendar features: the job does not watch them (a window shorter than a week sees part of a cycle). */
    List<String> calendar() {
        return calendar;
    }

    /** The model's other features without a usable reference histogram (not compared). */
    List<String> noReference() {
        return noReference;
    }

    /** Each column as it stands: its bins, the reference and current counts, and the PSI ({@link Psi#of}). */
    List<DriftResult.Column> columns() {
        List<DriftResult.Column> out = new ArrayList<>(columns.length);
        for (int c = 0; c < columns.length; c++) {
            out.add(new DriftResult.Column(columns[c], c == scoreColumn, edges[c].clone(), reference[c].clone(),
                    counts[c].clone(), below[c], above[c], rows - present[c],
                    present[c] == 0 ? Double.NaN : Psi.of(reference[c], counts[c])));
        }
        return out;
    }
}
