package io.github.fraudflink.registry;

/**
 * Fault injection for the crash tests: with the system property {@value #PROPERTY} set to a point's name, the process
 * halts there at once (no shutdown hooks, no finally blocks: as kill -9 would), so a test can stop a real
 * {@code ./fraud} process between two steps that must both happen. Unset in normal use, where it does nothing.
 */
public final class Faults {
    public static final String PROPERTY = "fraud.registry.crash-at";
    /** After an alias change committed, before its control event is sent. */
    public static final String AFTER_COMMIT = "after-commit";
    /** After a control event was acknowledged by the broker, before the outbox marks it sent. */
    public static final String AFTER_SEND = "after-send";
    /** Exit status of a halted process. */
    public static final int HALT_STATUS = 137;

    private Faults() {}

    static void crashIf(String point) {
        if (point.equals(System.getProperty(PROPERTY))) {
            System.err.println("fault injection: halting at " + point);
            System.err.flush();
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
