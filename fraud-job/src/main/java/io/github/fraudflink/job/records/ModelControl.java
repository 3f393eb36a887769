package io.github.fraudflink.job.records;

/**
 * A model-control event: "make this model version the {@code role}". The value of a record of the compacted
 * {@code model-control} topic (key: the model name), and the value of the scorer's broadcast state (key: the
 * role). A Flink POJO. {@code error} is set, and the rest may be missing, when the record could not be read.
 *
 * <p>Roles: {@code champion} (decides), {@code shadow} (scored alongside, never decides), {@code retired} (the
 * model leaves whatever role it holds). The job has one champion and one shadow; a model version holds at most one
 * of the two: publishing the shadow's version as champion (promotion) moves it; publishing the previous champion
 * again is a rollback (a shadow of another version stays).
 */
public class ModelControl {
    public static final String CHAMPION = "champion";
    public static final String SHADOW = "shadow";
    public static final String RETIRED = "retired";

    public String model;
    public String version;
    public String role;
    public String manifestUri;
    public String manifestSha256;
    public String issuedAt;
    public String issuedBy;
    /** Why the record is not a valid control event; null when it is. */
    public String error;

    public ModelControl() {}

    public ModelControl(String model, String version, String role, String manifestUri, String manifestSha256) {
        this.model = model;
        this.version = version;
        this.role = role;
        this.manifestUri = manifestUri;
        this.manifestSha256 = manifestSha256;
    }

    @Override
    public String toString() {
        return model + " " + version + " as " + role + " (" + manifestUri + ")";
    }
}
