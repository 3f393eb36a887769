package io.github.fraudflink.features;

/** An input event that cannot be scored, with the {@link RejectReason} and a message naming the field and the fix. */
public final class InvalidTransactionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public InvalidTransactionException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
