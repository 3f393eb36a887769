package io.github.fraudflink.job;

/**
 * An input record the job could not score, kept whole: the original key and value bytes, where it came
 * from, and a reason code plus message. Written to the dead-letter topic with the reason in headers.
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

    public DeadLetter() {}
}
