package io.github.fraudflink.model;

/** A model artifact that must not serve: why (a {@link Reason}), and a message with the cause and the fix. */
public final class ModelRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a model was refused; stable codes for metrics and status events. */
    public enum Reason {
        UNREACHABLE,
        /** The artifact (a file, or all of them together) is over the byte limit. */
        TOO_LARGE,
        /** Fetching and verifying did not finish within the load deadline. */
        TIMEOUT,
        MANIFEST_INVALID,
        MANIFEST_CHECKSUM_MISMATCH,
        FILE_CHECKSUM_MISMATCH,
        SCHEMA_MISMATCH,
        CORRUPT_MODEL,
        GOLDEN_SAMPLE_MISMATCH,
        INVALID_SCORE;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    public ModelRejectedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ModelRejectedException(Reason reason, String message, Throwable cause) {
        super(reason.code() + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
