package io.github.fraudflink.model;

/**
 * The three decision bands of a score under a model's two thresholds: {@code decline} at or above the decline
 * threshold, {@code review} (an analyst decides) at or above the review threshold, else {@code approve}. A model
 * without a review band has both thresholds equal, and never reviews.
 */
public enum Decision {
    APPROVE("approve"),
    REVIEW("review"),
    DECLINE("decline");

    private final String code;

    Decision(String code) {
        this.code = code;
    }

    /** The lower-case name written in the job's outputs. */
    public String code() {
        return code;
    }

    public static Decision of(double score, double reviewThreshold, double declineThreshold) {
        return score >= declineThreshold ? DECLINE : score >= reviewThreshold ? REVIEW : APPROVE;
    }

    /** The band of a code written by {@link #code()}. */
    public static Decision ofCode(String code) {
        for (Decision d : values()) {
            if (d.code.equals(code)) {
                return d;
            }
        }
        throw new IllegalArgumentException("not a decision: '" + code + "' (approve, review or decline)");
    }
}
