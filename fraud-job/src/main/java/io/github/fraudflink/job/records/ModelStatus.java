package io.github.fraudflink.job.records;

/**
 * What one scoring instance did with a model-control event (or at start-up/restore): the model is now
 * {@code live} in a role, was {@code rejected} (and why), or was {@code retired}. Written to the
 * {@code model-control-status} topic; {@code ./fraud model status} reads it. A Flink POJO.
 */
public class ModelStatus {
    public static final String LIVE = "live";
    public static final String REJECTED = "rejected";
    public static final String RETIRED = "retired";

    /** Index of the parallel scoring instance, and how many there are. */
    public int instance;
    public int instances;
    public String status;
    public String role;
    public String model;
    public String version;
    public String manifestUri;
    /** Rejection reason code (e.g. {@code file_checksum_mismatch}) and message; null when live. */
    public String reason;
    public String message;
    /** What caused it: {@code control}, {@code startup} or {@code restore}. */
    public String cause;
    /** Wall-clock time of the swap or rejection (epoch ms), and how long loading took. */
    public long at;
    public long loadMillis;

    public ModelStatus() {}
}
