package io.github.fraudflink.sql;

import java.util.Objects;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a PostgreSQL database to the job's schema: runs the Flyway migrations under
 * {@code db/migration/fraud} (this module's resources) against a JDBC URL. Idempotent; concurrent runs are
 * serialised by Flyway's lock. The password is never a configuration key: {@link #passwordFromEnvironment()}.
 */
public final class SchemaMigrator {
    /** The one place a PostgreSQL password comes from. */
    public static final String PASSWORD_ENV = "FRAUD_POSTGRES_PASSWORD";
    /** The table the job writes. */
    public static final String SCORED_TABLE = "scored_transactions";
    /** Every label received on {@code fraud-labels} (history; written again = no-op). */
    public static final String LABELS_TABLE = "fraud_labels";
    /** View: the label that holds per (account_id, transaction_id). */
    public static final String LATEST_LABELS_VIEW = "fraud_labels_latest";
    /** View: one row per labelled scored transaction and model role (champion, shadow) with score and verdict. */
    public static final String MODEL_SCORES_VIEW = "live_model_scores";
    /** View: labelled, frauds, flagged, precision, recall, average_precision per model, version, role and UTC day. */
    public static final String MODEL_QUALITY_VIEW = "live_model_quality";
    /** Where the migrations live on the classpath. */
    public static final String LOCATION = "classpath:db/migration/fraud";

    private SchemaMigrator() {}

    /** The password from {@value #PASSWORD_ENV}, or null when it is not set (trust or peer authentication). */
    public static String passwordFromEnvironment() {
        String p = System.getenv(PASSWORD_ENV);
        return p == null || p.isEmpty() ? null : p;
    }

    /**
     * Refuses a URL that carries a password: it would end up in logs, the job graph and shell history.
     * Returns the URL.
     */
    public static String checkUrl(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl
                    + " (expected jdbc:postgresql://host:port/database)");
        }
        if (jdbcUrl.toLowerCase(java.util.Locale.ROOT).matches(".*[?&]password=.*")) {
            throw new IllegalArgumentException("the PostgreSQL URL must not contain a password;"
                    + " set the environment variable " + PASSWORD_ENV + " instead");
        }
        return jdbcUrl;
    }

    /** Applies the pending migrations; returns the schema version afterwards. */
    public static String migrate(String jdbcUrl, String user, String password) {
        MigrateResult r = flyway(jdbcUrl, user, password).migrate();
        return r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion;
    }

    /** The Flyway set-up used by {@link #migrate}, for status and validation commands. */
    public static Flyway flyway(String jdbcUrl, String user, String password) {
        return Flyway.configure(SchemaMigrator.class.getClassLoader())
                .dataSource(checkUrl(jdbcUrl), user, password)
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load();
    }
}
