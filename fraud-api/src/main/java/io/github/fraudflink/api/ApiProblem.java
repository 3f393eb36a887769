package io.github.fraudflink.api;

/**
 * A request the API refuses, with the HTTP status, a machine-readable {@code reason} (for a rejected transaction or
 * label: the job's own reject reason, e.g. {@code invalid_amount}) and a message saying what to change.
 */
public final class ApiProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String reason;

    public ApiProblem(int status, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
