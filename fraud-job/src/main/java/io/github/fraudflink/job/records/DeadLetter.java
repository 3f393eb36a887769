package io.github.fraudflink.job.records;

/**
 * An input record the job could not score: the original key and value bytes (cut to a bound, so the dead letter
 * always fits the producer's limits), the original value's size and sha256, where it came from, and a reason code
 * plus message. Written to the dead-letter topic with the rest in headers.
 */
public class DeadLetter {
    public String reason;
    public String message;
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;
    /** Size of the original value in bytes (-1 for a null value). */
    public int valueBytes;
    /** Hex sha256 of the original value (empty for a null value). */
    public String valueSha256;
    /** Whether {@link #key} or {@link #value} were cut. */
    public boolean truncated;

    public DeadLetter() {}
}
