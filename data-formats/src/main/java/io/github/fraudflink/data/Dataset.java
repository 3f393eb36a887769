package io.github.fraudflink.data;

import java.util.List;

/**
 * Labelled transactions read from a file, in event-time order, and the rows that could not be read.
 *
 * @param rows the valid rows, sorted by event time (stable: file order within a timestamp)
 * @param badRows every rejected row with its 1-based line number and the reason
 * @param fingerprint sha256 of the file's bytes, recorded in model manifests
 */
public record Dataset(List<LabelledTransaction> rows, List<BadRow> badRows, String fingerprint) {

    /** A line that was not imported. */
    public record BadRow(long line, String reason) {
        @Override
        public String toString() {
            return "line " + line + ": " + reason;
        }
    }
}
