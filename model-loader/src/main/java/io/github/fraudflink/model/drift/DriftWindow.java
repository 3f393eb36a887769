package io.github.fraudflink.model.drift;

import io.github.fraudflink.features.FeatureSchema;
import io.github.fraudflink.model.ModelManifest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far a model's live inputs and score have drifted from what it was trained on: their histograms over a sliding
 * window of event time, on the bins of the manifest's reference distributions, and the {@link Psi} of each against
 * the reference.
 *
 * <p>The window is {@code slices} slices of event time; an event is counted in its slice, and the window ends at the
 * newest slice seen, so it slides by whole slices as event time advances (no timer). An event older than the window
 * is not counted ({@link #late()}). Memory is fixed: slices x columns x bins counts, whatever the rate.
 *
 * <p>The columns are the model's features that have a reference histogram, but the calendar ones
 * ({@link FeatureSchema#CALENDAR}: any window shorter than a week sees only part of their cycle), then {@code score}
 * when it has one. The PSI values are computed on the thread that adds, when the window slides and every
 * {@link #REFRESH_EVERY} events, and published for any thread to read ({@link #psi()}). A column is NaN until the
 * window has seen its whole length of event time (so a window started mid-day is not compared, with its part of a day,
 * to the training data's whole days) and holds {@code minEvents} events.
 * Not thread-safe otherwise: one instance per scoring instance and model.
 */
public final class DriftWindow {
    /** The name of the score's column. */
    public static final String SCORE = "score";
    /** Events between two computations of the published values (besides every slide of the window). */
    public static final int REFRESH_EVERY = 100;

    private final String[] columns;
    private final int[] rowIndex; // per column: the index in the model's row, or -1 for the score
    private final double[][] edges;
    private final long[][] reference;
    private final long sliceMillis;
    private final int slices;
    private final long minEvents;
    private final long[][][] counts; // [ring position][column][bin]
    private final long[] sliceOf; // per ring position: the slice number it holds, or Long.MIN_VALUE
    private final long[] sliceEvents; // per ring position: the events counted in it
    private final long[][] total; // [column][bin], over the window
    private long inWindow;
    private long newest = Long.MIN_VALUE;
    private long first = Long.MIN_VALUE; // the slice of the first event counted
    private long late;
    private int sinceRefresh;
    private volatile double[] published;
    private volatile long publishedEvents;

    private DriftWindow(String[] columns, int[] rowIndex, double[][] edges, long[][] reference, Duration window, int slices,
            long minEvents) {
        if (slices < 1 || window.toMillis() < slices) {
            throw new IllegalArgumentException("the drift window must be at least 1 ms per slice, got " + window + " in "
                    + slices + " slices");
        }
        this.columns = columns;
        this.rowIndex = rowIndex;
        this.edges = edges;
        this.reference = reference;
        this.sliceMillis = window.toMillis() / slices;
        this.slices = slices;
        this.minEvents = Math.max(1, minEvents);
        this.counts = new long[slices][columns.length][];
        for (long[][] s : counts) {
            for (int c = 0; c < columns.length; c++) {
                s[c] = new long[reference[c].length];
            }
        }
        this.sliceOf = new long[slices];
        this.sliceEvents = new long[slices];
        java.util.Arrays.fill(sliceOf, Long.MIN_VALUE);
        this.total = new long[columns.length][];
        for (int c = 0; c < columns.length; c++) {
            total[c] = new long[reference[c].length];
        }
        this.published = nan(columns.length);
    }

    /**
     * The window of a model: its features (named by {@code featureNames}, its row order) that have a usable reference
     * histogram in its manifest, and its score. Null when the manifest has none (older artifacts).
     */
    public static DriftWindow of(ModelManifest m, Duration window, int slices, long minEvents) {
        Map<String, ModelManifest.Histogram> refs = m.referenceDistributions();
        if (refs == null || refs.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        List<Integer> index = new ArrayList<>();
        List<ModelManifest.Histogram> hists = new ArrayList<>();
        List<String> features = m.featureNames();
        for (int j = 0; j < features.size(); j++) {
            ModelManifest.Histogram h = refs.get(features.get(j));
            if (usable(h) && !FeatureSchema.CALENDAR.contains(features.get(j))) {
                names.add(features.get(j));
                index.add(j);
                hists.add(h);
            }
        }
        if (usable(refs.get(SCORE))) {
            names.add(SCORE);
            index.add(-1);
            hists.add(refs.get(SCORE));
        }
        if (names.isEmpty()) {
            return null;
        }
        double[][] e = new double[names.size()][];
        long[][] r = new long[names.size()][];
        for (int c = 0; c < e.length; c++) {
            e[c] = hists.get(c).edges();
            r[c] = hists.get(c).counts();
        }
        return new DriftWindow(names.toArray(new String[0]), index.stream().mapToInt(Integer::intValue).toArray(), e, r,
                window, slices, minEvents);
    }

    /** Edges rising, one count per bin, some count. */
    private static boolean usable(ModelManifest.Histogram h) {
        if (h == null || h.edges() == null || h.counts() == null || h.edges().length < 2
                || h.counts().length != h.edges().length - 1) {
            return false;
        }
        for (int i = 1; i < h.edges().length; i++) {
            if (!(h.edges()[i] > h.edges()[i - 1])) {
                return false;
            }
        }
        long sum = 0;
        for (long c : h.counts()) {
            if (c < 0) {
                return false;
            }
            sum += c;
        }
        return sum > 0;
    }

    /** Counts one scored event: its event time, the model's row and its score. */
    public void add(long eventTime, double[] row, double score) {
        long slice = Math.floorDiv(eventTime, sliceMillis);
        if (slice > newest) {
            slide(slice);
        } else if (slice <= newest - slices) {
            late++;
            return;
        }
        if (first == Long.MIN_VALUE) {
            first = slice;
        }
        int pos = (int) Math.floorMod(slice, (long) slices);
        sliceOf[pos] = slice;
        long[][] here = counts[pos];
        boolean counted = false;
        for (int c = 0; c < columns.length; c++) {
            double x = rowIndex[c] < 0 ? score : row[rowIndex[c]];
            if (x == x) { // NaN (never given by the features stage) is not counted
                int b = Psi.bin(edges[c], x);
                here[c][b]++;
                total[c][b]++;
                counted = true;
            }
        }
        if (counted) {
            inWindow++;
            sliceEvents[pos]++;
        }
        if (++sinceRefresh >= REFRESH_EVERY) {
            refresh();
        }
    }

    /** The window now ends at {@code slice}: slices that fell out of it are taken off the totals. */
    private void slide(long slice) {
        newest = slice;
        boolean dropped = false;
        for (int pos = 0; pos < slices; pos++) {
            if (sliceOf[pos] != Long.MIN_VALUE && sliceOf[pos] <= slice - slices) {
                long[][] old = counts[pos];
                for (int c = 0; c < columns.length; c++) {
                    for (int b = 0; b < old[c].length; b++) {
                        total[c][b] -= old[c][b];
                        old[c][b] = 0;
                    }
                }
                inWindow -= sliceEvents[pos];
                sliceEvents[pos] = 0;
                sliceOf[pos] = Long.MIN_VALUE;
                dropped = true;
            }
        }
        if (dropped) {
            refresh();
        }
    }

    /** Computes the published values from the window now. */
    public void refresh() {
        sinceRefresh = 0;
        double[] p = new double[columns.length];
        for (int c = 0; c < columns.length; c++) {
            p[c] = covered() && inWindow >= minEvents ? Psi.of(reference[c], total[c]) : Double.NaN;
        }
        published = p;
        publishedEvents = inWindow;
    }

    /** Whether the window has seen its whole length: its newest slice is at least {@code slices - 1} after the first. */
    public boolean covered() {
        return first != Long.MIN_VALUE && newest - first >= slices - 1;
    }

    /** The PSI per column, as last computed (NaN: fewer than {@code minEvents} events); safe from any thread. */
    public double[] psi() {
        return published;
    }

    /** The events in the window when {@link #psi()} was computed; safe from any thread. */
    public long publishedEvents() {
        return publishedEvents;
    }

    /** The columns' names: feature names, and {@link #SCORE}. */
    public String[] columns() {
        return columns.clone();
    }

    /** Events in the window now. */
    public long events() {
        return inWindow;
    }

    /** Events not counted because they were older than the window. */
    public long late() {
        return late;
    }

    /** The live counts of a column over the window (tests, reports). */
    public long[] counts(int column) {
        return total[column].clone();
    }

    private static double[] nan(int n) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, Double.NaN);
        return d;
    }
}
